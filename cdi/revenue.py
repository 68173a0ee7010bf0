"""Django side of the revenue impact: encounters to claims, gaps to expected figures."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .impact import (
    BaseRate,
    Change,
    Claim,
    EstimateTable,
    Impact,
    InvalidCode,
    NoPrincipalDiagnosis,
    Ungroupable,
    apportion,
    default_estimate_table,
    dollars,
    estimate,
    expected_shift,
    normalise_dx,
    select_base_rate,
)
from .models import Encounter

log = logging.getLogger(__name__)


@functools.cache
def configured_base_rates() -> tuple[BaseRate, ...]:
    return tuple(
        BaseRate(Decimal(str(r["amount"])), dt.date.fromisoformat(r["effective_from"]), r.get("payer"))
        for r in settings.DRG_BASE_RATES
    )


@functools.cache
def estimate_table() -> EstimateTable:
    if settings.IMPACT_ESTIMATES:
        return EstimateTable.from_mapping(settings.IMPACT_ESTIMATES)
    return default_estimate_table()


def encounter_claim(encounter: Encounter) -> Claim | None:
    """The encounter's working claim, or None when it has no principal diagnosis yet."""
    if not encounter.principal_diagnosis:
        return None
    age = None
    patient = encounter.patient
    if patient.birth_date and encounter.admitted_at:
        admitted = encounter.admitted_at.date()
        age = (
            admitted.year
            - patient.birth_date.year
            - ((admitted.month, admitted.day) < (patient.birth_date.month, patient.birth_date.day))
        )
    return Claim(
        principal=encounter.principal_diagnosis,
        secondary=tuple(encounter.secondary_diagnoses or ()),
        procedures=tuple(encounter.procedures or ()),
        age=age,
        sex=patient.sex or "U",
        discharge_status=int(encounter.discharge_status) if encounter.discharge_status.isdigit() else None,
    )


def gap_change(claim: Claim, documented_code: str, candidate_code: str) -> Change:
    """Documenting the specific code replaces the unspecified one when it is on the claim."""
    candidate = normalise_dx(candidate_code)
    documented = normalise_dx(documented_code) if documented_code else ""
    if documented and documented in claim.codes:
        return Change.of(replace={documented: candidate})
    return Change.of(add=[candidate])


def expected_impact(
    encounter: Encounter, category: str, documented_code: str, candidate_codes: list[str]
) -> Impact:
    """What documenting the first candidate code would be worth; an estimate when it can't be grouped."""
    claim = encounter_claim(encounter)
    if claim is not None and candidate_codes:
        try:
            change = gap_change(claim, documented_code, candidate_codes[0])
            shift = expected_shift(claim, add=change.add, replace=dict(change.replace))
            rate = select_base_rate(configured_base_rates(), timezone.localdate(), encounter.payer or None)
            return dollars(shift, rate)
        except (InvalidCode, NoPrincipalDiagnosis, Ungroupable, ValueError) as exc:
            log.info(
                "encounter %s: grouping failed (%s); using the category estimate",
                encounter.pk,
                type(exc).__name__,
            )
    return estimate(category, estimate_table())


def record_actual_impact(encounter: Encounter) -> None:
    """Recompute the realised figure of every agreed answer on the encounter.

    All agreed answers are applied to the claim together and the combined DRG shift is split
    between them (cdi.impact.apportion), so two answers that move the DRG once are not counted
    twice. Without a groupable claim each agreed answer gets its category estimate, labelled so."""
    from .models import Response

    agreed = list(
        Response.objects.filter(query__encounter=encounter, outcome=Response.Outcome.AGREED)
        .select_related("query__gap")
        .order_by("responded_at", "id")
    )
    if not agreed:
        return
    claim = encounter_claim(encounter)
    gaps = [r.query.gap for r in agreed]
    if claim is not None and all(g.candidate_codes for g in gaps):
        try:
            rate = select_base_rate(configured_base_rates(), timezone.localdate(), encounter.payer or None)
            changes = [gap_change(claim, g.documented_code, g.candidate_codes[0]) for g in gaps]
            result = apportion(claim, changes, rate)
        except (InvalidCode, NoPrincipalDiagnosis, Ungroupable, ValueError) as exc:
            log.info("encounter %s: grouping failed (%s); using estimates", encounter.pk, type(exc).__name__)
        else:
            total = result.total.inputs()
            for response, share, alone in zip(agreed, result.shares, result.standalone, strict=True):
                response.realised_amount = share
                response.impact_is_estimate = False
                response.impact_inputs = {
                    "share": str(share),
                    "split_rule": "proportional to standalone shift (cdi.impact.split_shift)",
                    "answers_on_encounter": len(agreed),
                    "standalone": alone.inputs(),
                    "encounter_total": total,
                }
                response.save(update_fields=Response.IMPACT_FIELDS)
            encounter.baseline_drg = result.total.drg_before or ""
            encounter.baseline_weight = result.total.weight_before
            encounter.cdi_drg = result.total.drg_after or ""
            encounter.cdi_weight = result.total.weight_after
            encounter.save(update_fields=("baseline_drg", "baseline_weight", "cdi_drg", "cdi_weight"))
            return
    for response, gap in zip(agreed, gaps, strict=True):
        figure = estimate(gap.category, estimate_table())
        response.realised_amount = figure.amount
        response.impact_is_estimate = True
        response.impact_inputs = figure.inputs()
        response.save(update_fields=Response.IMPACT_FIELDS)
