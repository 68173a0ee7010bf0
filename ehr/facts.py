"""Structured data of an encounter as plain values, for the CDI engine beside what it reads in the text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cdi.models import Encounter

from .models import DocumentedCondition, MedicationOrder, Observation, PerformedProcedure

WITHDRAWN = "entered-in-error"


@dataclass(frozen=True)
class ObservationFact:
    loinc_code: str
    display: str
    value: float | None
    value_text: str
    unit: str
    effective_at: dt.datetime | None


@dataclass(frozen=True)
class ConditionFact:
    code_system: str  # "icd-10-cm" or "snomed"
    code: str
    display: str
    clinical_status: str
    verification_status: str


@dataclass(frozen=True)
class MedicationFact:
    code: str
    display: str
    status: str
    route: str
    authored_at: dt.datetime | None


@dataclass(frozen=True)
class ProcedureFact:
    code_system: str
    code: str
    display: str
    status: str


@dataclass(frozen=True)
class StructuredFacts:
    observations: list[ObservationFact]
    conditions: list[ConditionFact]
    medications: list[MedicationFact]
    procedures: list[ProcedureFact]


def structured_facts(encounter: Encounter) -> StructuredFacts:
    """What the EHR sent for this encounter, without anything it withdrew as entered in error.

    Observations are in time order; a blood-pressure panel appears as its component rows
    (systolic and diastolic), each with its own LOINC code."""
    observations = [
        ObservationFact(o.loinc_code, o.display, o.value, o.value_text, o.unit, o.effective_at)
        for o in Observation.objects.filter(encounter=encounter)
        .exclude(status=WITHDRAWN)
        .order_by("effective_at", "id")
    ]
    conditions = [
        ConditionFact(c.code_system, c.code, c.display, c.clinical_status, c.verification_status)
        for c in DocumentedCondition.objects.filter(encounter=encounter)
        .exclude(verification_status=WITHDRAWN)
        .order_by("id")
    ]
    medications = [
        MedicationFact(m.code, m.display, m.status, m.route, m.authored_at)
        for m in MedicationOrder.objects.filter(encounter=encounter).exclude(status=WITHDRAWN).order_by("id")
    ]
    procedures = [
        ProcedureFact(p.code_system, p.code, p.display, p.status)
        for p in PerformedProcedure.objects.filter(encounter=encounter)
        .exclude(status=WITHDRAWN)
        .order_by("id")
    ]
    return StructuredFacts(observations, conditions, medications, procedures)
