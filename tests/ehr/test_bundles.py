from __future__ import annotations

from cdi.models import AuditEvent, Encounter, Note, Patient, Provider
from ehr.facts import structured_facts
from ehr.models import DocumentedCondition, MedicationOrder, Observation, PerformedProcedure
from tests.ehr.conftest import (
    NOTE_TEXT,
    assert_valid_fhir,
    b64,
    blood_pressure,
    bundle,
    condition,
    document,
    encounter,
    medication,
    observation,
    patient,
    practitioner,
    procedure,
)


def full_bundle(bundle_type: str = "transaction") -> dict:
    # Deliberately out of order: the note before its encounter, the encounter before its patient.
    return bundle(
        [
            document(),
            encounter(),
            condition(),
            observation(),
            blood_pressure(),
            medication(),
            procedure(),
            practitioner(),
            patient(),
        ],
        bundle_type,
    )


def row_counts() -> tuple[int, ...]:
    return (
        Patient.objects.count(),
        Provider.objects.count(),
        Encounter.objects.count(),
        Note.objects.count(),
        DocumentedCondition.objects.count(),
        Observation.objects.count(),
        MedicationOrder.objects.count(),
        PerformedProcedure.objects.count(),
    )


def test_a_transaction_stores_everything_and_answers_per_entry(fhir_post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = fhir_post("/fhir", full_bundle())
    assert response.status_code == 200, response.content
    body = response.json()
    assert_valid_fhir(body)
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 9
    assert body["entry"][0]["response"]["location"] == "DocumentReference/doc-1"
    assert body["entry"][8]["response"]["location"] == "Patient/pat-1"
    # The blood-pressure panel is one row plus its two components.
    assert row_counts() == (1, 1, 1, 1, 1, 4, 1, 1)
    assert len(callbacks) == 1
    enc = Encounter.objects.get()
    assert (enc.account_number, enc.encounter_class, enc.attending.npi) == (
        "ACCT-FHIR-1",
        "inpatient",
        "1999999999",
    )
    assert Patient.objects.get().mrn == "MRN-FHIR-1"


def test_resending_a_transaction_creates_nothing_new(fhir_post, django_capture_on_commit_callbacks):
    fhir_post("/fhir", full_bundle())
    before = (row_counts(), AuditEvent.objects.count())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = fhir_post("/fhir", full_bundle())
    assert again.status_code == 200
    assert {e["response"]["status"] for e in again.json()["entry"]} == {"200 OK"}
    assert (row_counts(), AuditEvent.objects.count()) == before
    assert callbacks == []


def test_a_failing_transaction_stores_nothing_and_names_the_entry(fhir_post):
    resources = full_bundle()
    bad = condition(cid="cond-bad")
    bad["code"] = {"coding": [{"system": "http://example.org/local", "code": "X"}]}
    resources["entry"].append({"resource": bad, "request": {"method": "POST", "url": "Condition"}})
    response = fhir_post("/fhir", resources)
    assert response.status_code == 422
    issue = response.json()["issue"][0]
    assert issue["diagnostics"].startswith("Bundle.entry[9]")
    assert "ICD-10-CM" in issue["diagnostics"]
    assert row_counts() == (0,) * 8


def test_a_batch_answers_each_entry_and_keeps_the_good_ones(fhir_post):
    resources = full_bundle("batch")
    resources["entry"][2]["resource"].pop("subject")  # the Condition
    response = fhir_post("/fhir", resources)
    assert response.status_code == 200
    body = response.json()
    assert_valid_fhir(body)
    assert body["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses[2] == "422 Unprocessable Entity"
    assert "subject is required" in body["entry"][2]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert statuses.count("201 Created") == 8
    assert Note.objects.count() == 1
    assert not DocumentedCondition.objects.exists()


def test_note_text_may_come_from_a_binary_in_the_same_bundle(fhir_post):
    doc = document()
    doc["content"] = [{"attachment": {"contentType": "text/plain", "url": "urn:uuid:binary-1"}}]
    other = document(did="doc-2", text="unused")
    other["content"] = [{"attachment": {"contentType": "text/plain", "url": "Binary/b2"}}]
    resources = bundle([patient(), practitioner(), encounter(), doc, other])
    resources["entry"].append(
        {
            "fullUrl": "urn:uuid:binary-1",
            "resource": {"resourceType": "Binary", "contentType": "text/plain", "data": b64(NOTE_TEXT)},
        }
    )
    resources["entry"].append(
        {
            "resource": {
                "resourceType": "Binary",
                "id": "b2",
                "contentType": "text/plain",
                "data": b64("Second note."),
            }
        }
    )
    response = fhir_post("/fhir", resources)
    assert response.status_code == 200, response.content
    assert sorted(Note.objects.values_list("text", flat=True)) == sorted([NOTE_TEXT, "Second note."])


def test_references_by_full_url_resolve_within_the_bundle(fhir_post):
    pat = patient()
    del pat["id"]
    enc = encounter()
    enc["subject"] = {"reference": "urn:uuid:the-patient"}
    resources = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:the-encounter",
                "resource": enc,
                "request": {"method": "POST", "url": "Encounter"},
            },
            {
                "fullUrl": "urn:uuid:the-patient",
                "resource": pat,
                "request": {"method": "POST", "url": "Patient"},
            },
        ],
    }
    assert fhir_post("/fhir", resources).status_code == 200
    assert Encounter.objects.get().patient == Patient.objects.get()


