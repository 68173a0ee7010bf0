"""Everything the gap rules read from one note, extracted once.

`NoteFacts` holds the note with its sections and sentences, the measurements,
organisms and treatments found in it, plus facts fed from structured data (FHIR
observations, documented conditions, medication requests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from cdi.clinical.anthropometry import calculated_bmi, is_pediatric
from cdi.clinical.context import RESOLVED, ClinicalText, Context
from cdi.clinical.treatments import Treatment, extract_treatments
from cdi.clinical.values import (
    Measurement,
    OrganismMention,
    calculated_pf_ratios,
    extract_measurements,
    extract_organisms,
)


@dataclass(frozen=True)
class StructuredObservation:
    """A coded result from the EHR (e.g. a FHIR Observation), already normalised."""

    name: str  # one of the analyte names of cdi.clinical.values (sodium, potassium, ...)
    value: float
    unit: str = ""
    date: str | None = None


@dataclass
class StructuredData:
    """Facts fed from FHIR alongside the note; every list may be empty."""

    observations: list[StructuredObservation] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)  # documented diagnoses: ICD-10-CM codes or text
    medications: list[str] = field(default_factory=list)  # medication requests, as text


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    context: Context


# Sections whose medication names are not treatments given to the patient.
_NOT_GIVEN_SECTIONS = {"allergies", "family_history", "social_history"}
_PROPHYLAXIS = re.compile(
    r"prophyla\w*|to\s+prevent|preoperative(?:ly)?|pre-?op|perioperative", re.IGNORECASE
)
# "We discussed the risks of bleeding and blood transfusion": consent talk, not a treatment given.
_RISK_TALK = re.compile(
    r"\brisks?\b[^.]*\b(?:benefits|alternatives|complications)\b|\binformed\s+consent\b", re.IGNORECASE
)
_ANESTHESIA = re.compile(r"anesthesia|anesthetic|induction|extubated\s+in\s+the\s+operating", re.IGNORECASE)


class NoteFacts:
    def __init__(self, text: str, structured: StructuredData | None = None) -> None:
        self.text = text
        self.doc = ClinicalText(text)
        self.structured = structured or StructuredData()

    @cached_property
    def measurements(self) -> list[Measurement]:
        found = extract_measurements(self.text)
        for obs in self.structured.observations:
            # Structured values have no span in the note: start = end = -1.
            found.append(Measurement(obs.name, obs.value, obs.unit, -1, -1, "", date=obs.date))
        if not any(m.name == "bmi" for m in found) and not is_pediatric(self.text):
            bmi = calculated_bmi(self.text)
            found += [bmi] if bmi else []
        if not any(m.name == "pf_ratio" for m in found):
            found += calculated_pf_ratios(self.text, found, self.doc.sentence)
        return found

    @cached_property
    def organisms(self) -> list[OrganismMention]:
        return extract_organisms(self.text, self.doc.sentence)

    @cached_property
    def treatments(self) -> list[Treatment]:
        return extract_treatments(self.text)

    @cached_property
    def structured_treatment_kinds(self) -> set[str]:
        kinds: set[str] = set()
        for med in self.structured.medications:
            kinds.update(t.kind for t in extract_treatments(med))
        return kinds

    def values(self, name: str) -> list[Measurement]:
        return [m for m in self.measurements if m.name == name]

    def context(self, start: int, end: int, chronic: bool = False) -> Context:
        return self.doc.context(start, end, chronic=chronic)

    def mentions(self, pattern: re.Pattern[str] | None, chronic: bool = False) -> list[Mention]:
        if pattern is None:
            return []
        return [
            Mention(m.start(), m.end(), m.group(0), self.context(m.start(), m.end(), chronic))
            for m in pattern.finditer(self.text)
        ]

    def asserted(self, pattern: re.Pattern[str] | None, chronic: bool = False) -> list[Mention]:
        out = []
        for m in self.mentions(pattern, chronic):
            ctx = m.context
            if ctx.asserted:
                out.append(m)
            elif not (ctx.negated or ctx.hypothetical or ctx.family) and self._treated_this_stay(
                m.start, m.end, ctx
            ):
                out.append(Mention(m.start, m.end, m.text, replace(ctx, historical=False)))
        return out

    def given(self, kinds: tuple[str, ...] | list[str] | set[str]) -> list[Treatment]:
        """Treatments of these kinds that the patient actually gets (not negated, allergic, hypothetical)."""
        out = []
        for treatment in self.treatments:
            if treatment.kind not in kinds:
                continue
            # chronic=True: only an explicit "was treated"/"resolved" makes a treatment past.
            ctx = self.context(treatment.start, treatment.end, chronic=True)
            if ctx.section in _NOT_GIVEN_SECTIONS or ctx.negated or ctx.hypothetical or ctx.family:
                continue
            if ctx.historical and not self._treated_this_stay(treatment.start, treatment.end, ctx):
                continue
            if _RISK_TALK.search(self.text[slice(*self.doc.sentence(treatment.start))]):
                continue
            if treatment.kind == "antibiotic":
                start, end = self.doc.sentence(treatment.start)
                if _PROPHYLAXIS.search(self.text[start:end]):
                    continue
            if treatment.kind in ("intubation", "bipap", "high_flow_oxygen") and ctx.section == "procedure":
                continue
            if treatment.kind == "intubation":
                start, end = self.doc.sentence(treatment.start)
                if _ANESTHESIA.search(self.text[start:end]):
                    continue
            out.append(treatment)
        return out

    def _treated_this_stay(self, start: int, end: int, ctx: Context) -> bool:
        """In a hospital course "was treated" narrates this stay: it alone does not make a mention past."""
        if not ctx.historical or ctx.section != "hospital_course" or ctx.history_mention:
            return False
        sentence_start, sentence_end = self.doc.sentence(start)
        before = " ".join(self.text[sentence_start:start].split()[-8:])
        after = " ".join(self.text[end:sentence_end].split()[:8])
        if re.search(r"\b(?:19|20)\d\d\b", after[:40]):
            return False
        cues = [m.group(0).lower() for m in RESOLVED.finditer(before + " | " + after)]
        return bool(cues) and all(re.fullmatch(r"(?:was|were)\s+treated", " ".join(c.split())) for c in cues)

    def has_structured_treatment(self, kinds: tuple[str, ...] | list[str] | set[str]) -> bool:
        return bool(self.structured_treatment_kinds.intersection(kinds))

    def documented_in_structured(self, pattern: re.Pattern[str] | None, codes: tuple[str, ...]) -> bool:
        wanted = {code.replace(".", "").upper() for code in codes}
        for condition in self.structured.conditions:
            if condition.replace(".", "").upper() in wanted:
                return True
            if pattern is not None and pattern.search(condition):
                return True
        return False

    def window(self, start: int, end: int, before: int, after: int) -> tuple[int, int]:
        """A window around a span, clipped to its sentence."""
        sentence_start, sentence_end = self.doc.sentence(start)
        return max(sentence_start, start - before), min(sentence_end, end + after)
