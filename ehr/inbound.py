"""Parsed FHIR resources onto local rows: idempotent by logical id or identifier, every change audited.

Each `accept_*` function takes a dataclass from `parsing` and returns the local row's id and whether it
was created or updated; `accept` wraps them with the key table, so a resend is recognised as unchanged
before any row is touched."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q

from cdi import audit
from cdi.intake import IntakeError, NoteInput, create_note, decode_note_text
from cdi.models import Encounter, Note, Patient, Provider

from . import lifecycle
from .models import (
    DocumentedCondition,
    FhirIdentifier,
    FhirResource,
    MedicationOrder,
    Observation,
    PerformedProcedure,
)
from .parsing import (
    NPI,
    BinaryData,
    ConditionData,
    DocumentData,
    EncounterData,
    FhirError,
    MedicationData,
    ObservationData,
    PatientData,
    PractitionerData,
    ProcedureData,
    ResourceData,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Patient identifiers other than the MRN (SSN, licence, passport) are not needed for matching; not kept.
PATIENT_KEY_TYPES = frozenset({"MR", ""})
TEXT_TYPES = ("", "text/plain")
# Kept out of audit before/after values: the audit trail records that they changed, not what they are.
PRIVATE_FIELDS = frozenset({"name", "birth_date"})


@dataclass(frozen=True)
class Accepted:
    resource_type: str
    fhir_id: str
    local_id: int
    outcome: str


@dataclass
class Resolver:
    """Finds the local row a reference names: resources of the same Bundle first, then the key table."""

    local: dict[str, tuple[str, int]] = field(default_factory=dict)
    binaries: dict[str, BinaryData] = field(default_factory=dict)

    def remember(self, full_url: str, accepted: Accepted) -> None:
        found = (accepted.resource_type, accepted.local_id)
        self.local[f"{accepted.resource_type}/{accepted.fhir_id}"] = found
        if full_url:
            self.local[full_url] = found

    def find(self, ref: str, resource_type: str) -> int | None:
        if not ref:
            return None
        if ref not in self.local:
            # Cached: an import resolves the same Patient and Encounter for thousands of resources.
            local_id = self.look_up(ref, resource_type)
            if local_id is None:
                return None
            self.local[ref] = (resource_type, local_id)
        found_type, local_id = self.local[ref]
        return local_id if found_type == resource_type else None

    def look_up(self, ref: str, resource_type: str) -> int | None:
        if "?identifier=" in ref:
            target, _, token = ref.partition("?identifier=")
            if target != resource_type:
                return None
            system, _, value = token.rpartition("|")
            if resource_type == "Practitioner" and system == NPI:
                return Provider.objects.filter(npi=value).values_list("id", flat=True).first()
            return (
                FhirIdentifier.objects.filter(resource_type=resource_type, system=system, value=value)
                .values_list("resource__local_id", flat=True)
                .first()
            )
        parts = ref.split("/")
        if "_history" in parts:
            parts = parts[: parts.index("_history")]
        if len(parts) < 2 or parts[-2] != resource_type:
            return None
        relative = f"{resource_type}/{parts[-1]}"
        if relative in self.local:
            return self.local[relative][1]
        return (
            FhirResource.objects.filter(resource_type=resource_type, fhir_id=parts[-1])
            .values_list("local_id", flat=True)
            .first()
        )

    def require(self, ref: str, resource_type: str, element: str) -> int:
        found = self.find(ref, resource_type)
        if found is None:
            raise FhirError(
                422,
                f"{element} does not name a known {resource_type}; send the {resource_type} first or in the "
                f"same Bundle.",
                "not-found",
                element,
            )
        return found

    def binary(self, url: str) -> BinaryData | None:
        return self.binaries.get(url)


def accept(data: ResourceData, actor: Any, resolver: Resolver, full_url: str = "") -> Accepted:
    """Store one resource (or recognise it as already stored) and remember it for later references."""
    head = data.head
    key = find_key(data)
    if key is not None and key.content_sha256 == head.sha256:
        accepted = Accepted(head.resource_type, key.fhir_id, key.local_id, UNCHANGED)
    else:
        local_id, outcome = HANDLERS[head.resource_type](data, actor, resolver, key.local_id if key else None)
        if key is None:
            key = FhirResource.objects.create(
                resource_type=head.resource_type,
                fhir_id=head.fhir_id or uuid.uuid4().hex,
                local_id=local_id,
                content_sha256=head.sha256,
            )
        else:
            key.local_id, key.content_sha256 = local_id, head.sha256
            key.save(update_fields=("local_id", "content_sha256", "updated_at"))
        kept = [
            FhirIdentifier(
                resource=key, resource_type=head.resource_type, system=i.system[:255], value=i.value[:255]
            )
            for i in head.identifiers
            if head.resource_type != "Patient" or i.type_code in PATIENT_KEY_TYPES
        ]
        # One statement; an identifier already held (by this or another resource) keeps its owner.
        FhirIdentifier.objects.bulk_create(kept, ignore_conflicts=True)
        accepted = Accepted(head.resource_type, key.fhir_id, local_id, outcome)
    resolver.remember(full_url, accepted)
    return accepted


def find_key(data: ResourceData) -> FhirResource | None:
    head = data.head
    if head.fhir_id:
        key = FhirResource.objects.filter(resource_type=head.resource_type, fhir_id=head.fhir_id).first()
        if key is not None:
            return key
    if not head.identifiers:
        return None
    any_identifier = Q()
    for ident in head.identifiers:
        any_identifier |= Q(system=ident.system, value=ident.value)
    match = (
        FhirIdentifier.objects.filter(any_identifier, resource_type=head.resource_type)
        .select_related("resource")
        .order_by("id")
        .first()
    )
    return match.resource if match else None


def save_changes(row: Model, values: dict, actor: Any, action: str) -> bool:
    """Set the changed fields, save only those and audit before/after; False when nothing changed."""
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if not changed:
        return False
    shown = tuple(name for name in changed if name not in PRIVATE_FIELDS)
    before = audit.snapshot(row, shown)
    for name, value in changed.items():
        setattr(row, name, value)
    row.save(update_fields=tuple(changed))
    after = audit.snapshot(row, shown) | {"changed": sorted(changed)}
    audit.record(actor, action, row, before=before, after=after)
    return True


def create_row(model: type[Model], values: dict, actor: Any, action: str) -> Model:
    row = model.objects.create(**values)
    audit.record(
        actor, action, row, after=audit.snapshot(row, tuple(n for n in values if n not in PRIVATE_FIELDS))
    )
    return row


def upsert(model: type[Model], local_id: int | None, values: dict, actor: Any, noun: str) -> tuple[int, str]:
    row = model.objects.filter(pk=local_id).first() if local_id else None
    if row is None:
        return create_row(model, values, actor, f"{noun}.created").pk, CREATED
    changed = save_changes(row, values, actor, f"{noun}.updated")
    return row.pk, UPDATED if changed else UNCHANGED


def accept_patient(
    data: PatientData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = {"mrn": data.mrn, "name": data.name, "birth_date": data.birth_date, "sex": data.sex}
    values["fhir_id"] = data.head.fhir_id[:64]
    if local_id is None:
        # A patient registered before the EHR sent it (same MRN) is the same patient, not a new one.
        local_id = Patient.objects.filter(mrn=data.mrn).values_list("id", flat=True).first()
    elif Patient.objects.filter(mrn=data.mrn).exclude(pk=local_id).exists():
        raise FhirError(
            409, "Patient: the MRN is already held by another patient.", "conflict", "Patient.identifier"
        )
    return upsert(Patient, local_id, values, actor, "patient")


def accept_practitioner(
    data: PractitionerData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = {"npi": data.npi, "name": data.name, "fhir_id": data.head.fhir_id[:64]}
    if local_id is None:
        local_id = Provider.objects.filter(npi=data.npi).values_list("id", flat=True).first()
    elif Provider.objects.filter(npi=data.npi).exclude(pk=local_id).exists():
        raise FhirError(409, "Practitioner: the NPI is already held by another provider.", "conflict")
    return upsert(Provider, local_id, values, actor, "provider")


def accept_encounter(
    data: EncounterData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = {
        "patient_id": resolver.require(data.subject, "Patient", "Encounter.subject"),
        "account_number": data.account_number,
        "encounter_class": data.encounter_class,
        "admitted_at": data.admitted_at,
        "discharged_at": data.discharged_at,
        "attending_id": resolver.find(data.attending, "Practitioner"),
        "fhir_id": data.head.fhir_id[:64],
    }
    if data.service_line:
        values["service_line"] = data.service_line
    if data.unit:
        values["unit"] = data.unit
    if local_id is None:
        existing = Encounter.objects.filter(account_number=data.account_number).first()
        if existing is not None and existing.patient_id != values["patient_id"]:
            raise FhirError(
                409,
                "Encounter: the account number belongs to another patient.",
                "conflict",
                "Encounter.identifier",
            )
        local_id = existing.pk if existing else None
    elif Encounter.objects.filter(account_number=data.account_number).exclude(pk=local_id).exists():
        raise FhirError(409, "Encounter: the account number is held by another encounter.", "conflict")
    return upsert(Encounter, local_id, values, actor, "encounter")


def note_text(data: DocumentData, resolver: Resolver) -> str:
    """The note text from the first plain-text attachment: inline base64 or a Binary of the same Bundle."""
    for index, attachment in enumerate(data.content):
        content_type = attachment.content_type.split(";")[0].strip()
        raw = attachment.data
        where = f"DocumentReference.content[{index}].attachment"
        if raw is None and attachment.url:
            binary = resolver.binary(attachment.url)
            if binary is None:
                raise FhirError(
                    422,
                    f"{where}.url must reference a Binary in the same Bundle (Binary/<id> or its fullUrl); "
                    "the server does not fetch content.",
                    "not-found",
                    f"{where}.url",
                )
            raw = binary.data
            content_type = content_type or binary.content_type.split(";")[0].strip().lower()
        if content_type not in TEXT_TYPES:
            continue
        try:
            return decode_note_text(raw or b"")
        except IntakeError as exc:
            status = exc.status if exc.status in (413, 415) else 422
            raise FhirError(status, f"{where}: {exc.reason}", "invalid", f"{where}.data") from None
    raise FhirError(
        415,
        "DocumentReference.content has no text/plain attachment; only plain-text notes are accepted.",
        "not-supported",
        "DocumentReference.content",
    )


def accept_document(
    data: DocumentData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    patient_id = resolver.require(data.subject, "Patient", "DocumentReference.subject")
    encounter_id = resolver.require(data.encounter, "Encounter", "DocumentReference.context.encounter")
    encounter = Encounter.objects.get(pk=encounter_id)
    if encounter.patient_id != patient_id:
        raise FhirError(
            422,
            "DocumentReference.subject is not the patient of its context.encounter.",
            "invalid",
            "DocumentReference.subject",
        )
    text = note_text(data, resolver)
    targets = []
    for index, ref in enumerate(data.replaces):
        target_id = resolver.require(ref, "DocumentReference", f"DocumentReference.relatesTo[{index}].target")
        target = Note.objects.select_related("encounter").get(pk=target_id)
        if target.encounter.patient_id != patient_id:
            raise FhirError(
                422,
                "DocumentReference.relatesTo: the replaced note is another patient's.",
                "invalid",
                "DocumentReference.relatesTo",
            )
        targets.append(target)

    note = Note.objects.filter(pk=local_id).first() if local_id is not None else None
    if note is not None:
        if note.text_sha256 != hashlib.sha256(text.encode()).hexdigest():
            raise FhirError(
                409,
                "This DocumentReference is already stored with other content; send a new DocumentReference "
                "whose relatesTo replaces it.",
                "conflict",
                "DocumentReference.content",
            )
        outcome = UNCHANGED
    else:
        author_id = next((a for a in (resolver.find(r, "Practitioner") for r in data.authors) if a), None)
        note = create_note(
            NoteInput(
                encounter=encounter,
                text=text,
                note_type=data.note_type,
                service_date=data.service_date,
                author=Provider.objects.filter(pk=author_id).first() if author_id else None,
                external_id=f"DocumentReference/{data.head.fhir_id}" if data.head.fhir_id else "",
                source=Note.Source.FHIR,
            ),
            actor,
        )
        outcome = CREATED
    changed = lifecycle.set_doc_status(note, data.status, actor)
    for target in targets:
        if target.pk != note.pk and (
            note.supersedes_id != target.pk or target.doc_status != Note.DocStatus.SUPERSEDED
        ):
            lifecycle.supersede(target, note, actor)
            changed = True
    return note.pk, outcome if outcome == CREATED or changed else UNCHANGED


def clinical_values(data: Any, resolver: Resolver, element: str) -> dict:
    return {
        "patient_id": resolver.require(data.subject, "Patient", f"{element}.subject"),
        "encounter_id": resolver.require(data.encounter, "Encounter", f"{element}.encounter")
        if data.encounter
        else None,
    }


def accept_condition(
    data: ConditionData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = clinical_values(data, resolver, "Condition") | {
        "code_system": data.code_system,
        "code": data.code,
        "display": data.display,
        "clinical_status": data.clinical_status,
        "verification_status": data.verification_status,
        "recorded_at": data.recorded_at,
    }
    return upsert(DocumentedCondition, local_id, values, actor, "documented_condition")


def accept_procedure(
    data: ProcedureData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = clinical_values(data, resolver, "Procedure") | {
        "code_system": data.code_system,
        "code": data.code,
        "display": data.display,
        "status": data.status,
        "performed_at": data.performed_at,
    }
    return upsert(PerformedProcedure, local_id, values, actor, "performed_procedure")


def accept_medication(
    data: MedicationData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    values = clinical_values(data, resolver, "MedicationRequest") | {
        "code_system": data.code_system,
        "code": data.code,
        "display": data.display,
        "status": data.status,
        "intent": data.intent,
        "route": data.route,
        "authored_at": data.authored_at,
    }
    return upsert(MedicationOrder, local_id, values, actor, "medication_order")


def accept_observation(
    data: ObservationData, actor: Any, resolver: Resolver, local_id: int | None
) -> tuple[int, str]:
    common = clinical_values(data, resolver, "Observation") | {
        "status": data.status,
        "effective_at": data.effective_at,
    }

    def measured(m: Any) -> dict:
        return {
            "loinc_code": m.loinc_code,
            "display": m.display,
            "value": m.value,
            "value_text": m.value_text,
            "unit": m.unit,
        }

    panel_id, outcome = upsert(
        Observation, local_id, common | measured(data.measurement), actor, "observation"
    )
    if outcome != CREATED:
        # Components have no identity of their own; a changed panel replaces them.
        Observation.objects.filter(panel_id=panel_id).delete()
    for component in data.components:
        create_row(
            Observation, common | measured(component) | {"panel_id": panel_id}, actor, "observation.created"
        )
    return panel_id, outcome


HANDLERS = {
    "Patient": accept_patient,
    "Practitioner": accept_practitioner,
    "Encounter": accept_encounter,
    "DocumentReference": accept_document,
    "Condition": accept_condition,
    "Procedure": accept_procedure,
    "Observation": accept_observation,
    "MedicationRequest": accept_medication,
}
