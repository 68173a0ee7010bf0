"""Reading FHIR R4 JSON into plain dataclasses, validated with fhir.resources.

fhir.resources 8 ships R5 as its default package, plus R4B and STU3; there is no R4 package. R4B (4.3.0)
is R4 (4.0.1) with changes confined to medication-definition and evidence resources, so the resources read
here (Patient, Practitioner, Encounter, DocumentReference, Condition, Procedure, Observation,
MedicationRequest, Binary, Bundle) have the same elements in both; R4B is what validates them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

# Resource types a client may send, in the order a Bundle or an import processes them: referenced first.
SUPPORTED_TYPES = (
    "Patient",
    "Practitioner",
    "Encounter",
    "DocumentReference",
    "Condition",
    "Procedure",
    "Observation",
    "MedicationRequest",
)
NEEDS_SUBJECT = frozenset(SUPPORTED_TYPES) - {"Patient", "Practitioner"}
DOCUMENT_STATUSES = ("current", "superseded", "entered-in-error")
# Required bindings of the status elements that are stored (fhir.resources checks only the code syntax).
STATUSES = {
    "DocumentReference": DOCUMENT_STATUSES,
    "Observation": (
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    ),
    "Procedure": (
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    ),
    "MedicationRequest": (
        "active",
        "on-hold",
        "cancelled",
        "completed",
        "entered-in-error",
        "stopped",
        "draft",
        "unknown",
    ),
}

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


class FhirError(Exception):
    """A resource or request the server refuses; becomes an OperationOutcome.

    `diagnostics` names the element at fault and never quotes the submitted values (they may be PHI)."""

    def __init__(self, status: int, diagnostics: str, code: str = "invalid", expression: str = ""):
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code
        self.expression = expression

    def at(self, prefix: str) -> FhirError:
        """The same error located inside a Bundle entry."""
        where = f"{prefix}.{self.expression}" if self.expression else prefix
        return FhirError(self.status, f"{prefix}: {self.diagnostics}", self.code, where)


@dataclass(frozen=True)
class Identifier:
    system: str
    value: str
    type_code: str = ""


@dataclass(frozen=True)
class Head:
    """What every accepted resource has: its type, logical id, identifiers and a hash of its content."""

    resource_type: str
    fhir_id: str
    identifiers: tuple[Identifier, ...]
    sha256: str


@dataclass(frozen=True)
class PatientData:
    head: Head
    mrn: str
    name: str
    birth_date: dt.date | None
    sex: str


@dataclass(frozen=True)
class PractitionerData:
    head: Head
    npi: str
    name: str


@dataclass(frozen=True)
class EncounterData:
    head: Head
    subject: str
    account_number: str
    encounter_class: str
    admitted_at: dt.datetime | None
    discharged_at: dt.datetime | None
    attending: str
    service_line: str
    unit: str


@dataclass(frozen=True)
class Attachment:
    content_type: str
    data: bytes | None
    url: str


@dataclass(frozen=True)
class DocumentData:
    head: Head
    subject: str
    encounter: str
    status: str
    note_type: str
    service_date: dt.date | None
    authors: tuple[str, ...]
    content: tuple[Attachment, ...]
    replaces: tuple[str, ...]


@dataclass(frozen=True)
class ConditionData:
    head: Head
    subject: str
    encounter: str
    code_system: str
    code: str
    display: str
    clinical_status: str
    verification_status: str
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class ProcedureData:
    head: Head
    subject: str
    encounter: str
    code_system: str
    code: str
    display: str
    status: str
    performed_at: dt.datetime | None


@dataclass(frozen=True)
class Measurement:
    loinc_code: str
    display: str
    value: float | None
    value_text: str
    unit: str


@dataclass(frozen=True)
class ObservationData:
    head: Head
    subject: str
    encounter: str
    status: str
    measurement: Measurement
    effective_at: dt.datetime | None
    components: tuple[Measurement, ...] = field(default=())


@dataclass(frozen=True)
class MedicationData:
    head: Head
    subject: str
    encounter: str
    status: str
    intent: str
    code_system: str
    code: str
    display: str
    route: str
    authored_at: dt.datetime | None


@dataclass(frozen=True)
class BinaryData:
    fhir_id: str
    content_type: str
    data: bytes


ResourceData = (
    PatientData
    | PractitionerData
    | EncounterData
    | DocumentData
    | ConditionData
    | ProcedureData
    | ObservationData
    | MedicationData
)


def load_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FhirError(400, "The body is not valid UTF-8.", "structure") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = getattr(exc, "msg", "too deeply nested")
        raise FhirError(400, f"The body is not valid JSON ({reason}).", "structure") from None


def resource_type_of(data: Any) -> str:
    if not isinstance(data, dict):
        raise FhirError(400, "A FHIR resource must be a JSON object.", "structure")
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        raise FhirError(400, "The resource has no resourceType.", "structure", "resourceType")
    return resource_type


def validate(data: dict, resource_type: str) -> Any:
    """The fhir.resources model of `data`, or FhirError 422 naming the first elements that failed."""
    model = get_fhir_model_class(resource_type)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False)[:5]:
            path = element_path(resource_type, err.get("loc", ()))
            problems.append(f"{path}: {err.get('msg', 'invalid')}")
        first = element_path(resource_type, exc.errors()[0].get("loc", ())) if exc.errors() else resource_type
        raise FhirError(
            422, f"{resource_type} failed validation: " + "; ".join(problems), "invalid", first
        ) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise FhirError(
            422, f"{resource_type} failed validation ({type(exc).__name__}).", "invalid"
        ) from None


def element_path(resource_type: str, loc: tuple) -> str:
    out = resource_type
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in ("resource_type",):
            out += f".{part}"
        else:
            out += ".resourceType"
    return out


def parse_resource(data: Any, expected: str | None = None) -> ResourceData:
    """Validate one resource and read what the product uses from it."""
    resource_type = resource_type_of(data)
    if expected and resource_type != expected:
        raise FhirError(
            400,
            f"Expected a {expected} resource, got resourceType {resource_type!r}.",
            "structure",
            "resourceType",
        )
    if resource_type not in SUPPORTED_TYPES:
        raise FhirError(
            422,
            f"Resource type {resource_type!r} is not supported; see /fhir/metadata for what is.",
            "not-supported",
            "resourceType",
        )
    subject = data.get("subject")
    if resource_type in NEEDS_SUBJECT and not (isinstance(subject, dict) and subject.get("reference")):
        raise FhirError(
            422, f"{resource_type}.subject is required: it must reference the Patient.", "required", "subject"
        )
    model = validate(data, resource_type)
    allowed = STATUSES.get(resource_type)
    if allowed and model.status not in allowed:
        raise FhirError(
            422,
            f"{resource_type}.status must be one of {', '.join(allowed)}.",
            "code-invalid",
            f"{resource_type}.status",
        )
    head = Head(
        resource_type=resource_type,
        fhir_id=model.id or "",
        identifiers=identifiers_of(model),
        sha256=content_sha256(data),
    )
    return READERS[resource_type](model, head)


def parse_binary(data: dict) -> BinaryData:
    model = validate(data, "Binary")
    if model.data is None:
        raise FhirError(422, "Binary.data is required for note content.", "required", "Binary.data")
    return BinaryData(fhir_id=model.id or "", content_type=model.contentType or "", data=model.data)


def content_sha256(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()


def identifiers_of(model: Any) -> tuple[Identifier, ...]:
    out = []
    for ident in getattr(model, "identifier", None) or []:
        if ident.value:
            out.append(Identifier(system=ident.system or "", value=ident.value, type_code=type_code(ident)))
    return tuple(out)


def type_code(ident: Any) -> str:
    for coding in (ident.type.coding or []) if ident.type else []:
        if coding.system == V2_0203 and coding.code:
            return coding.code
    return ""


def reference(ref: Any) -> str:
    return (ref.reference or "") if ref is not None else ""


def as_datetime(value: Any) -> dt.datetime | None:
    """FHIR dateTime/instant/date (which may be just a year or a month) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    parts = [int(p) for p in str(value).split("-")[:3] if p.isdigit()]
    if not parts:
        return None
    year, month, day = (parts + [1, 1])[:3]
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def pick_coding(concept: Any, systems: tuple[str, ...]) -> tuple[str, str, str]:
    """(system, code, display) of the first coding in the preferred systems, else the first coding."""
    codings = [c for c in (concept.coding or []) if c.code] if concept is not None else []
    for system in systems:
        for coding in codings:
            if coding.system == system:
                return system, coding.code, coding.display or concept.text or ""
    if codings:
        return codings[0].system or "", codings[0].code, codings[0].display or concept.text or ""
    return "", "", (concept.text or "") if concept is not None else ""


