"""Analysing a note: claim it, run the detector, store the result. Called by the Celery task."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import audit
from .models import Note

log = logging.getLogger(__name__)


def claim_note(note_id: int) -> bool:
    """Move a note to processing; False when another worker has it, it is done, or it is gone.

    A note stuck in processing longer than ANALYSIS_STALE_SECONDS belonged to a worker that died
    (acks_late redelivers its task), so it may be claimed again; the analysis runs in one
    transaction, so the dead worker left nothing half-written."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    claimable = Q(status=Note.Status.RECEIVED) | Q(
        status=Note.Status.PROCESSING, analysis_started_at__lt=stale
    )
    claimed = Note.objects.filter(claimable, pk=note_id).update(
        status=Note.Status.PROCESSING, analysis_started_at=now, failure_reason=""
    )
    return claimed == 1


def analyse_note(note_id: int) -> str:
    """Analyse one note by id; idempotent. Returns what happened, for logs and tests."""
    if not claim_note(note_id):
        if Note.objects.filter(pk=note_id, status=Note.Status.PROCESSING).exists():
            # Another worker has it, or had it and died: the task retries once the claim is stale.
            log.info("note %s is being processed elsewhere", note_id)
            return "busy"
        log.info("note %s not claimable (gone or already analysed)", note_id)
        return "skipped"
    note = Note.objects.get(pk=note_id)
    started = time.monotonic()
    try:
        with transaction.atomic():
            gaps = store_findings(note)
            note.status = Note.Status.ANALYSED
            note.analysed_at = timezone.now()
            note.save(update_fields=("status", "analysed_at"))
            audit.record(
                None, "note.analysed", note, before={"status": "processing"}, after={"status": "analysed"}
            )
    except ModelUnavailable as exc:
        log.error("analysis of note %s failed: %s", note_id, exc)
        return fail(note, str(exc))
    except Exception as exc:
        # The reason names the error type only: exception messages may quote note text.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("analysis of note %s failed with %s at\n%s", note_id, type(exc).__name__, frames)
        return fail(note, f"analysis error ({type(exc).__name__}); see the worker log for note {note_id}")
    log.info("note %s analysed: %s gaps in %.0f ms", note_id, gaps, (time.monotonic() - started) * 1000)
    return "analysed"


def fail(note: Note, reason: str) -> str:
    Note.objects.filter(pk=note.pk).update(status=Note.Status.FAILED, failure_reason=reason[:500])
    audit.record(None, "note.failed", note, before={"status": "processing"}, after={"status": "failed"})
    return "failed"


class ModelUnavailable(Exception):
    """The CDI model's runtime folder is missing or corrupt; the note fails with the fix to apply."""


MODEL_UNAVAILABLE = "model unavailable"


def cdi_scorer():
    """The CDI adapter as a detector scorer, or None when the model is switched off."""
    if not settings.CDI_MODEL_ENABLED:
        return None, ""
    from inference import InferenceError, get_encoder

    try:
        encoder = get_encoder("cdi")
    except InferenceError as exc:
        raise ModelUnavailable(f"{MODEL_UNAVAILABLE}: {exc}") from None

    def score(pairs: list[tuple[str, str]]) -> list[float]:
        return [s.probability for s in encoder.score(pairs)] if pairs else []

    return score, f"cdi@{encoder.version}"


def decision_policy():
    """The LIVE adapter's fitted veto/raise policy (its manifest's `decision_policy`); an adapter
    without one gets the policy that changes nothing."""
    from inference import get_encoder

    from .clinical.detection import DecisionPolicy

    encoder = get_encoder("cdi")
    return _policy_of(str(encoder.runtime_dir), encoder.version, DecisionPolicy)


@functools.lru_cache(maxsize=4)
def _policy_of(runtime_dir: str, version: str, policy_class):
    from inference.runtime import read_runtime_manifest

    return policy_class.from_dict(read_runtime_manifest(runtime_dir).get("decision_policy"))


def findings_for(text: str, structured=None, *, model_decides: bool | None = None, policy: str | None = None):
    """The production detection path, shared by the worker and evaluate_cdi.

    The rules decide; the CDI adapter scores every kept finding and its probability is stored
    beside the rule confidence ("advises"). With CDI_MODEL_DECIDES the model changes what is
    kept, by CDI_MODEL_POLICY: "gate" (the adapter's fitted DecisionPolicy: it may only veto a
    rule gap below strong rule evidence, or raise a sub-threshold candidate, evidence spans
    required) or "blend" (0.4 x rule + 0.6 x model, threshold 0.5). Both are measured in the
    README (CDI gap detection); the model advises by default."""
    from .clinical.detection import candidate_pairs, detect

    decides = settings.CDI_MODEL_DECIDES if model_decides is None else model_decides
    how = settings.CDI_MODEL_POLICY if policy is None else policy
    scorer, adapter_version = cdi_scorer()
    if scorer is not None and decides:
        if how == "blend":
            return detect(text, structured, scorer), adapter_version
        return detect(text, structured, scorer, policy=decision_policy()), adapter_version
    findings = detect(text, structured)
    if scorer is not None and findings:
        for finding, probability in zip(findings, scorer(candidate_pairs(text, findings)), strict=True):
            finding.model_probability = float(probability)
    return findings, adapter_version


