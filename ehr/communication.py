"""Queries out to the EHR as FHIR: each sent query a Communication (in progress until answered),
each answer a Communication in response to it; the encounter's coded diagnoses as Conditions."""

from __future__ import annotations

from cdi.impact import dotted
from cdi.models import Encounter, Query

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"


def _ref(kind: str, fhir_id: str, pk: int) -> dict:
    return {"reference": f"{kind}/{fhir_id or f'local-{pk}'}"}


def _practitioner(provider) -> dict:
    ref = _ref("Practitioner", provider.fhir_id, provider.pk)
    ref["identifier"] = {"system": NPI, "value": provider.npi}
    ref["display"] = provider.name
    return ref


def query_resources(query: Query) -> list[dict]:
    """The query (and its answer, once there is one) as R4 Communication resources."""
    version = query.current_version
    encounter = query.encounter
    patient = encounter.patient
    lines = ["Clinical indicators:", *(f"- {i}" for i in version.indicators), "", version.question]
    if version.options:
        lines += ["", "Options:", *(f"{n}. {o}" for n, o in enumerate(version.options, start=1))]
    resources = [
        {
            "resourceType": "Communication",
            "id": f"cdi-query-{query.pk}",
            "identifier": [{"system": "urn:cdi-assist:query", "value": str(query.pk)}],
            "status": "completed" if query.status == Query.Status.ANSWERED else "in-progress",
            "category": [{"text": "Clinical documentation query"}],
            "subject": _ref("Patient", patient.fhir_id, patient.pk),
            "encounter": _ref("Encounter", encounter.fhir_id, encounter.pk),
            "sent": query.sent_at.isoformat(),
            "recipient": [_practitioner(query.addressed_to)],
            "payload": [{"contentString": "\n".join(lines)}],
            "note": [{"text": f"Query version {version.number}; {query.gap.category}/{query.gap.condition}"}],
        }
    ]
    response = getattr(query, "response", None)
    if response is not None:
        answer = response.choice + (f": {response.other_text}" if response.other_text else "")
        payload = [{"contentString": answer}]
        if response.comment:
            payload.append({"contentString": f"Comment: {response.comment}"})
        resources.append(
            {
                "resourceType": "Communication",
                "id": f"cdi-query-{query.pk}-response",
                "status": "completed",
                "inResponseTo": [{"reference": f"Communication/cdi-query-{query.pk}"}],
                "subject": _ref("Patient", patient.fhir_id, patient.pk),
                "encounter": _ref("Encounter", encounter.fhir_id, encounter.pk),
                "sent": response.responded_at.isoformat(),
                "sender": _practitioner(response.responder),
                "payload": payload,
            }
        )
    return resources


def condition_resources(encounter: Encounter) -> list[dict]:
    """The encounter's coded diagnoses (principal first), as the coder accepted them."""
    codes = [encounter.principal_diagnosis, *(encounter.secondary_diagnoses or [])]
    patient = encounter.patient
    out = []
    for rank, code in enumerate(c for c in codes if c):
        code_text = code if isinstance(code, str) else code[0]
        out.append(
            {
                "resourceType": "Condition",
                "id": f"cdi-enc-{encounter.pk}-dx-{rank}",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "verificationStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "confirmed",
                        }
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                "code": "encounter-diagnosis",
                            }
                        ]
                    }
                ],
                "code": {"coding": [{"system": ICD10CM, "code": dotted(code_text)}]},
                "subject": _ref("Patient", patient.fhir_id, patient.pk),
                "encounter": _ref("Encounter", encounter.fhir_id, encounter.pk),
                "note": [{"text": "principal diagnosis" if rank == 0 else "secondary diagnosis"}],
            }
        )
    return out


def searchset(resources: list[dict], base_url: str) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


def find_encounter(param: str) -> Encounter | None:
    """`encounter` search parameter: Encounter/<FHIR id>, Encounter/local-<pk>, or an account number."""
    value = param.removeprefix("Encounter/")
    if not value:
        return None
    if value.startswith("local-") and value[6:].isdigit():
        return Encounter.objects.filter(pk=int(value[6:])).first()
    return (
        Encounter.objects.filter(fhir_id=value).first()
        or Encounter.objects.filter(account_number=value).first()
    )