def first_code(concept: Any) -> str:
    return pick_coding(concept, ())[1]


def human_name(model: Any) -> str:
    names = getattr(model, "name", None) or []
    if not names:
        return ""
    name = names[0]
    if name.text:
        return name.text[:200]
    parts = [*(name.prefix or []), *(name.given or []), name.family or "", *(name.suffix or [])]
    return " ".join(p for p in parts if p)[:200]


def read_patient(model: Any, head: Head) -> PatientData:
    mrn = next((i.value for i in head.identifiers if i.type_code == "MR"), "") or head.fhir_id
    if not mrn:
        raise FhirError(
            422, "Patient needs an id or an identifier of type MR (the MRN).", "required", "identifier"
        )
    sex = {"female": "F", "male": "M"}.get(model.gender or "", "U" if model.gender else "")
    birth = model.birthDate if isinstance(model.birthDate, dt.date) else None
    return PatientData(head=head, mrn=mrn[:64], name=human_name(model), birth_date=birth, sex=sex)


def read_practitioner(model: Any, head: Head) -> PractitionerData:
    npi = next((i.value for i in head.identifiers if i.system == NPI), "")
    if not (len(npi) == 10 and npi.isdigit()):
        raise FhirError(
            422,
            f"Practitioner needs a 10-digit identifier with system {NPI} (the NPI).",
            "required",
            "Practitioner.identifier",
        )
    return PractitionerData(head=head, npi=npi, name=human_name(model) or f"NPI {npi}")