def test_a_full_url_of_the_wrong_type_does_not_resolve(fhir_post):
    enc = encounter()
    enc["subject"] = {"reference": "urn:uuid:Practitioner-prac-1"}
    response = fhir_post("/fhir", bundle([practitioner(), enc]))
    assert response.status_code == 422
    assert "Encounter.subject does not name a known Patient" in response.json()["issue"][0]["diagnostics"]


def test_it_rejects_what_is_not_a_transaction_or_batch(fhir_post):
    not_bundle = fhir_post("/fhir", patient())
    assert not_bundle.status_code == 400
    assert_valid_fhir(not_bundle.json())
    collection = fhir_post("/fhir", {"resourceType": "Bundle", "type": "collection", "entry": []})
    assert collection.status_code == 422
    unsupported = fhir_post("/fhir", bundle([{"resourceType": "Immunization", "id": "i"}]))
    assert unsupported.status_code == 422
    assert "not supported" in unsupported.json()["issue"][0]["diagnostics"]
    delete = bundle([patient()])
    delete["entry"][0]["request"]["method"] = "DELETE"
    assert fhir_post("/fhir", delete).status_code == 422
    assert fhir_post("/fhir", b"{", content_type="application/fhir+json").status_code == 400
    assert fhir_post("/fhir/", full_bundle()).status_code == 200


def test_structured_facts_list_what_the_ehr_sent_for_the_encounter(fhir_post):
    fhir_post("/fhir", full_bundle())
    facts = structured_facts(Encounter.objects.get())
    assert [(o.loinc_code, o.value, o.unit) for o in facts.observations] == [
        ("2951-2", 128.0, "mmol/L"),
        ("85354-9", None, ""),
        ("8480-6", 82.0, "mm[Hg]"),
        ("8462-4", 44.0, "mm[Hg]"),
    ]
    assert [(c.code_system, c.code, c.clinical_status) for c in facts.conditions] == [
        ("icd-10-cm", "E87.1", "active")
    ]
    assert [(m.code, m.route) for m in facts.medications] == [("313002", "intravenous")]
    assert [p.code for p in facts.procedures] == ["5880005"]


def test_a_changed_observation_updates_its_row(fhir_post):
    fhir_post("/fhir", full_bundle())
    response = fhir_post("/fhir", bundle([observation(value=131)]))
    assert response.json()["entry"][0]["response"]["status"] == "200 OK"
    assert Observation.objects.get(loinc_code="2951-2").value == 131.0
    assert AuditEvent.objects.filter(action="observation.updated").count() == 1


ODD_BUNDLES = [
    {"resourceType": "Bundle", "type": "batch", "entry": "not a list"},
    {"resourceType": "Bundle", "type": "batch", "entry": [1, None, "x", {"resource": []}]},
    {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": {"resourceType": 5}}]},
    {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": patient(), "request": "POST"}]},
    {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": dict(observation(), status="x" * 300)}],
    },
    {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": observation(value=1e308 * 10)}]},
    {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": dict(patient(), id="bad id with spaces")}],
    },
    {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": dict(patient(), birthDate="1950-13-45")}],
    },
    {"resourceType": "Bundle"},
    [],
    "Bundle",
]


def test_odd_bundles_get_4xx_or_per_entry_errors_never_500(fhir_post):
    fhir_post("/fhir", bundle([patient(), practitioner(), encounter()]))
    for odd in ODD_BUNDLES:
        response = fhir_post("/fhir", odd)
        assert response.status_code in (200, 400, 422), (odd, response.content)
        body = response.json()
        assert_valid_fhir(body)
        if response.status_code == 200:
            statuses = [e["response"]["status"] for e in body["entry"]]
            assert all(s.startswith("4") for s in statuses), statuses


def test_the_encounter_unit_is_the_ward_of_its_current_location(fhir_post):
    enc = encounter()
    enc["location"] = [
        {
            "location": {"display": "Emergency department"},
            "status": "completed",
            "period": {"start": "2024-03-01T08:00:00Z"},
        },
        {"location": {"display": "Bed 12"}, "status": "active", "physicalType": {"coding": [{"code": "bd"}]}},
        {
            "location": {"display": "4 West"},
            "status": "active",
            "physicalType": {"coding": [{"code": "wa"}]},
            "period": {"start": "2024-03-01T14:00:00Z"},
        },
        {"location": {"reference": "Location/no-display"}, "status": "planned"},
    ]
    response = fhir_post("/fhir", bundle([patient(), practitioner(), enc]))
    assert response.status_code == 200, response.content
    assert Encounter.objects.get().unit == "4 West"
    # The patient moves: the resent Encounter lists the new ward as active.
    enc["location"][2]["status"] = "completed"
    enc["location"].append(
        {"location": {"display": "CCU"}, "status": "active", "physicalType": {"coding": [{"code": "wa"}]}}
    )
    assert fhir_post("/fhir", bundle([patient(), practitioner(), enc])).status_code == 200
    assert Encounter.objects.get().unit == "CCU"
    event = AuditEvent.objects.filter(action="encounter.updated").latest("id")
    assert (event.before["unit"], event.after["unit"]) == ("4 West", "CCU")


def test_an_encounter_without_a_location_keeps_its_unit(fhir_post):
    Encounter.objects.create(
        patient=Patient.objects.create(mrn="MRN-FHIR-1"), account_number="ACCT-FHIR-1", unit="5 East"
    )
    assert fhir_post("/fhir", bundle([patient(), practitioner(), encounter()])).status_code == 200
    assert Encounter.objects.get().unit == "5 East"
