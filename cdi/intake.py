"""Creating notes, from the browser and the API alike: validation, the row, the audit event, the enqueue."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from . import audit
from .models import Encounter, Note, Provider

log = logging.getLogger(__name__)


class IntakeError(Exception):
    """A note that cannot be accepted; `reason` is safe to show (it never quotes the text)."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class NoteInput:
    encounter: Encounter
    text: str
    note_type: str = ""
    service_date: dt.date | None = None
    author: Provider | None = None
    external_id: str = ""
    source: str = Note.Source.BROWSER
    # The ward or location the patient is on, when the sender says: it moves the encounter there.
    unit: str = ""


def decode_note_text(raw: bytes | str) -> str:
    """Turn uploaded or posted content into note text, or raise IntakeError with a reason."""
    limit = settings.NOTE_MAX_BYTES
    if isinstance(raw, str):
        size = len(raw.encode("utf-8", errors="surrogatepass"))
        text = raw
    else:
        size = len(raw)
        if size > limit:
            raise IntakeError(f"The note is {size:,} bytes; the limit is {limit:,} bytes.", 413)
        if b"\x00" in raw:
            raise IntakeError("The note looks binary (it contains NUL bytes); send plain UTF-8 text.", 415)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IntakeError(
                f"The note is not valid UTF-8 (byte {exc.start}); send plain UTF-8 text.", 415
            ) from None
    if size > limit:
        raise IntakeError(f"The note is {size:,} bytes; the limit is {limit:,} bytes.", 413)
    if "\x00" in text:
        raise IntakeError("The note looks binary (it contains NUL characters); send plain text.", 415)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise IntakeError("The note contains invalid Unicode (lone surrogates); send plain UTF-8 text.", 415)
    # Normalise line endings so evidence offsets are stable across clients.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IntakeError("The note is empty.", 400)
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f")
    if control > max(8, len(text) // 100):
        raise IntakeError("The note looks binary (too many control characters); send plain text.", 415)
    return text


def create_note(data: NoteInput, actor) -> Note:
    """Store a note and enqueue its analysis once the transaction commits."""
    with transaction.atomic():
        if data.unit and data.unit != data.encounter.unit:
            move_encounter(data.encounter, data.unit, actor)
        note = Note.objects.create(
            encounter=data.encounter,
            text=data.text,
            note_type=data.note_type[:100],
            service_date=data.service_date,
            author=data.author,
            external_id=data.external_id[:128],
            source=data.source,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor,
            "note.created",
            note,
            after=audit.snapshot(note, ("encounter", "note_type", "source", "status", "text_sha256")),
        )
        enqueue_analysis_on_commit(note.id)
    log.info("note %s received for encounter %s via %s", note.id, note.encounter_id, note.source)
    return note


def move_encounter(encounter: Encounter, unit: str, actor) -> None:
    before = audit.snapshot(encounter, ("unit",))
    encounter.unit = unit
    encounter.save(update_fields=("unit",))
    audit.record(
        actor, "encounter.updated", encounter, before=before, after={"unit": unit, "changed": ["unit"]}
    )


def enqueue_analysis_on_commit(note_id: int) -> None:
    transaction.on_commit(lambda: enqueue_analysis(note_id))


def enqueue_analysis(note_id: int) -> bool:
    """Send the analysis task; if the broker is down the note stays `received` and the
    periodic `requeue_received_notes` job sends it later, so the caller never fails."""
    from .tasks import analyse_note

    try:
        analyse_note.apply_async((note_id,), retry=False)
    except Exception as exc:  # kombu raises OperationalError, redis ConnectionError, OSError...
        log.warning(
            "could not enqueue analysis of note %s (%s); it will be re-sent", note_id, type(exc).__name__
        )
        return False
    return True