# v3 ActCode encounter classes onto the product's four.
ENCOUNTER_CLASSES = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "OBSENC": "observation",
    "EMER": "emergency",
}


def read_encounter(model: Any, head: Head) -> EncounterData:
    account = next((i.value for i in head.identifiers if i.type_code in ("AN", "VN")), "")
    account = account or (head.identifiers[0].value if head.identifiers else "") or head.fhir_id
    if not account:
        raise FhirError(
            422, "Encounter needs an id or an identifier (the account number).", "required", "identifier"
        )
    attending = ""
    for participant in model.participant or []:
        codes = {c.code for t in (participant.type or []) for c in (t.coding or [])}
        if participant.individual and (codes & {"ATND", "PPRF"} or not attending):
            attending = reference(participant.individual)
    period = model.period
    service = model.serviceType.text if model.serviceType and model.serviceType.text else ""
    return EncounterData(
        head=head,
        subject=reference(model.subject),
        account_number=account[:64],
        encounter_class=ENCOUNTER_CLASSES.get(model.class_fhir.code or "", "outpatient"),
        admitted_at=as_datetime(period.start) if period else None,
        discharged_at=as_datetime(period.end) if period else None,
        attending=attending,
        service_line=service[:100],
        unit=current_location(model.location or [])[:100],
    )


def current_location(locations: list[Any]) -> str:
    """The display of where the patient is (or was last): Encounter.location lists the places in
    the order they were used. A ward (physicalType `wa`) wins over a bed or room; among those, an
    `active` entry over one with a later period start over a later entry."""

    def rank(item: tuple[int, Any]) -> tuple:
        index, loc = item
        kinds = {c.code for c in (loc.physicalType.coding or [])} if loc.physicalType else set()
        start = as_datetime(loc.period.start) if loc.period and loc.period.start else None
        return (
            "wa" in kinds,
            loc.status == "active",
            start is not None,
            start or dt.datetime.min.replace(tzinfo=dt.UTC),
            index,
        )

    shown = [(i, loc) for i, loc in enumerate(locations) if loc.location and loc.location.display]
    if not shown:
        return ""
    return max(shown, key=rank)[1].location.display.strip()


def read_document(model: Any, head: Head) -> DocumentData:
    context = model.context
    encounters = [reference(r) for r in (context.encounter or [])] if context else []
    if not any(encounters):
        raise FhirError(
            422,
            "DocumentReference.context.encounter is required: a note belongs to an encounter.",
            "required",
            "DocumentReference.context.encounter",
        )
    content = tuple(
        Attachment(
            content_type=(c.attachment.contentType or "").lower(),
            data=c.attachment.data,
            url=c.attachment.url or "",
        )
        for c in model.content
    )
    if not any(a.data is not None or a.url for a in content):
        raise FhirError(
            422,
            "DocumentReference.content.attachment needs data (base64) or a url of a Binary in the same Bundle.",
            "required",
            "DocumentReference.content",
        )
    note_type = ""
    if model.type is not None:
        note_type = model.type.text or pick_coding(model.type, (LOINC,))[2]
    when = model.date or (context.period.start if context and context.period else None)
    when_dt = as_datetime(when)
    return DocumentData(
        head=head,
        subject=reference(model.subject),
        encounter=next(e for e in encounters if e),
        status=model.status,
        note_type=note_type[:100],
        service_date=when_dt.date() if when_dt else None,
        authors=tuple(reference(a) for a in (model.author or []) if reference(a)),
        content=content,
        replaces=tuple(reference(r.target) for r in (model.relatesTo or []) if r.code == "replaces"),
    )


