"""Queries go back to the EHR as FHIR Communications; coded diagnoses as Conditions."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.condition import Condition

from cdi import querying
from cdi.models import Query, QueryVersion
from tests.conftest import make_gap


def sent_query(cast, encounter) -> Query:
    gap = make_gap(encounter)
    query = Query.objects.create(
        gap=gap, encounter=encounter, addressed_to=cast.provider, created_by=cast.specialist
    )
    QueryVersion.objects.create(
        query=query,
        number=1,
        format="multiple_choice",
        purpose="specificity",
        question="Please clarify the type and acuity of the heart failure.",
        indicators=["'ejection fraction 25%' — echo 11/02"],
        options=[
            "Acute on chronic systolic (HFrEF) heart failure",
            "Other (please specify)",
            "Clinically undetermined",
        ],
        created_by=cast.specialist,
    )
    querying.send_query(query, cast.specialist)
    return query


def get(client, path: str, token: str):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_sent_query_reads_back_as_a_valid_communication_and_its_answer_responds_to_it(
    client, cast, encounter, api_token
):
    query = sent_query(cast, encounter)
    response = get(client, "/fhir/Communication?encounter=ACC-001", api_token)
    assert response.status_code == 200
    bundle = Bundle.model_validate(response.json())
    [entry] = bundle.entry
    sent = Communication.model_validate(entry.resource.model_dump())
    assert sent.status == "in-progress"
    assert "ejection fraction 25%" in sent.payload[0].contentString
    assert sent.recipient[0].identifier.value == cast.provider.npi

    querying.answer_query(
        query,
        "Acute on chronic systolic (HFrEF) heart failure",
        "",
        "IV diuresis",
        cast.provider,
        via_link=True,
    )
    bundle = Bundle.model_validate(
        get(client, f"/fhir/Communication?encounter=Encounter/local-{encounter.pk}", api_token).json()
    )
    first, answer = (Communication.model_validate(e.resource.model_dump()) for e in bundle.entry)
    assert first.status == "completed"
    assert answer.inResponseTo[0].reference == f"Communication/{first.id}"
    assert answer.payload[0].contentString.startswith("Acute on chronic systolic")


def test_drafts_are_not_published(client, cast, encounter, api_token):
    gap = make_gap(encounter)
    Query.objects.create(gap=gap, encounter=encounter, addressed_to=cast.provider, created_by=cast.specialist)
    assert get(client, "/fhir/Communication?encounter=ACC-001", api_token).json()["total"] == 0


def test_coded_diagnoses_read_back_as_valid_conditions(client, encounter, api_token):
    encounter.principal_diagnosis = "J151"
    encounter.secondary_diagnoses = ["E871"]
    encounter.save(update_fields=("principal_diagnosis", "secondary_diagnoses"))
    bundle = Bundle.model_validate(get(client, "/fhir/Condition?encounter=ACC-001", api_token).json())
    conditions = [Condition.model_validate(e.resource.model_dump()) for e in bundle.entry]
    assert [c.code.coding[0].code for c in conditions] == ["J15.1", "E87.1"]


def test_searches_need_a_token_and_a_known_encounter(client, encounter, api_token):
    assert client.get("/fhir/Communication?encounter=ACC-001").status_code == 401
    missing = get(client, "/fhir/Communication?encounter=NOPE", api_token)
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"
    assert get(client, "/fhir/Condition", api_token).status_code == 400


def test_the_capability_statement_lists_the_searches(client, db):
    statement = CapabilityStatement.model_validate(client.get("/fhir/metadata").json())
    by_type = {r.type: r for r in statement.rest[0].resource}
    assert {i.code for i in by_type["Communication"].interaction} == {"search-type"}
    assert "search-type" in {i.code for i in by_type["Condition"].interaction}
