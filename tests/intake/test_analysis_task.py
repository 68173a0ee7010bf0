from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cdi.analysis import analyse_note
from cdi.models import AuditEvent, Note


@pytest.fixture(autouse=True)
def rules_only(settings):
    # These tests are about the task's state machine; tests/analysis covers detection with the model.
    settings.CDI_MODEL_ENABLED = False


def make_note(encounter, **fields) -> Note:
    return Note.objects.create(encounter=encounter, text="Sodium 128 mmol/L.", source="api", **fields)


def test_analysing_marks_the_note_analysed_and_audits_it(encounter):
    note = make_note(encounter)
    assert analyse_note(note.id) == "analysed"
    note.refresh_from_db()
    assert note.status == "analysed" and note.analysed_at is not None
    assert AuditEvent.objects.filter(action="note.analysed", object_id=str(note.id)).count() == 1


def test_running_the_task_twice_is_a_no_op(encounter):
    note = make_note(encounter)
    analyse_note(note.id)
    assert analyse_note(note.id) == "skipped"
    assert AuditEvent.objects.filter(action="note.analysed").count() == 1


def test_a_missing_note_is_skipped(db):
    assert analyse_note(123456) == "skipped"


def test_a_note_processing_by_a_live_worker_is_not_taken(encounter):
    note = make_note(encounter, status="processing", analysis_started_at=timezone.now())
    assert analyse_note(note.id) == "busy"  # the task retries once the claim would be stale
    note.refresh_from_db()
    assert note.status == "processing"


def test_a_note_abandoned_by_a_dead_worker_is_reclaimed(encounter, settings):
    started = timezone.now() - dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS + 5)
    note = make_note(encounter, status="processing", analysis_started_at=started)
    assert analyse_note(note.id) == "analysed"


def test_the_audit_trail_is_append_only(encounter):
    note = make_note(encounter)
    analyse_note(note.id)
    event = AuditEvent.objects.get()
    event.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get().action == "note.analysed"
