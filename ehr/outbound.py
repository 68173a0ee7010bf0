"""FHIR resources the server sends: OperationOutcome, Bundle responses and its CapabilityStatement.

Queries as Communication/CommunicationRequest and accepted codes as Condition belong here too, as
functions from the query models to resource dicts, once those models exist."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from .parsing import SUPPORTED_TYPES

FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"
REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
}


@dataclass(frozen=True)
class EntryResponse:
    """One entry of a transaction-response or batch-response Bundle."""

    status: int
    location: str = ""
    outcome: dict | None = None

    def as_entry(self) -> dict:
        response: dict = {"status": f"{self.status} {REASONS.get(self.status, '')}".strip()}
        if self.location:
            response["location"] = self.location
        if self.outcome is not None:
            response["outcome"] = self.outcome
        return {"response": response}


def operation_outcome(
    diagnostics: str, code: str = "invalid", expression: str = "", severity: str = "error"
) -> dict:
    issue: dict = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def response_bundle(bundle_type: str, entries: list[EntryResponse]) -> dict:
    return {
        "resourceType": "Bundle",
        "id": uuid.uuid4().hex,
        "type": f"{bundle_type}-response",
        "timestamp": now_iso(),
        "entry": [entry.as_entry() for entry in entries],
    }


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


BUNDLE_ONLY_DOC = "Accepted inside a transaction or batch Bundle posted to the base URL; create or update, keyed by id or identifier."


def capability_statement(base_url: str, max_bytes: int) -> dict:
    """What the server supports, and nothing more: the Bundle types, one direct create, the resource types."""
    resources = []
    for resource_type in SUPPORTED_TYPES:
        resource: dict = {"type": resource_type, "documentation": BUNDLE_ONLY_DOC}
        if resource_type == "DocumentReference":
            resource["interaction"] = [
                {
                    "code": "create",
                    "documentation": "POST [base]/DocumentReference; text/plain content as attachment.data "
                    "(base64). status current | superseded | entered-in-error is stored as given; relatesTo "
                    "code replaces supersedes the target note.",
                }
            ]
            resource["documentation"] = (
                "Plain-text clinical notes. Also accepted in Bundles, where attachment.url may name a Binary "
                "of the same Bundle."
            )
        resources.append(resource)
    for resource_type, documentation in (
        (
            "Communication",
            "Sent physician queries (in-progress until answered) and their answers (inResponseTo).",
        ),
        ("Condition", "Accepted ICD-10-CM diagnoses of an encounter, principal first."),
    ):
        existing = next((r for r in resources if r["type"] == resource_type), None)
        entry = existing or {"type": resource_type}
        entry.setdefault("interaction", []).append({"code": "search-type", "documentation": documentation})
        entry["searchParam"] = [
            {"name": "encounter", "type": "reference", "documentation": "Encounter/<id> or account number"}
        ]
        if existing is None:
            resources.append(entry)
    resources.append(
        {
            "type": "Binary",
            "documentation": "Only as note content inside the same Bundle; not stored or served.",
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now_iso(),
        "publisher": "CDI Assist",
        "kind": "instance",
        "software": {"name": "CDI Assist FHIR intake"},
        "implementation": {"description": "CDI Assist FHIR R4 intake", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "application/json"],
        "rest": [
            {
                "mode": "server",
                "documentation": f"Requests over {max_bytes:,} bytes are refused with 413.",
                "security": {
                    "description": "Every request except GET /metadata needs Authorization: Bearer <token> "
                    "of an integration client."
                },
                "resource": resources,
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "All entries or none, in one database transaction.",
                    },
                    {"code": "batch", "documentation": "Each entry on its own; failures answered per entry."},
                ],
            }
        ],
    }
