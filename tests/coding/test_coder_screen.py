from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cdi.models import AuditEvent, Note
from coding import workflow
from coding.models import CodeSuggestion, EncounterCoding
from coding.ranking import LexicalRanker
from tests.conftest import PASSWORD

NOTE_TEXT = (
    "DISCHARGE SUMMARY\n"
    "DISCHARGE DIAGNOSES:\n"
    "1. Community-acquired pneumonia.\n"
    "2. Acute kidney injury.\n"
    "3. Hypertension.\n"
    "4. Hyperlipidemia.\n"
    "HOSPITAL COURSE: Treated with ceftriaxone; creatinine improved with fluids.\n"
)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def suggested(encounter, monkeypatch):
    # The lexical path, whatever runtimes this machine has built: the assertions are about the flow.
    monkeypatch.setattr(workflow, "default_ranker", LexicalRanker)
    monkeypatch.setattr(workflow, "default_retriever", lambda: None)
    Note.objects.create(encounter=encounter, note_type="Discharge summary", text=NOTE_TEXT, source="api")
    assert workflow.request_suggestions(encounter, None)
    assert workflow.suggest_for_encounter(encounter.id) == "suggested"
    return encounter


def test_the_task_is_idempotent_and_claims_only_requested_runs(suggested):
    first = list(suggested.code_suggestions.values_list("code", flat=True))
    assert first[0] == "J18.9"
    assert {"N17.9", "I10"} <= set(first)
    assert workflow.suggest_for_encounter(suggested.id) == "skipped"
    assert list(suggested.code_suggestions.values_list("code", flat=True)) == first
    coding = EncounterCoding.objects.get(encounter=suggested)
    assert coding.status == EncounterCoding.Status.READY
    # A discharge summary: discharge day management, time not documented.
    assert coding.em_level["code"] == "99238" and coding.em_level["visit"] == "discharge"


def test_the_task_skips_an_encounter_never_requested(encounter):
    assert workflow.suggest_for_encounter(encounter.id) == "skipped"


def test_evidence_offsets_index_the_stored_note(suggested):
    note = suggested.notes.get()
    for suggestion in suggested.code_suggestions.all():
        assert suggestion.evidence and suggestion.why
        for item in suggestion.evidence:
            assert note.text[item["start"] : item["end"]] == item["text"]


