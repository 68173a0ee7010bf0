"""Random and malformed bodies against the FHIR endpoints: an OperationOutcome with a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdi.models import AuditEvent, Note

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
resource_types = st.sampled_from(
    ["DocumentReference", "Bundle", "Patient", "Encounter", "Observation", "Condition", "Binary", "Nope", ""]
)
resources = st.builds(
    lambda rt, extra: {"resourceType": rt, **extra},
    resource_types,
    st.dictionaries(
        st.sampled_from(
            ["id", "status", "type", "subject", "content", "entry", "identifier", "relatesTo", "context"]
        ),
        json_values,
        max_size=5,
    ),
)
fuzz = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def consistent() -> None:
    created = set(AuditEvent.objects.filter(action="note.created").values_list("object_id", flat=True))
    assert {str(pk) for pk in Note.objects.values_list("pk", flat=True)} == created


@pytest.mark.django_db
@fuzz
@given(body=resources, path=st.sampled_from(["/fhir", "/fhir/DocumentReference"]))
def test_random_resources_get_an_outcome_not_a_server_error(client, api_token, body, path):
    response = client.post(
        path, json.dumps(body), content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {api_token}"
    )
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["resourceType"] == "OperationOutcome"
    consistent()


@pytest.mark.django_db
@fuzz
@given(raw=st.binary(max_size=300), path=st.sampled_from(["/fhir", "/fhir/DocumentReference"]))
def test_raw_bytes_get_an_outcome_not_a_server_error(client, api_token, raw, path):
    response = client.generic(
        "POST", path, raw, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {api_token}"
    )
    assert 400 <= response.status_code < 500
    consistent()
