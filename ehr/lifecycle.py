"""A note's document status over time: replaced by a newer version, or withdrawn as entered in error.

Only gaps still open are closed: a gap already queried, dismissed or resolved carries a human decision
that a status change from the EHR must not erase."""

from __future__ import annotations

from typing import Any

from cdi import audit
from cdi.models import Gap, Note

WITHDRAWN_REASON = "entered-in-error"


def set_doc_status(note: Note, status: str, actor: Any) -> bool:
    """Store the DocumentReference.status as given; True when it changed."""
    if note.doc_status == status:
        return False
    before = note.doc_status
    note.doc_status = status
    note.save(update_fields=("doc_status",))
    audit.record(
        actor, "note.doc_status_changed", note, before={"doc_status": before}, after={"doc_status": status}
    )
    if status == Note.DocStatus.SUPERSEDED:
        close_open_gaps(note, actor, Gap.Status.SUPERSEDED, "")
    elif status == Note.DocStatus.ENTERED_IN_ERROR:
        close_open_gaps(note, actor, Gap.Status.DISMISSED, WITHDRAWN_REASON)
    return True


def supersede(old: Note, new: Note, actor: Any) -> None:
    """`new` replaces `old`: link them, mark the old one superseded and close its open gaps."""
    if new.supersedes_id != old.id:
        new.supersedes = old
        new.save(update_fields=("supersedes",))
        audit.record(actor, "note.supersedes", new, after={"supersedes": old.id})
    set_doc_status(old, Note.DocStatus.SUPERSEDED, actor)


def close_open_gaps(note: Note, actor: Any, status: str, reason: str) -> int:
    closed = 0
    for gap in Gap.objects.filter(note=note, status=Gap.Status.OPEN).order_by("id"):
        gap.status = status
        gap.dismiss_reason = reason
        gap.save(update_fields=("status", "dismiss_reason", "updated_at"))
        audit.record(
            actor,
            f"gap.{status}",
            gap,
            before={"status": Gap.Status.OPEN},
            after={"status": status, "dismiss_reason": reason, "cause": f"note {note.id} {note.doc_status}"},
        )
        closed += 1
    return closed
