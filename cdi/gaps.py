"""State changes of a gap, each audited."""

from __future__ import annotations

from django.db import transaction

from . import audit
from .models import Gap

DISMISS_REASONS = {
    "not_supported": "Indicators do not support it clinically",
    "already_documented": "Already documented elsewhere in the record",
    "historical": "Historical or resolved condition",
    "not_significant": "Not clinically significant this encounter",
    "duplicate": "Duplicate of another gap or query",
    "wrong_patient_context": "Refers to a family member or another context",
}
TRACKED = ("status", "dismiss_reason")


class GapStateError(Exception):
    """A change that the gap's current status does not allow."""


def _change(gap: Gap, actor, action: str, **fields) -> Gap:
    with transaction.atomic():
        locked = Gap.objects.select_for_update().get(pk=gap.pk)
        before = audit.snapshot(locked, TRACKED)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=(*fields, "updated_at"))
        audit.record(actor, action, locked, before=before, after=audit.snapshot(locked, TRACKED))
    return locked


def dismiss(gap: Gap, reason: str, actor) -> Gap:
    if reason not in DISMISS_REASONS:
        raise GapStateError("Pick a dismissal reason from the list.")
    if gap.status != Gap.Status.OPEN:
        raise GapStateError(
            f"Only open gaps can be dismissed; this one is {gap.get_status_display().lower()}."
        )
    return _change(gap, actor, "gap.dismissed", status=Gap.Status.DISMISSED, dismiss_reason=reason)


def reopen(gap: Gap, actor) -> Gap:
    if gap.status != Gap.Status.DISMISSED:
        raise GapStateError("Only dismissed gaps can be reopened.")
    return _change(gap, actor, "gap.reopened", status=Gap.Status.OPEN, dismiss_reason="")


def resolve(gap: Gap, actor) -> Gap:
    if gap.status not in (Gap.Status.OPEN, Gap.Status.QUERIED):
        raise GapStateError("Only open or queried gaps can be marked resolved.")
    return _change(gap, actor, "gap.resolved", status=Gap.Status.RESOLVED)
