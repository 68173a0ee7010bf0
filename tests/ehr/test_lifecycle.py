from __future__ import annotations

from cdi.models import AuditEvent, Gap, Note
from tests.ehr.conftest import bundle, document, encounter, patient

URL = "/fhir/DocumentReference"


def add_gap(note: Note, condition: str, status: str = Gap.Status.OPEN) -> Gap:
    return Gap.objects.create(
        note=note,
        encounter=note.encounter,
        category="specificity",
        condition=condition,
        confidence=0.9,
        status=status,
    )


def test_a_replacing_document_supersedes_the_old_note_and_its_open_gaps(
    fhir_post, registered, django_capture_on_commit_callbacks
):
    fhir_post(URL, document())
    old = Note.objects.get()
    open_gap = add_gap(old, "hyponatremia")
    queried = add_gap(old, "malnutrition", Gap.Status.QUERIED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = fhir_post(
            URL, document(did="doc-2", text="Amended: sodium 128, hyponatremia.", replaces="doc-1")
        )
    assert response.status_code == 201, response.content
    new = Note.objects.get(external_id="DocumentReference/doc-2")
    old.refresh_from_db()
    assert (old.doc_status, new.doc_status, new.supersedes) == ("superseded", "current", old)
    assert Gap.objects.get(pk=open_gap.pk).status == "superseded"
    # A gap already queried carries a human decision; the EHR's replacement does not erase it.
    assert Gap.objects.get(pk=queried.pk).status == "queried"
    assert len(callbacks) == 1  # the new note is analysed
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"note.doc_status_changed", "note.supersedes", "gap.superseded"} <= actions


def test_resending_the_replacement_changes_nothing(fhir_post, registered):
    fhir_post(URL, document())
    fhir_post(URL, document(did="doc-2", text="Amended.", replaces="doc-1"))
    events = AuditEvent.objects.count()
    assert fhir_post(URL, document(did="doc-2", text="Amended.", replaces="doc-1")).status_code == 200
    assert AuditEvent.objects.count() == events
    assert Note.objects.count() == 2


def test_entered_in_error_withdraws_the_note_and_its_open_gaps(
    fhir_post, registered, django_capture_on_commit_callbacks
):
    fhir_post(URL, document())
    note = Note.objects.get()
    gap = add_gap(note, "hyponatremia")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = fhir_post(URL, document(status="entered-in-error"))
    assert response.status_code == 200
    note.refresh_from_db()
    gap.refresh_from_db()
    assert note.doc_status == "entered-in-error"
    assert (gap.status, gap.dismiss_reason) == ("dismissed", "entered-in-error")
    assert callbacks == []
    event = AuditEvent.objects.get(action="gap.dismissed")
    assert event.actor_label == "client:test-ehr"
    assert event.after["dismiss_reason"] == "entered-in-error"


def test_status_is_stored_as_given(fhir_post, registered):
    fhir_post(URL, document(status="superseded"))
    assert Note.objects.get().doc_status == "superseded"


def test_a_replacement_must_be_for_the_same_patient(fhir_post, registered):
    fhir_post("/fhir", bundle([patient("pat-2", "MRN-FHIR-2"), encounter("enc-2", "pat-2", "ACCT-FHIR-2")]))
    fhir_post(URL, document())
    response = fhir_post(URL, document(did="doc-9", eid="enc-2", pid="pat-2", replaces="doc-1"))
    assert response.status_code == 422
    assert "another patient" in response.json()["issue"][0]["diagnostics"]
    assert Note.objects.get().doc_status == "current"


def test_a_bundle_may_carry_a_note_and_its_replacement_in_any_order(fhir_post, registered):
    replacement = document(did="doc-2", text="Amended.", replaces="doc-1")
    response = fhir_post("/fhir", bundle([replacement, document()]))
    assert response.status_code == 200, response.content
    old = Note.objects.get(external_id="DocumentReference/doc-1")
    new = Note.objects.get(external_id="DocumentReference/doc-2")
    assert (old.doc_status, new.supersedes) == ("superseded", old)
