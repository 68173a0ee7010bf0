from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cdi.models import AuditEvent, Note


def test_a_specialist_pastes_a_note_and_it_is_queued(
    client, cast, encounter, django_capture_on_commit_callbacks
):
    client.force_login(cast.specialist)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("note-new"), {"encounter": "ACC-001", "text": "Na 128.\r\nFluid restriction."}
        )
    note = Note.objects.get()
    assert response["Location"] == reverse("note-detail", args=[note.id])
    assert note.text == "Na 128.\nFluid restriction."
    assert note.created_by == cast.specialist
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(action="note.created", actor=cast.specialist).exists()


def test_a_specialist_uploads_a_text_file(client, cast, encounter):
    client.force_login(cast.specialist)
    upload = SimpleUploadedFile("note.txt", "Hémoglobine 7.9".encode(), content_type="text/plain")
    response = client.post(reverse("note-new"), {"encounter": "ACC-001", "upload": upload})
    assert response.status_code == 302
    assert Note.objects.get().text == "Hémoglobine 7.9"


def test_it_rejects_binary_uploads_with_a_reason(client, cast, encounter):
    client.force_login(cast.specialist)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\x00\x01\x02\xff", content_type="application/pdf")
    response = client.post(reverse("note-new"), {"encounter": "ACC-001", "upload": upload})
    assert response.status_code == 400
    assert b"binary" in response.content
    assert not Note.objects.exists()


def test_it_rejects_non_utf8_uploads(client, cast, encounter):
    client.force_login(cast.specialist)
    upload = SimpleUploadedFile("note.txt", "Hémoglobine".encode("latin-1"), content_type="text/plain")
    response = client.post(reverse("note-new"), {"encounter": "ACC-001", "upload": upload})
    assert response.status_code == 400
    assert b"UTF-8" in response.content


def test_it_rejects_an_empty_note_and_an_unknown_encounter(client, cast, encounter):
    client.force_login(cast.specialist)
    assert client.post(reverse("note-new"), {"encounter": "ACC-001", "text": "  "}).status_code == 400
    response = client.post(reverse("note-new"), {"encounter": "ACC-404", "text": "Na 128"})
    assert response.status_code == 400
    assert b"No encounter has this account number" in response.content
    assert not Note.objects.exists()


@override_settings(NOTE_MAX_BYTES=10)
def test_it_rejects_a_note_over_the_limit(client, cast, encounter):
    client.force_login(cast.specialist)
    response = client.post(reverse("note-new"), {"encounter": "ACC-001", "text": "x" * 11})
    assert response.status_code == 400
    assert b"limit" in response.content


def test_a_coder_cannot_add_notes(client, cast, encounter):
    client.force_login(cast.coder)
    assert client.post(reverse("note-new"), {"encounter": "ACC-001", "text": "Na 128"}).status_code == 403
    assert not Note.objects.exists()


def test_the_note_list_polls_while_analyses_are_pending(client, cast, encounter):
    Note.objects.create(encounter=encounter, text="x", source="api")
    client.force_login(cast.specialist)
    response = client.get(reverse("note-list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'hx-trigger="every 3s"' in response.content
    assert b"<html" not in response.content
    Note.objects.update(status="analysed")
    assert b"hx-trigger" not in client.get(reverse("note-list"), HTTP_HX_REQUEST="true").content


def test_the_note_list_counts_gaps_without_a_query_per_row(client, cast, encounter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_gap

    for _ in range(3):
        make_gap(encounter)
    client.force_login(cast.specialist)
    client.get(reverse("note-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("note-list"))
    for _ in range(10):
        make_gap(encounter)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("note-list"))
    assert len(many) == len(few)
    assert b"<td>1</td>" in response.content
