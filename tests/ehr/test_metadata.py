from __future__ import annotations

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from ehr.parsing import SUPPORTED_TYPES


def test_the_capability_statement_needs_no_token_and_validates(client, db):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.0.1"
    rest = statement.rest[0]
    assert {r.type for r in rest.resource} == {*SUPPORTED_TYPES, "Binary", "Communication"}
    assert sorted(i.code for i in rest.interaction) == ["batch", "transaction"]
    interactions = {r.type: [i.code for i in (r.interaction or [])] for r in rest.resource}
    # Notes can be created directly; queries and coded diagnoses are read back by search; the rest come in Bundles.
    assert {t: codes for t, codes in interactions.items() if codes} == {
        "DocumentReference": ["create"],
        "Communication": ["search-type"],
        "Condition": ["search-type"],
    }


def test_metadata_is_read_only(client, db):
    assert client.post("/fhir/metadata").status_code == 405
