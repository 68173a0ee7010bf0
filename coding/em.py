"""Inpatient/observation E/M level from medical decision making (2023 AMA E/M guidelines).

MDM has three elements — problems addressed, data reviewed/analysed, risk of patient
management — each graded straightforward (0), low (1), moderate (2) or high (3); the
level is the one that two of the three meet or exceed (the middle grade). Initial
hospital care maps to 99221/99222/99223, subsequent care to 99231/99232/99233.
Discharge day management is by time: 99238 (30 minutes or less) or 99239 (more).
Only code numbers are shipped; no CPT descriptor text (AMA licence).
This is a suggestion with the MDM elements shown: the coder decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GRADES = ("straightforward", "low", "moderate", "high")
INITIAL = ("99221", "99221", "99222", "99223")
SUBSEQUENT = ("99231", "99231", "99232", "99233")

_DISCHARGE = re.compile(r"DISCHARGE SUMMARY|DISCHARGE DIAGNOS|HOSPITAL COURSE|DATE OF DISCHARGE", re.I)
_SUBSEQUENT = re.compile(r"PROGRESS NOTE|\bSUBJECTIVE\b|HOSPITAL DAY|INTERVAL HISTORY|\bPOD\s*#?\d", re.I)
_DISCHARGE_TIME = re.compile(
    r"(?:more than|greater than|over|>)\s*(30|thirty|3[1-9]|[4-9]\d)\s*min|(3[1-9]|[4-9]\d)\s*minutes", re.I
)
_SEVERE = re.compile(
    r"\b(?:respiratory failure|septic shock|sepsis|shock|nstemi|stemi|myocardial infarction|"
    r"pulmonary embol\w*|stroke|cva|intracranial hemorrhage|gi bleed\w*|encephalopathy|"
    r"diabetic ketoacidosis|dka|status epilepticus|cardiac arrest|acute kidney injury|acute renal failure)\b",
    re.I,
)
_EXACERBATION = re.compile(
    r"\b(?:exacerbation|decompensat\w*|worsening|progression|uncontrolled|poorly controlled|acute on chronic)\b",
    re.I,
)
_TESTS = re.compile(
    r"\b(?:cbc|bmp|cmp|chem(?:istry)?|troponin|bnp|lactate|electrolytes|urinalysis|culture|inr|pt/inr|"
    r"abg|lfts?|lipase|hemoglobin a1c|a1c|tsh|d-dimer|x-ray|chest x-ray|cxr|ct|mri|ultrasound|echo(?:cardiogram)?|"
    r"ekg|ecg|telemetry|doppler)\b",
    re.I,
)
_INDEPENDENT_INTERPRETATION = re.compile(
    r"\b(?:i (?:personally )?(?:reviewed|viewed|interpreted) the [\w\s-]{0,20}?(?:films?|images?|ekg|ecg|x-ray|ct|tracing)|"
    r"my (?:own )?(?:interpretation|read|review) of the)\b",
    re.I,
)
_DISCUSSION = re.compile(
    r"\b(?:discussed (?:with|the case with) (?:dr\.?|the (?:consultant|surgeon|cardiologist|radiologist)|"
    r"his|her|their)|case discussed with)\b",
    re.I,
)
_HISTORIAN = re.compile(
    r"\b(?:per (?:his|her|the) (?:wife|husband|daughter|son|mother|father|family|caregiver)|"
    r"history (?:obtained|provided|given) by)\b",
    re.I,
)
_HIGH_RISK = re.compile(
    r"\b(?:intubat\w*|mechanical ventilation|icu|intensive care|heparin drip|insulin drip|pressors?|"
    r"norepinephrine|levophed|vasopressin|dnr|do not resuscitate|comfort care|hospice|"
    r"emergency (?:surgery|operation)|escalation of care|transfer to (?:the )?icu)\b",
    re.I,
)
_PRESCRIPTION = re.compile(
    r"\b(?:start(?:ed)?|continue[ds]?|increase[ds]?|decrease[ds]?|titrat\w+|discontinue[ds]?|change[ds]? to|"
    r"switch(?:ed)? to)\b[^.\n]{0,60}?\b\d+(?:\.\d+)?\s*(?:mg|mcg|units?|g)\b",
    re.I,
)
_OTC = re.compile(r"\b(?:tylenol|acetaminophen|ibuprofen|colace|senna|multivitamin)\b", re.I)


@dataclass(frozen=True)
class Finding:
    label: str
    start: int
    end: int
    text: str


@dataclass
class Element:
    grade: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return GRADES[self.grade]


@dataclass
class EmSuggestion:
    code: str
    visit: str  # initial, subsequent or discharge
    mdm: str
    problems: Element
    data: Element
    risk: Element
    basis: str

    def as_dict(self) -> dict:
        def element(e: Element) -> dict:
            return {"grade": e.name, "findings": [f.__dict__ for f in e.findings[:8]]}

        return {
            "code": self.code,
            "visit": self.visit,
            "mdm": self.mdm,
            "basis": self.basis,
            "problems": element(self.problems),
            "data": element(self.data),
            "risk": element(self.risk),
        }


def _findings(pattern: re.Pattern[str], text: str, label: str) -> list[Finding]:
    return [Finding(label, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]


def problems_element(text: str, diagnoses: int) -> Element:
    severe = _findings(_SEVERE, text, "acute or chronic illness posing a threat to life or bodily function")
    worse = _findings(_EXACERBATION, text, "chronic illness with exacerbation or progression")
    if severe:
        return Element(3, severe + worse)
    if worse or diagnoses >= 2:
        return Element(2, worse)
    return Element(1 if diagnoses else 0, [])


def data_element(text: str) -> Element:
    tests = _findings(_TESTS, text, "test ordered or reviewed")
    unique_tests = {f.text.lower() for f in tests}
    interpretation = _findings(_INDEPENDENT_INTERPRETATION, text, "independent interpretation of a test")
    discussion = _findings(_DISCUSSION, text, "discussion of management with an external physician")
    historian = _findings(_HISTORIAN, text, "assessment requiring an independent historian")
    category_one = len(unique_tests) + (1 if historian else 0) >= 3
    categories = sum((category_one, bool(interpretation), bool(discussion)))
    findings = tests + interpretation + discussion + historian
    if categories >= 2:
        return Element(3, findings)
    if categories == 1:
        return Element(2, findings)
    if len(unique_tests) >= 2 or historian:
        return Element(1, findings)
    return Element(0, findings)


def risk_element(text: str) -> Element:
    high = _findings(_HIGH_RISK, text, "high risk: intensive monitoring, escalation or end-of-life decision")
    if high:
        return Element(3, high)
    prescription = _findings(_PRESCRIPTION, text, "prescription drug management")
    if prescription:
        return Element(2, prescription)
    otc = _findings(_OTC, text, "over-the-counter drugs")
    return Element(1 if otc else 0, otc)


def visit_kind(text: str, note_type: str = "") -> str:
    label = f"{note_type} {text[:3000]}"
    if _DISCHARGE.search(label):
        return "discharge"
    if _SUBSEQUENT.search(label):
        return "subsequent"
    return "initial"


def suggest_em(text: str, diagnoses: int, note_type: str = "") -> EmSuggestion:
    """The E/M level for an inpatient/observation note; ``diagnoses`` is the count of coded problems."""
    problems, data, risk = problems_element(text, diagnoses), data_element(text), risk_element(text)
    mdm = sorted((problems.grade, data.grade, risk.grade))[1]
    visit = visit_kind(text, note_type)
    if visit == "discharge":
        long_visit = _DISCHARGE_TIME.search(text)
        code = "99239" if long_visit else "99238"
        basis = "discharge day management by documented time" + (
            " (over 30 minutes)" if long_visit else " (30 minutes or less, or not documented)"
        )
    else:
        code = (INITIAL if visit == "initial" else SUBSEQUENT)[mdm]
        basis = "medical decision making: two of three elements"
    return EmSuggestion(code, visit, GRADES[mdm], problems, data, risk, basis)