@pytest.mark.parametrize("role", ["specialist", "physician", "finance", "outsider"])
def test_other_roles_get_403(cast, suggested, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("coding-screen", args=[suggested.id])).status_code == 403
    suggestion = suggested.code_suggestions.first()
    assert client.post(reverse("coding-action", args=[suggestion.id, "accept"])).status_code == 403
    assert client.post(reverse("coding-complete", args=[suggested.id])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(suggested):
    response = Client().get(reverse("coding-screen", args=[suggested.id]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ["coder", "admin"])
def test_coders_and_admins_see_the_screen_with_evidence(cast, suggested, role):
    response = client_for(getattr(cast, role)).get(reverse("coding-screen", args=[suggested.id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "J18.9" in body and "Community-acquired pneumonia" in body
    assert '<mark class="evidence"' in body
    assert "99238" in body  # the E/M suggestion with its MDM elements


def test_the_full_coder_flow(cast, suggested):
    client = client_for(cast.coder)
    rows = {s.code: s for s in suggested.code_suggestions.all()}
    url = lambda s, action: reverse("coding-action", args=[s.id, action])  # noqa: E731

    # Accept the principal (htmx: the panel comes back, with the DRG).
    response = client.post(url(rows["J18.9"], "accept"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="codes-panel"' in response.content.decode()
    suggested.refresh_from_db()
    assert suggested.principal_diagnosis == "J189"
    drg_without_cc = suggested.working_drg
    assert drg_without_cc

    # Accept AKI (a CC): the working DRG moves.
    client.post(url(rows["N17.9"], "accept"), HTTP_HX_REQUEST="true")
    suggested.refresh_from_db()
    assert suggested.secondary_diagnoses == ["N179"]
    assert suggested.working_drg != drg_without_cc

    # Edit hypertension to a code that needs a 7th character: refused with a reason.
    response = client.post(url(rows["I10"], "edit"), {"code": "S72.001"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "7th character" in response.content.decode()
    # Edit to a valid code: accepted, the original kept.
    client.post(url(rows["I10"], "edit"), {"code": "I16.0"})
    edited = CodeSuggestion.objects.get(pk=rows["I10"].pk)
    assert (edited.code, edited.original_code, edited.status) == ("I16.0", "I10", "accepted")

    # Reject the rest (form fallback: a redirect back to the screen).
    assert "E78.5" in rows
    for code, row in rows.items():
        if code not in ("J18.9", "N17.9", "I10"):
            response = client.post(url(row, "reject"))
            assert response.status_code == 302

    # Search by words and by code, then add.
    search = client.get(
        reverse("coding-search", args=[suggested.id]), {"q": "hyponatremia"}, HTTP_HX_REQUEST="true"
    )
    assert "E87.1" in search.content.decode()
    search = client.get(reverse("coding-search", args=[suggested.id]), {"q": "E87.1"}, HTTP_HX_REQUEST="true")
    assert "Hypo-osmolality and hyponatremia" in search.content.decode()
    client.post(reverse("coding-add", args=[suggested.id]), {"code": "E871"}, HTTP_HX_REQUEST="true")
    added = CodeSuggestion.objects.get(encounter=suggested, code="E87.1")
    assert added.origin == "coder" and added.status == "accepted"
    suggested.refresh_from_db()
    assert suggested.secondary_diagnoses == ["N179", "I160", "E871"]

    # Complete: who and when are recorded; further changes are refused.
    client.post(reverse("coding-complete", args=[suggested.id]))
    coding = EncounterCoding.objects.get(encounter=suggested)
    assert coding.status == "complete" and coding.completed_by == cast.coder and coding.completed_at
    response = client.post(url(rows["J18.9"], "reject"), HTTP_HX_REQUEST="true")
    assert response.status_code == 409

    actions = set(AuditEvent.objects.filter(actor=cast.coder).values_list("action", flat=True))
    assert {
        "coding.accept",
        "coding.edit",
        "coding.reject",
        "coding.add",
        "coding.complete",
        "coding.encounter_codes",
    } <= actions
    accept = AuditEvent.objects.filter(action="coding.accept").first()
    assert accept.before["status"] == "pending" and accept.after["status"] == "accepted"


def test_completing_needs_every_suggestion_decided(cast, suggested):
    response = client_for(cast.coder).post(
        reverse("coding-complete", args=[suggested.id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert EncounterCoding.objects.get(encounter=suggested).status == "ready"


def test_adding_an_unknown_or_category_code_is_refused(cast, suggested):
    client = client_for(cast.coder)
    for raw in ("XYZ", "I50"):
        response = client.post(
            reverse("coding-add", args=[suggested.id]), {"code": raw}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 409
    assert not CodeSuggestion.objects.filter(encounter=suggested, origin="coder").exists()


def test_the_suggest_button_requests_a_run_on_commit(
    cast, encounter, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("coding.tasks.suggest_codes.apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.coder).post(reverse("coding-suggest", args=[encounter.id]))
    assert response.status_code == 302
    assert sent == [(encounter.id,)]
    assert EncounterCoding.objects.get(encounter=encounter).status == "requested"


def test_post_without_csrf_token_is_refused(cast, suggested):
    client = Client(enforce_csrf_checks=True)
    client.login(username=cast.coder.username, password=PASSWORD)
    suggestion = suggested.code_suggestions.first()
    assert client.post(reverse("coding-action", args=[suggestion.id, "accept"])).status_code == 403


def test_a_stale_run_can_be_requested_again(encounter):
    assert workflow.request_suggestions(encounter, None)
    EncounterCoding.objects.filter(encounter=encounter).update(status="running")
    assert not workflow.request_suggestions(encounter, None)  # a live run is left alone
    EncounterCoding.objects.filter(encounter=encounter).update(
        requested_at=timezone.now() - workflow.STALE_RUN - dt.timedelta(minutes=1)
    )
    assert workflow.request_suggestions(encounter, None)
    assert EncounterCoding.objects.get(encounter=encounter).status == "requested"