def warm_up(*, after_fork: bool) -> None:
    """Load once per worker what every analysis needs, instead of on the first note.

    Before the fork (the Celery parent): the knowledge base, validated against the ICD-10-CM
    tables (several seconds), the rule modules and the CC/MCC, weight and estimate tables, all
    plain Python, so every forked child shares them. After the fork (each child): the CDI model
    and the MS-DRG grouper, which are not fork-safe. A model that does not load is only logged:
    the notes then fail with the reason, as they would without the warm-up."""
    from .clinical.detection import detect
    from .clinical.knowledge import default_knowledge
    from .impact import Claim, code_severity, drg_weight, group
    from .revenue import estimate_table

    if not after_fork:
        try:
            default_knowledge()
            detect("Sepsis with WBC 15.2 and lactate 4.1, on vancomycin.")
            code_severity("A41.9")
            drg_weight("871")
            estimate_table()
        except Exception as exc:
            # The worker still starts: each note then fails with the reason, as without the warm-up.
            log.error("worker warm-up failed with %s; notes will report it", type(exc).__name__)
        return
    group(Claim(principal="A41.9", secondary=("N17.9",), age=70, sex="F", discharge_status=1))
    try:
        cdi_scorer()
    except ModelUnavailable as exc:
        log.error("worker started without the CDI model: %s", exc)


def release_model_failures(limit: int = 500) -> list[int]:
    """Notes that failed because the model was unavailable go back to `received` once the
    runtime loads again (after `build_models`); returns their ids for re-sending."""
    failed = Note.objects.filter(status=Note.Status.FAILED, failure_reason__startswith=MODEL_UNAVAILABLE)
    if not failed.exists():
        return []
    try:
        cdi_scorer()
    except ModelUnavailable:
        return []
    ids = list(failed.values_list("id", flat=True)[:limit])
    Note.objects.filter(pk__in=ids, status=Note.Status.FAILED).update(
        status=Note.Status.RECEIVED, failure_reason=""
    )
    for note in Note.objects.filter(pk__in=ids):
        audit.record(None, "note.requeued", note, before={"status": "failed"}, after={"status": "received"})
    return ids


def documented_wording(finding, knowledge) -> str:
    """The provider's wording of the condition (quoted by query templates), from the evidence."""
    pattern = knowledge.documenting
    for span in finding.evidence:
        if pattern is not None and (match := pattern.search(span.text)):
            return match.group(0)[:200]
    return ""


def store_findings(note: Note) -> int:
    """Detect the note's gaps and store them, with evidence, codes, impact and versions.

    Idempotent: a re-analysis updates the same (note, category, condition) rows and leaves gaps a
    person already acted on (dismissed, queried, resolved) as they are."""
    from .clinical.knowledge import default_knowledge
    from .impact import code_severity
    from .models import Gap
    from .revenue import expected_impact
    from .structured import structured_data

    if note.doc_status == Note.DocStatus.ENTERED_IN_ERROR:
        return 0  # withdrawn by the EHR: nothing to query
    kb = default_knowledge()
    findings, adapter_version = findings_for(note.text, structured_data(note.encounter))
    # A note replaced while its analysis was queued keeps its findings for the record, closed.
    initial = Gap.Status.SUPERSEDED if note.doc_status == Note.DocStatus.SUPERSEDED else Gap.Status.OPEN
    stored = 0
    for finding in findings:
        knowledge = kb.get(finding.category, finding.condition)
        codes = list(finding.candidate_codes)
        severity = finding.severity_effect.lower() if finding.severity_effect else "none"
        if codes and severity == "none":
            severity = code_severity(codes[0], note.encounter.principal_diagnosis or None)
        impact = expected_impact(note.encounter, finding.category, finding.documented_code or "", codes)
        values = {
            "encounter": note.encounter,
            "confidence": finding.confidence,
            "model_probability": finding.model_probability,
            "evidence": [{"start": s.start, "end": s.end, "text": s.text} for s in finding.evidence],
            "indicators": [
                {
                    "name": i.name,
                    "value": i.value,
                    "unit": i.unit,
                    "date": i.date,
                    "source": i.derivation or "note",
                }
                for i in finding.indicators
            ],
            "documented_code": finding.documented_code or "",
            "documented_as": documented_wording(finding, knowledge),
            "candidate_codes": codes,
            "severity_effect": severity if severity in ("none", "cc", "mcc") else "none",
            "expected_impact": impact.amount,
            "impact_is_estimate": impact.estimate,
            "impact_inputs": impact.inputs(),
            "rationale": finding.rationale[:500],
            "adapter_version": adapter_version,
            "kb_version": kb.version,
        }
        gap = Gap.objects.filter(note=note, category=finding.category, condition=finding.condition).first()
        if gap is None:
            gap = Gap.objects.create(
                note=note, category=finding.category, condition=finding.condition, status=initial, **values
            )
            audit.record(
                None,
                "gap.detected",
                gap,
                after={"confidence": gap.confidence, "kb": kb.version, "adapter": adapter_version},
            )
        elif gap.status == Gap.Status.OPEN:
            for name, value in values.items():
                setattr(gap, name, value)
            gap.save(update_fields=(*values, "updated_at"))
            audit.record(
                None,
                "gap.redetected",
                gap,
                after={"confidence": gap.confidence, "kb": kb.version, "adapter": adapter_version},
            )
        stored += 1
    return stored
