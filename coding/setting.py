"""Inpatient or outpatient coding rules for a note, from its type or its own headers.

Inpatient notes (H&P, inpatient consult, ICU/progress note, discharge or death summary)
code "probable / suspected / rule out" diagnoses as established; office, ED, procedure,
imaging and test reports code the symptoms instead (ICD-10-CM guidelines, Section II.H
and Section IV.H).
"""

from __future__ import annotations

import re

INPATIENT = "inpatient"
OUTPATIENT = "outpatient"

_INPATIENT_TYPES = re.compile(
    r"discharge|death|admission|admit|h\s*&\s*p|history and physical|progress|icu|inpatient|hospital|consult",
    re.IGNORECASE,
)
_OUTPATIENT_TYPES = re.compile(
    r"office|clinic|emergency|\bed\b|procedure|operative|radiology|imaging|echo|lab|outpatient", re.IGNORECASE
)
_PROCEDURE_REPORT = re.compile(
    r"^\s*(?:PREOPERATIVE DIAGNOS|POSTOPERATIVE DIAGNOS|PROCEDURES? PERFORMED|NAME OF PROCEDURE|"
    r"OPERATION PERFORMED|TECHNIQUE|FINDINGS|INDICATIONS? FOR (?:THE )?PROCEDURE|EXAM(?:INATION)?:)",
    re.MULTILINE,
)
_INPATIENT_MARKERS = re.compile(
    r"HOSPITAL COURSE|DISCHARGE DIAGNOS|ADMISSION DIAGNOS|ADMITTING DIAGNOS|DATE OF ADMISSION|"
    r"\badmitted\b|\bwill admit\b|\badmit (?:to|him|her|the patient)\b|\binpatient\b|\bintensive care\b|\bICU\b|"
    r"\bhospitalist\b|\bprogress note\b|\bhospital day\b|\bon the floor\b|\btelemetry\b",
    re.IGNORECASE,
)
# Weaker signs of a hospital stay, used only when the markers above are silent or tied.
_INPATIENT_HINTS = re.compile(
    r"\bIV\b|\bintravenous(?:ly)?\b|^\s*(?:REASON FOR (?:THE )?)?CONSULT(?:ATION)?\b|\bin the hospital\b",
    re.MULTILINE,
)
_OUTPATIENT_MARKERS = re.compile(
    r"\b(?:office|clinic)\b|\breturn(?:s|ing)? (?:to|for) (?:the )?(?:clinic|office|follow)|"
    r"\bfollow[- ]?up (?:visit|appointment)\b|\bdischarged? (?:home )?from the (?:emergency|ER)\b",
    re.IGNORECASE,
)


def coding_setting(text: str, note_type: str = "") -> str:
    """``inpatient`` or ``outpatient`` rules for this note."""
    if note_type:
        if _OUTPATIENT_TYPES.search(note_type) and not _INPATIENT_TYPES.search(note_type):
            return OUTPATIENT
        if _INPATIENT_TYPES.search(note_type):
            return INPATIENT
    head = text[:1500]
    procedure = len(_PROCEDURE_REPORT.findall(text)) >= 2 or bool(_PROCEDURE_REPORT.search(head[:300]))
    inpatient = len(_INPATIENT_MARKERS.findall(text))
    outpatient = len(_OUTPATIENT_MARKERS.findall(text))
    if procedure and inpatient < 2:
        return OUTPATIENT
    if inpatient > outpatient:
        return INPATIENT
    if inpatient == outpatient and _INPATIENT_HINTS.search(text):
        # Nothing says which: intravenous treatment or a hospital consultation tips it.
        return INPATIENT
    return OUTPATIENT
