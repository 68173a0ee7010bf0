from __future__ import annotations

import json

import pytest
from django.test import override_settings

from cdi.models import AuditEvent, Note

URL = "/api/notes"


def post(client, body, token: str | None, content_type: str = "application/json"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, **headers)


def test_it_creates_a_note_audits_it_and_enqueues_analysis_on_commit(
    client, encounter, api_token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(
            client, {"encounter": "ACC-001", "text": "Sodium 128 mmol/L.", "note_type": "H&P"}, api_token
        )
    assert response.status_code == 201, response.content
    note = Note.objects.get()
    assert response["Location"] == f"/api/notes/{note.id}"
    assert response.json()["status"] == "received"
    assert (note.text, note.source, note.note_type) == ("Sodium 128 mmol/L.", "api", "H&P")
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="note.created")
    assert event.actor_label == "client:test-ehr"
    assert "text" not in event.after


def test_it_reports_status_of_a_note(client, encounter, api_token):
    response = post(client, {"encounter": "ACC-001", "text": "BMI 41."}, api_token)
    status = client.get(response["Location"], HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert status.status_code == 200
    assert status.json()["id"] == response.json()["id"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"encounter": "ACC-001", "text": ""}, 400, "empty"),
        ({"encounter": "ACC-001", "text": "   \n  "}, 400, "empty"),
        ({"encounter": "ACC-001"}, 400, "'text' is required"),
        ({"encounter": "ACC-001", "text": 42}, 400, "'text' must be a string"),
        ({"encounter": 7, "text": "x"}, 400, "'encounter' must be a string"),
        ({"text": "x"}, 400, "'encounter' is required"),
        ({"encounter": "NOPE", "text": "Sodium 128."}, 404, "no known encounter"),
        ({"encounter": "ACC-001", "text": "x", "service_date": "yesterday"}, 400, "YYYY-MM-DD"),
        ({"encounter": "ACC-001", "text": "x", "author_npi": "999"}, 422, "no known provider"),
        ({"encounter": "ACC-001", "text": "abc\x00def"}, 415, "binary"),
        ({"encounter": "ACC-001", "text": "\ud800 lone"}, 415, "surrogate"),
        ([1, 2, 3], 400, "JSON object"),
    ],
)
def test_it_rejects_bad_notes_with_a_reason_and_writes_nothing(
    client, encounter, api_token, body, status, reason
):
    response = post(client, body, api_token)
    assert response.status_code == status
    assert reason in response.json()["error"]
    assert not Note.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_rejects_invalid_json_and_non_utf8(client, encounter, api_token):
    assert post(client, b'{"encounter": ', api_token).status_code == 400
    response = post(client, b'{"encounter": "ACC-001", "text": "\xff\xfe"}', api_token)
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]
    assert not Note.objects.exists()


def test_it_rejects_deeply_nested_json(client, encounter, api_token):
    response = post(client, "[" * 100_000 + "]" * 100_000, api_token)
    assert response.status_code == 400


def test_it_rejects_other_content_types(client, encounter, api_token):
    response = post(
        client, "encounter=ACC-001&text=x", api_token, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


@override_settings(NOTE_MAX_BYTES=100, DATA_UPLOAD_MAX_MEMORY_SIZE=100_000)
def test_it_rejects_notes_over_the_size_limit(client, encounter, api_token):
    response = post(client, {"encounter": "ACC-001", "text": "x" * 101}, api_token)
    assert response.status_code == 413
    assert "limit" in response.json()["error"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_it_rejects_request_bodies_over_the_upload_limit(client, encounter, api_token):
    response = post(client, {"encounter": "ACC-001", "text": "x" * 5000}, api_token)
    assert response.status_code == 413


def test_it_rejects_missing_bad_and_revoked_tokens(client, encounter, api_token):
    body = {"encounter": "ACC-001", "text": "x"}
    missing = post(client, body, None)
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert post(client, body, "not-a-token").status_code == 401
    from cdi.models import IntegrationClient

    IntegrationClient.objects.update(is_active=False)
    assert post(client, body, api_token).status_code == 401
    assert not Note.objects.exists()


def test_a_session_user_cannot_use_the_api_without_a_token(client, cast, encounter):
    client.force_login(cast.specialist)
    assert post(client, {"encounter": "ACC-001", "text": "x"}, None).status_code == 401


def test_get_on_the_collection_is_not_allowed(client, api_token):
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {api_token}").status_code == 405


def test_a_retry_with_the_same_external_id_returns_the_stored_note(client, encounter, api_token):
    body = {"encounter": "ACC-001", "text": "Sodium 128.", "external_id": "ehr-doc-77"}
    first = post(client, body, api_token)
    again = post(client, body, api_token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Note.objects.count() == 1


def test_a_note_may_say_which_unit_the_patient_is_on_and_moves_the_encounter(client, encounter, api_token):
    encounter.unit = "4 West"
    encounter.save(update_fields=("unit",))
    response = post(
        client, {"encounter": "ACC-001", "text": "Transferred. Sodium 128.", "unit": "CCU"}, api_token
    )
    assert response.status_code == 201, response.content
    encounter.refresh_from_db()
    assert encounter.unit == "CCU"
    event = AuditEvent.objects.get(action="encounter.updated")
    assert (event.before, event.after) == ({"unit": "4 West"}, {"unit": "CCU", "changed": ["unit"]})
    # Without the field, or with the same unit, the encounter stays where it is and nothing is audited.
    post(client, {"encounter": "ACC-001", "text": "Sodium 130."}, api_token)
    post(client, {"encounter": "ACC-001", "text": "Sodium 131.", "unit": "CCU"}, api_token)
    encounter.refresh_from_db()
    assert encounter.unit == "CCU"
    assert AuditEvent.objects.filter(action="encounter.updated").count() == 1


def test_the_unit_must_be_a_short_string(client, encounter, api_token):
    assert post(client, {"encounter": "ACC-001", "text": "x", "unit": 4}, api_token).status_code == 400
    response = post(client, {"encounter": "ACC-001", "text": "x", "unit": "W" * 101}, api_token)
    assert response.status_code == 400
    assert "'unit' is longer than 100" in response.json()["error"]