def read_condition(model: Any, head: Head) -> ConditionData:
    system, code, display = pick_coding(model.code, (ICD10CM, SNOMED))
    if system not in (ICD10CM, SNOMED):
        raise FhirError(
            422,
            f"Condition.code needs a coding from ICD-10-CM ({ICD10CM}) or SNOMED CT ({SNOMED}).",
            "code-invalid",
            "Condition.code",
        )
    return ConditionData(
        head=head,
        subject=reference(model.subject),
        encounter=reference(model.encounter),
        code_system="icd-10-cm" if system == ICD10CM else "snomed",
        code=code[:20],
        display=display[:255],
        clinical_status=first_code(model.clinicalStatus)[:20],
        verification_status=first_code(model.verificationStatus)[:20],
        recorded_at=as_datetime(model.recordedDate or model.onsetDateTime),
    )


def read_procedure(model: Any, head: Head) -> ProcedureData:
    system, code, display = pick_coding(model.code, (SNOMED,))
    if not code:
        raise FhirError(422, "Procedure.code needs a coding.", "required", "Procedure.code")
    performed = model.performedDateTime or (model.performedPeriod.start if model.performedPeriod else None)
    return ProcedureData(
        head=head,
        subject=reference(model.subject),
        encounter=reference(model.encounter),
        code_system=system[:255],
        code=code[:20],
        display=display[:255],
        status=(model.status or "")[:20],
        performed_at=as_datetime(performed),
    )


def measurement(code: Any, holder: Any, what: str) -> Measurement:
    system, loinc, display = pick_coding(code, (LOINC,))
    if system != LOINC:
        raise FhirError(422, f"{what} needs a LOINC coding ({LOINC}).", "code-invalid", what)
    value, text, unit = None, "", ""
    if holder.valueQuantity is not None:
        quantity = holder.valueQuantity
        value = float(quantity.value) if isinstance(quantity.value, Decimal | int | float) else None
        if value is not None and not math.isfinite(value):
            raise FhirError(422, f"{what}: the value is not a finite number.", "invalid", f"{what}.value")
        unit = (quantity.unit or quantity.code or "")[:40]
    elif holder.valueCodeableConcept is not None:
        text = holder.valueCodeableConcept.text or pick_coding(holder.valueCodeableConcept, ())[2]
    elif holder.valueString is not None:
        text = holder.valueString
    elif getattr(holder, "valueInteger", None) is not None:
        value = float(holder.valueInteger)
    elif getattr(holder, "valueBoolean", None) is not None:
        text = "true" if holder.valueBoolean else "false"
    return Measurement(
        loinc_code=loinc[:20], display=display[:255], value=value, value_text=text[:255], unit=unit
    )


def read_observation(model: Any, head: Head) -> ObservationData:
    effective = model.effectiveDateTime or (model.effectivePeriod.start if model.effectivePeriod else None)
    components = tuple(
        measurement(c.code, c, f"Observation.component[{i}].code")
        for i, c in enumerate(model.component or [])
    )
    return ObservationData(
        head=head,
        subject=reference(model.subject),
        encounter=reference(model.encounter),
        status=(model.status or "")[:20],
        measurement=measurement(model.code, model, "Observation.code"),
        effective_at=as_datetime(effective or model.effectiveInstant or model.issued),
        components=components,
    )


def read_medication(model: Any, head: Head) -> MedicationData:
    system, code, display = pick_coding(model.medicationCodeableConcept, (RXNORM,))
    if not (code or display) and model.medicationReference is not None:
        display = model.medicationReference.display or ""
    if not (code or display):
        raise FhirError(
            422,
            "MedicationRequest needs medicationCodeableConcept or a medicationReference with a display.",
            "required",
            "MedicationRequest.medication[x]",
        )
    route = ""
    for dosage in model.dosageInstruction or []:
        if dosage.route is not None:
            route = dosage.route.text or pick_coding(dosage.route, ())[2] or pick_coding(dosage.route, ())[1]
            break
    return MedicationData(
        head=head,
        subject=reference(model.subject),
        encounter=reference(model.encounter),
        status=(model.status or "")[:20],
        intent=(model.intent or "")[:20],
        code_system=system[:255],
        code=code[:40],
        display=display[:255],
        route=route[:100],
        authored_at=as_datetime(model.authoredOn),
    )


READERS = {
    "Patient": read_patient,
    "Practitioner": read_practitioner,
    "Encounter": read_encounter,
    "DocumentReference": read_document,
    "Condition": read_condition,
    "Procedure": read_procedure,
    "Observation": read_observation,
    "MedicationRequest": read_medication,
}
