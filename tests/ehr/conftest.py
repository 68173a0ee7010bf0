"""Small FHIR resources built in code (no shared data), and a client that posts them with a token."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from fhir.resources.R4B import get_fhir_model_class

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
MR_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}
NOTE_TEXT = "Sodium 128 mmol/L on admission. Assessment: weakness.\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def patient(pid: str = "pat-1", mrn: str = "MRN-FHIR-1") -> dict:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"type": MR_TYPE, "system": "urn:mrn", "value": mrn}],
        "name": [{"family": "Test", "given": ["Pat"]}],
        "gender": "female",
        "birthDate": "1950-02-03",
    }


def practitioner(pid: str = "prac-1", npi: str = "1999999999") -> dict:
    return {
        "resourceType": "Practitioner",
        "id": pid,
        "identifier": [{"system": NPI_SYSTEM, "value": npi}],
        "name": [{"family": "Attending", "given": ["Ann"], "prefix": ["Dr."]}],
    }


def encounter(eid: str = "enc-1", pid: str = "pat-1", account: str = "ACCT-FHIR-1") -> dict:
    return {
        "resourceType": "Encounter",
        "id": eid,
        "identifier": [{"system": "urn:acct", "value": account}],
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": f"Patient/{pid}"},
        "participant": [
            {
                "type": [{"coding": [{"code": "ATND"}]}],
                "individual": {"reference": f"Practitioner?identifier={NPI_SYSTEM}|1999999999"},
            }
        ],
        "period": {"start": "2024-03-01T08:00:00Z", "end": "2024-03-04T12:00:00Z"},
    }


def document(
    did: str = "doc-1",
    text: str = NOTE_TEXT,
    status: str = "current",
    eid: str = "enc-1",
    pid: str = "pat-1",
    replaces: str | None = None,
) -> dict:
    doc = {
        "resourceType": "DocumentReference",
        "id": did,
        "identifier": [{"system": "urn:doc", "value": f"urn:{did}"}],
        "status": status,
        "type": {
            "coding": [
                {"system": "http://loinc.org", "code": "34117-2", "display": "History and physical note"}
            ]
        },
        "subject": {"reference": f"Patient/{pid}"},
        "date": "2024-03-01T09:00:00Z",
        "author": [{"reference": f"Practitioner?identifier={NPI_SYSTEM}|1999999999"}],
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": b64(text)}}],
        "context": {"encounter": [{"reference": f"Encounter/{eid}"}]},
    }
    if replaces:
        doc["relatesTo"] = [{"code": "replaces", "target": {"reference": f"DocumentReference/{replaces}"}}]
    return doc


def condition(cid: str = "cond-1", eid: str = "enc-1") -> dict:
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "verificationStatus": {"coding": [{"code": "confirmed"}]},
        "code": {
            "coding": [
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E87.1", "display": "Hyponatremia"}
            ]
        },
        "subject": {"reference": "Patient/pat-1"},
        "encounter": {"reference": f"Encounter/{eid}"},
    }


def observation(oid: str = "obs-1", value: float = 128) -> dict:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2", "display": "Sodium"}]},
        "subject": {"reference": "Patient/pat-1"},
        "encounter": {"reference": "Encounter/enc-1"},
        "effectiveDateTime": "2024-03-01T10:00:00Z",
        "valueQuantity": {"value": value, "unit": "mmol/L"},
    }


def blood_pressure(oid: str = "bp-1") -> dict:
    def component(code: str, value: int) -> dict:
        return {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {"value": value, "unit": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]
        },
        "subject": {"reference": "Patient/pat-1"},
        "encounter": {"reference": "Encounter/enc-1"},
        "effectiveDateTime": "2024-03-01T11:00:00Z",
        "component": [component("8480-6", 82), component("8462-4", 44)],
    }


def medication(mid: str = "med-1") -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "313002",
                    "display": "Sodium chloride 0.9% injection",
                }
            ]
        },
        "subject": {"reference": "Patient/pat-1"},
        "encounter": {"reference": "Encounter/enc-1"},
        "dosageInstruction": [{"route": {"text": "intravenous"}}],
    }


def procedure(pid: str = "proc-1") -> dict:
    return {
        "resourceType": "Procedure",
        "id": pid,
        "status": "completed",
        "code": {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "5880005", "display": "Physical examination"}
            ]
        },
        "subject": {"reference": "Patient/pat-1"},
        "encounter": {"reference": "Encounter/enc-1"},
        "performedDateTime": "2024-03-01T09:30:00Z",
    }


def bundle(resources: list[dict], bundle_type: str = "transaction") -> dict:
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [
            {
                "fullUrl": f"urn:uuid:{r['resourceType']}-{r.get('id', i)}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for i, r in enumerate(resources)
        ],
    }


def assert_valid_fhir(body: dict) -> None:
    """The body parses as the R4 resource it claims to be (fhir.resources R4B)."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)


@pytest.fixture
def fhir_post(client, api_token) -> Callable:
    def post(path: str, body, token: str | None = "default", content_type: str = "application/fhir+json"):
        headers = {}
        if token == "default":
            token = api_token
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return client.post(path, data=data, content_type=content_type, **headers)

    return post


@pytest.fixture
def registered(fhir_post) -> None:
    """Patient, practitioner and encounter of the default resources, sent as a transaction."""
    response = fhir_post("/fhir", bundle([patient(), practitioner(), encounter()]))
    assert response.status_code == 200, response.content
