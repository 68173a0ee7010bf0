from __future__ import annotations

import json

import pytest
from django.test import override_settings

from cdi.models import AuditEvent, Note
from tests.ehr.conftest import NOTE_TEXT, assert_valid_fhir, b64, document

URL = "/fhir/DocumentReference"


def test_it_creates_a_note_through_intake_audits_it_and_enqueues_analysis(
    fhir_post, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = fhir_post(URL, document())
    assert response.status_code == 201, response.content
    assert response["Location"] == "DocumentReference/doc-1"
    assert response["Content-Type"].startswith("application/fhir+json")
    note = Note.objects.get()
    assert (note.text, note.source, note.doc_status) == (NOTE_TEXT, "fhir", "current")
    assert note.external_id == "DocumentReference/doc-1"
    assert note.author.npi == "1999999999"
    assert note.note_type == "History and physical note"
    assert str(note.service_date) == "2024-03-01"
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="note.created")
    assert event.actor_label == "client:test-ehr"
    assert "text" not in event.after


def test_a_resent_document_creates_nothing_and_enqueues_nothing(
    fhir_post, registered, django_capture_on_commit_callbacks
):
    fhir_post(URL, document())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = fhir_post(URL, document())
    assert again.status_code == 200
    assert again["Location"] == "DocumentReference/doc-1"
    assert Note.objects.count() == 1
    assert callbacks == []


def test_a_document_without_id_is_matched_by_identifier(fhir_post, registered):
    doc = document()
    del doc["id"]
    first = fhir_post(URL, doc)
    second = fhir_post(URL, doc)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first["Location"] == second["Location"]
    assert Note.objects.count() == 1


def test_it_refuses_new_content_under_a_stored_id(fhir_post, registered):
    fhir_post(URL, document())
    response = fhir_post(URL, document(text="Different text."))
    assert response.status_code == 409
    assert "relatesTo" in response.json()["issue"][0]["diagnostics"]
    assert Note.objects.count() == 1


def without(resource: dict, *path: str) -> dict:
    out = json.loads(json.dumps(resource))
    target = out
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return out


def with_value(resource: dict, value, *path) -> dict:
    out = json.loads(json.dumps(resource))
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


INVALID = [
    pytest.param(b'{"resourceType": "DocumentReference", ', 400, "not valid JSON", id="bad-json"),
    pytest.param(b'{"resourceType": "\xff"}', 400, "UTF-8", id="not-utf8"),
    pytest.param([1, 2], 400, "JSON object", id="not-an-object"),
    pytest.param({"status": "current"}, 400, "no resourceType", id="no-resource-type"),
    pytest.param(
        {"resourceType": "Patient", "id": "x"}, 400, "Expected a DocumentReference", id="wrong-type"
    ),
    pytest.param(with_value(document(), "bogus", "status"), 422, "DocumentReference.status", id="bad-status"),
    pytest.param(
        with_value(document(), "!!notbase64", "content", 0, "attachment", "data"),
        422,
        "DocumentReference.content[0].attachment.data",
        id="bad-base64",
    ),
    pytest.param(
        with_value(document(), 7, "unknownElement"), 422, "DocumentReference.unknownElement", id="extra"
    ),
    pytest.param(
        without(document(), "subject"), 422, "DocumentReference.subject is required", id="no-subject"
    ),
    pytest.param(
        with_value(document(), True, "subject"), 422, "DocumentReference.subject", id="subject-wrong-type"
    ),
    pytest.param(without(document(), "context"), 422, "context.encounter is required", id="no-encounter"),
    pytest.param(
        with_value(document(), {"reference": "Encounter/nope"}, "context", "encounter", 0),
        422,
        "context.encounter does not name a known Encounter",
        id="unknown-encounter",
    ),
    pytest.param(
        with_value(document(), {"reference": "Patient/nope"}, "subject"),
        422,
        "subject does not name a known Patient",
        id="unknown-patient",
    ),
    pytest.param(
        with_value(document(), b64("   \n"), "content", 0, "attachment", "data"),
        422,
        "empty",
        id="empty-note",
    ),
    pytest.param(
        with_value(document(), "application/pdf", "content", 0, "attachment", "contentType"),
        415,
        "text/plain",
        id="pdf",
    ),
    pytest.param(
        with_value(document(), {"contentType": "text/plain", "url": "Binary/b1"}, "content", 0, "attachment"),
        422,
        "Binary in the same Bundle",
        id="binary-outside-bundle",
    ),
    pytest.param(
        document(replaces="unknown"),
        422,
        "relatesTo[0].target does not name a known DocumentReference",
        id="replaces-unknown",
    ),
]


@pytest.mark.parametrize(("body", "status", "diagnostic"), INVALID)
def test_it_answers_each_invalid_document_with_an_operation_outcome(
    fhir_post, registered, body, status, diagnostic
):
    response = fhir_post(URL, body)
    assert response.status_code == status, response.content
    outcome = response.json()
    assert_valid_fhir(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert diagnostic in outcome["issue"][0]["diagnostics"]
    assert not Note.objects.exists()


def test_it_names_the_element_in_the_outcome_expression(fhir_post, registered):
    body = with_value(document(), "!!notbase64", "content", 0, "attachment", "data")
    issue = fhir_post(URL, body).json()["issue"][0]
    assert issue["expression"] == ["DocumentReference.content[0].attachment.data"]
    assert "notbase64" not in json.dumps(issue)


def test_it_rejects_other_content_types_with_415(fhir_post, registered):
    response = fhir_post(URL, json.dumps(document()), content_type="text/plain")
    assert response.status_code == 415
    assert_valid_fhir(response.json())


def test_it_accepts_plain_application_json(fhir_post, registered):
    assert fhir_post(URL, document(), content_type="application/json").status_code == 201


@override_settings(FHIR_MAX_BYTES=2_000)
def test_it_rejects_an_oversize_request_with_413(fhir_post, registered):
    response = fhir_post(URL, document(text="x" * 5_000))
    assert response.status_code == 413
    assert_valid_fhir(response.json())
    assert not Note.objects.exists()


@override_settings(NOTE_MAX_BYTES=100)
def test_it_rejects_an_oversize_note_with_413(fhir_post, registered):
    response = fhir_post(URL, document(text="y" * 500))
    assert response.status_code == 413
    assert "limit" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_it_rejects_missing_or_bad_tokens_with_401(fhir_post, registered, token):
    response = fhir_post(URL, document(), token=token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_valid_fhir(response.json())
    assert not Note.objects.exists()


def test_it_answers_other_methods_with_405(client, api_token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_valid_fhir(response.json())


def test_it_logs_no_phi(fhir_post, registered, caplog):
    with caplog.at_level("DEBUG"):
        fhir_post(URL, document())
        fhir_post(URL, without(document(did="doc-2"), "subject"))
    logged = caplog.text
    for secret in ("Sodium 128", "MRN-FHIR-1", "Pat", "Test"):
        assert secret not in logged
