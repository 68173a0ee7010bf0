"""The coder's workflow on an encounter: suggestion runs, decisions, sign-off.

Every change is audited (``cdi.audit.record``) and the accepted codes are written
through to the encounter's principal / secondary diagnoses and working MS-DRG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cdi.audit import record, snapshot
from cdi.models import Encounter, Note

from . import codeset
from .cpt import CptRow, suggest_procedures
from .em import suggest_em
from .embedding import default_retriever
from .models import CodeSuggestion, CptDescriptor, EncounterCoding
from .ranking import default_ranker
from .setting import INPATIENT, coding_setting
from .suggest import suggest_codes

STALE_RUN = dt.timedelta(minutes=15)
SUGGESTION_FIELDS = ("code", "status", "is_principal", "original_code", "decided_by", "decided_at")


class CodingError(ValueError):
    """A change the coder cannot make (shown to them as is)."""


@dataclass(frozen=True)
class DrgView:
    drg: str
    title: str
    weight: str
    severity: str
    problem: str = ""


def coding_for(encounter: Encounter) -> EncounterCoding:
    coding, _ = EncounterCoding.objects.get_or_create(encounter=encounter)
    return coding


def request_suggestions(encounter: Encounter, actor) -> bool:
    """Mark the encounter for a suggestion run; True when the caller should enqueue the task."""
    coding = coding_for(encounter)
    if coding.is_complete:
        raise CodingError("Coding is complete; reopen it before asking for new suggestions.")
    # A run in progress is left alone, unless it is stale (its worker died mid-run).
    now = timezone.now()
    updated = (
        EncounterCoding.objects.filter(pk=coding.pk)
        .exclude(status=EncounterCoding.Status.RUNNING, requested_at__gt=now - STALE_RUN)
        .exclude(status=EncounterCoding.Status.COMPLETE)
        .update(status=EncounterCoding.Status.REQUESTED, requested_at=now)
    )
    if updated:
        record(actor, "coding.suggestions_requested", coding)
    return bool(updated)


def _notes_in_order(encounter: Encounter) -> list[Note]:
    return list(encounter.notes.exclude(text="").order_by("service_date", "received_at", "id"))


def suggest_for_encounter(encounter_id: int) -> str:
    """Compute suggestions for a requested encounter; re-running it is a no-op.

    The run is claimed with a guarded UPDATE (requested -> running), so two workers never
    both compute, and a finished or never-requested encounter is left alone.
    """
    claimed = EncounterCoding.objects.filter(
        encounter_id=encounter_id, status=EncounterCoding.Status.REQUESTED
    ).update(status=EncounterCoding.Status.RUNNING)
    if not claimed:
        return "skipped"
    coding = EncounterCoding.objects.select_related("encounter").get(encounter_id=encounter_id)
    try:
        _compute(coding)
    except Exception:
        EncounterCoding.objects.filter(pk=coding.pk).update(status=EncounterCoding.Status.REQUESTED)
        raise
    return "suggested"


def _compute(coding: EncounterCoding) -> None:
    encounter = coding.encounter
    ranker = default_ranker()
    retriever = default_retriever()
    merged: dict[str, dict] = {}
    principal_code = ""
    notes = _notes_in_order(encounter)
    em: dict = {}
    procedures: list[dict] = []
    descriptors = [CptRow(d.code, d.descriptor) for d in CptDescriptor.objects.all()]
    for note in notes:
        result = suggest_codes(note.text, note.note_type, ranker=ranker, retriever=retriever)
        # The discharge summary (or the latest note) speaks for the whole stay.
        if result.suggestions and (not principal_code or "discharge" in note.note_type.lower()):
            principal_code = result.suggestions[0].code
        for rank, suggestion in enumerate(result.suggestions):
            evidence = [
                {"note_id": note.id, "start": e.start, "end": e.end, "text": e.text, "section": e.section}
                for e in suggestion.evidence
            ]
            row = merged.get(suggestion.code)
            if row is None:
                merged[suggestion.code] = {
                    "title": suggestion.title,
                    "confidence": suggestion.score,
                    "rank": rank,
                    "evidence": evidence,
                    "why": suggestion.why[:300],
                    "rule_notes": suggestion.notes,
                    "note": note,
                }
            else:
                row["confidence"] = max(row["confidence"], suggestion.score)
                row["evidence"].extend(evidence)
        if coding_setting(note.text, note.note_type) == INPATIENT:
            em = suggest_em(note.text, len(result.suggestions), note.note_type).as_dict() | {
                "note_id": note.id
            }
        if descriptors:
            for p in suggest_procedures(note.text, descriptors):
                procedures.append(
                    {"code": p.code, "score": p.score, "matched": list(p.matched), "note_id": note.id}
                )
    with transaction.atomic():
        # Decided rows are the coder's: a re-run only replaces what is still pending.
        decided = set(
            encounter.code_suggestions.exclude(status=CodeSuggestion.Status.PENDING).values_list(
                "code", flat=True
            )
        )
        encounter.code_suggestions.filter(status=CodeSuggestion.Status.PENDING).delete()
        ordered = sorted(merged.items(), key=lambda item: (item[0] != principal_code, item[1]["rank"]))
        for rank, (code, row) in enumerate(ordered):
            if code in decided:
                continue
            CodeSuggestion.objects.create(
                encounter=encounter,
                note=row["note"],
                code=code,
                title=row["title"],
                confidence=round(row["confidence"], 4),
                rank=rank,
                is_principal=code == principal_code
                and not encounter.code_suggestions.filter(is_principal=True).exists(),
                evidence=row["evidence"],
                why=row["why"],
                rule_notes=row["rule_notes"],
            )
        coding.status = EncounterCoding.Status.READY
        coding.suggested_at = timezone.now()
        coding.ranker = f"{ranker.name} {ranker.version}"[:64]
        coding.codeset_version = codeset.CODESET_VERSION
        coding.em_level = em
        coding.procedures = procedures
        coding.save(
            update_fields=("status", "suggested_at", "ranker", "codeset_version", "em_level", "procedures")
        )
        record(None, "coding.suggested", coding, after={"codes": len(ordered), "ranker": coding.ranker})


def _editable(suggestion: CodeSuggestion) -> None:
    coding = coding_for(suggestion.encounter)
    if coding.is_complete:
        raise CodingError("Coding is complete; reopen it to make changes.")


def _decide(suggestion: CodeSuggestion, actor, action: str, **changes) -> CodeSuggestion:
    _editable(suggestion)
    before = snapshot(suggestion, SUGGESTION_FIELDS)
    for name, value in changes.items():
        setattr(suggestion, name, value)
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    try:
        with transaction.atomic():
            suggestion.save(update_fields=(*changes.keys(), "decided_by", "decided_at"))
    except IntegrityError:
        raise CodingError(f"{suggestion.code} is already on this encounter.") from None
    record(actor, action, suggestion, before=before, after=snapshot(suggestion, SUGGESTION_FIELDS))
    sync_encounter(suggestion.encounter, actor)
    return suggestion


def accept(suggestion: CodeSuggestion, actor) -> CodeSuggestion:
    return _decide(suggestion, actor, "coding.accept", status=CodeSuggestion.Status.ACCEPTED)


def reject(suggestion: CodeSuggestion, actor) -> CodeSuggestion:
    return _decide(
        suggestion, actor, "coding.reject", status=CodeSuggestion.Status.REJECTED, is_principal=False
    )


def validated_code(raw: str) -> str:
    code = codeset.dotted(raw or "")
    if not codeset.exists(code):
        raise CodingError(f"{raw!r} is not an ICD-10-CM code.")
    if not codeset.is_billable(code):
        if codeset.needs_seventh_character(code):
            raise CodingError(f"{code} needs a 7th character.")
        raise CodingError(f"{code} is not billable: choose a more specific code.")
    return code


def edit(suggestion: CodeSuggestion, raw_code: str, actor) -> CodeSuggestion:
    code = validated_code(raw_code)
    original = suggestion.original_code or (suggestion.code if code != suggestion.code else "")
    return _decide(
        suggestion,
        actor,
        "coding.edit",
        code=code,
        original_code=original,
        status=CodeSuggestion.Status.ACCEPTED,
    )


def make_principal(suggestion: CodeSuggestion, actor) -> CodeSuggestion:
    _editable(suggestion)
    suggestion.encounter.code_suggestions.exclude(pk=suggestion.pk).filter(is_principal=True).update(
        is_principal=False
    )
    return _decide(
        suggestion, actor, "coding.principal", is_principal=True, status=CodeSuggestion.Status.ACCEPTED
    )


def add_code(encounter: Encounter, raw_code: str, actor) -> CodeSuggestion:
    code = validated_code(raw_code)
    if coding_for(encounter).is_complete:
        raise CodingError("Coding is complete; reopen it to make changes.")
    if encounter.code_suggestions.filter(code=code).exists():
        raise CodingError(f"{code} is already on this encounter.")
    last = encounter.code_suggestions.order_by("-rank").values_list("rank", flat=True).first() or 0
    suggestion = CodeSuggestion.objects.create(
        encounter=encounter,
        code=code,
        title=codeset.title(code),
        origin=CodeSuggestion.Origin.CODER,
        status=CodeSuggestion.Status.ACCEPTED,
        rank=last + 1,
        is_principal=not encounter.code_suggestions.filter(is_principal=True).exists(),
        decided_by=actor,
        decided_at=timezone.now(),
        why="added by the coder",
    )
    record(actor, "coding.add", suggestion, after=snapshot(suggestion, SUGGESTION_FIELDS))
    sync_encounter(encounter, actor)
    return suggestion


def accepted_codes(encounter: Encounter) -> tuple[str, list[str]]:
    """(principal, secondaries) from the accepted codes, principal first."""
    rows = list(
        encounter.code_suggestions.filter(status=CodeSuggestion.Status.ACCEPTED).order_by(
            "-is_principal", "rank", "id"
        )
    )
    if not rows:
        return "", []
    return rows[0].code, [r.code for r in rows[1:]]


def drg_for(encounter: Encounter) -> DrgView | None:
    from cdi.impact import group
    from cdi.revenue import encounter_claim

    claim = encounter_claim(encounter)
    if claim is None:
        return None
    try:
        result = group(claim)
    except Exception as exc:  # noqa: BLE001 - the screen shows why the claim does not group
        return DrgView("", "", "", "", problem=str(exc)[:200])
    weight = "" if result.relative_weight is None else str(result.relative_weight)
    return DrgView(result.drg, result.title, weight, result.severity)


def sync_encounter(encounter: Encounter, actor) -> None:
    """Write the accepted codes (and the DRG they group to) through to the encounter."""
    principal, secondary = accepted_codes(encounter)
    before = snapshot(encounter, ("principal_diagnosis", "secondary_diagnoses", "working_drg"))
    encounter.principal_diagnosis = codeset.undotted(principal) if principal else ""
    encounter.secondary_diagnoses = [codeset.undotted(code) for code in secondary]
    drg = drg_for(encounter) if principal else None
    encounter.working_drg = drg.drg if drg is not None and drg.drg else ""
    after = snapshot(encounter, ("principal_diagnosis", "secondary_diagnoses", "working_drg"))
    if after != before:
        encounter.save(update_fields=("principal_diagnosis", "secondary_diagnoses", "working_drg"))
        record(actor, "coding.encounter_codes", encounter, before=before, after=after)


def complete(encounter: Encounter, actor) -> EncounterCoding:
    coding = coding_for(encounter)
    if coding.is_complete:
        raise CodingError("Coding is already complete.")
    if encounter.code_suggestions.filter(status=CodeSuggestion.Status.PENDING).exists():
        raise CodingError("Accept or reject every suggestion before completing.")
    if not encounter.code_suggestions.filter(status=CodeSuggestion.Status.ACCEPTED).exists():
        raise CodingError("Accept at least one code before completing.")
    before = snapshot(coding, ("status", "completed_by", "completed_at"))
    coding.status = EncounterCoding.Status.COMPLETE
    coding.completed_by = actor
    coding.completed_at = timezone.now()
    coding.save(update_fields=("status", "completed_by", "completed_at"))
    record(
        actor,
        "coding.complete",
        coding,
        before=before,
        after=snapshot(coding, ("status", "completed_by", "completed_at")),
    )
    return coding


def reopen(encounter: Encounter, actor) -> EncounterCoding:
    coding = coding_for(encounter)
    if not coding.is_complete:
        raise CodingError("Coding is not complete.")
    before = snapshot(coding, ("status", "completed_by", "completed_at"))
    coding.status = EncounterCoding.Status.READY
    coding.completed_by = None
    coding.completed_at = None
    coding.save(update_fields=("status", "completed_by", "completed_at"))
    record(actor, "coding.reopen", coding, before=before, after=snapshot(coding, ("status",)))
    return coding
