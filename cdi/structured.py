"""FHIR-fed facts of an encounter (from the ehr app) as the detector's StructuredData."""

from __future__ import annotations

from .clinical.facts import StructuredData, StructuredObservation
from .models import Encounter

# LOINC codes of the labs and vitals the knowledge base reads, to the detector's analyte names.
LOINC_ANALYTES = {
    "2951-2": "sodium",
    "2947-0": "sodium",
    "2823-3": "potassium",
    "6298-4": "potassium",
    "19123-9": "magnesium",
    "2601-3": "magnesium",
    "2160-0": "creatinine",
    "38483-4": "creatinine",
    "3094-0": "bun",
    "6299-2": "bun",
    "718-7": "hemoglobin",
    "20509-6": "hemoglobin",
    "4544-3": "hematocrit",
    "6690-2": "wbc",
    "26464-8": "wbc",
    "777-3": "platelets",
    "26515-7": "platelets",
    "2524-7": "lactate",
    "32693-4": "lactate",
    "1751-7": "albumin",
    "33914-3": "gfr",
    "48642-3": "gfr",
    "62238-1": "gfr",
    "98979-8": "gfr",
    "30934-4": "bnp",
    "33762-6": "bnp",
    "10230-1": "ef",
    "8806-2": "ef",
    "59408-5": "spo2",
    "2708-6": "spo2",
    "2703-7": "pao2",
    "2019-8": "paco2",
    "2744-1": "ph",
    "1963-8": "bicarbonate",
    "39156-5": "bmi",
    "8310-5": "temperature",
    "8867-4": "heart_rate",
    "9279-1": "respiratory_rate",
    "1925-7": "ammonia",
    "3040-3": "lipase",
    "2345-7": "glucose",
    "1975-2": "bilirubin",
    "6301-6": "inr",
    "10839-9": "troponin",
    "6598-7": "troponin",
}


def structured_data(encounter: Encounter) -> StructuredData:
    try:
        from ehr.facts import structured_facts
    except ImportError:  # the FHIR layer is optional for the detector
        return StructuredData()
    facts = structured_facts(encounter)
    observations = [
        StructuredObservation(
            name=LOINC_ANALYTES[o.loinc_code],
            value=float(o.value),
            unit=o.unit or "",
            date=o.effective_at.date().isoformat() if o.effective_at else None,
        )
        for o in facts.observations
        if o.loinc_code in LOINC_ANALYTES and o.value is not None
    ]
    conditions = [
        c.code if c.code_system == "icd-10-cm" else (c.display or c.code)
        for c in facts.conditions
        if c.clinical_status in ("", "active", "recurrence", "relapse")
    ]
    medications = [m.display or m.code for m in facts.medications]
    return StructuredData(observations=observations, conditions=conditions, medications=medications)
