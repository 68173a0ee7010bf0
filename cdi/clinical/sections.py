"""Section headers of transcribed reports, with character offsets.

MTSamples-style dictation puts a header in capitals at the start of a line, either
followed by a colon ("PAST MEDICAL HISTORY: ...") or alone on its line ("PLAN").
Each header is mapped to a coarse kind that the context and detection rules use.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Order matters: the first pattern that matches the normalised header wins.
_KINDS: tuple[tuple[str, str], ...] = (
    ("family_history", r"\bFAMILY\b|\bFHX?\b|\bFH\b"),
    ("social_history", r"\bSOCIAL\b|\bSHX?\b"),
    ("surgical_history", r"PAST SURGICAL|SURGICAL HISTORY|\bPSH\b|PREVIOUS SURGER|PRIOR SURGER"),
    ("past_medical_history", r"PAST MEDICAL|MEDICAL HISTORY|\bPMH\b|PAST HISTORY|PAST MEDICAL/SURGICAL|PMHX"),
    ("allergies", r"ALLERG"),
    ("medications", r"MEDICATION|\bMEDS\b|\bDRUGS\b|\bRX\b"),
    ("review_of_systems", r"REVIEW OF SYSTEMS|\bROS\b|SYSTEMS REVIEW"),
    (
        "hpi",
        r"PRESENT ILLNESS|\bHPI\b|HISTORY OF PRESENT|BRIEF HISTORY|CLINICAL HISTORY|^HISTORY$|SUBJECTIVE|INTERVAL HISTORY",
    ),
    ("chief_complaint", r"CHIEF COMPLAINT|REASON FOR|\bCC\b|PRESENTING"),
    ("vitals", r"VITAL|\bVS\b"),
    (
        "labs",
        r"LAB|DIAGNOSTIC DATA|DATA|STUDIES|RESULTS|CULTURE|X-RAY|RADIOLOG|IMAGING|ECHO|EKG|ECG|\bCT\b|MICROBIOLOG",
    ),
    ("hospital_course", r"HOSPITAL COURSE|\bCOURSE\b|PROGRESS|EVENTS"),
    ("assessment", r"ASSESSMENT|IMPRESSION|DIAGNOS|\bA/P\b|\bA&P\b|PROBLEM|CONCLUSION|SUMMARY|DISCUSSION"),
    ("plan", r"\bPLAN\b|RECOMMENDATION|DISPOSITION|TREATMENT|ORDERS|INSTRUCTIONS|FOLLOW"),
    (
        "exam",
        r"EXAM|OBJECTIVE|HEENT|NECK|LUNGS|CHEST|HEART|ABDOMEN|EXTREMIT|NEURO|SKIN|GENERAL|CARDIO|PULMON|RESPIRATORY|MUSCULO|GENITO|PSYCH|EYES|EARS|NOSE|THROAT|BACK|RECTAL|PELVIC|LYMPH|CONSTITUTIONAL|MENTAL STATUS|MOTOR|SENSORY|REFLEXES|GAIT|CNS|\bGI\b|\bGU\b|HEAD|MOUTH|BREAST|EXTREMITY",
    ),
    (
        "procedure",
        r"PROCEDURE|OPERATION|ANESTHESIA|FINDINGS|TECHNIQUE|INDICATION|SPECIMEN|DRAINS|BLOOD LOSS|FLUIDS|COMPLICATIONS|TOURNIQUET|IMPLANT",
    ),
)
_KIND_PATTERNS = tuple((kind, re.compile(pattern)) for kind, pattern in _KINDS)

# A header: capitals (with a few punctuation marks) at a line start, then a colon or
# the end of the line. Lower-case letters are not allowed so that ordinary sentences
# never read as headers.
_HEADER = re.compile(
    r"(?m)^[ \t]*(?P<name>[A-Z][A-Z0-9 /&,()'\-]{1,60}?)[ \t]*(?::|[ \t]*$)",
)


@dataclass(frozen=True)
class Section:
    kind: str
    header: str
    start: int  # offset of the header
    body_start: int  # offset just after the header (and colon)
    end: int  # offset where the next header starts (or the end of the text)


def classify_header(name: str) -> str:
    normalised = re.sub(r"\s+", " ", name.upper()).strip()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(normalised):
            return kind
    return "other"


def find_sections(text: str) -> list[Section]:
    """Sections in document order; text before the first header is a 'preamble'."""
    heads: list[tuple[int, int, str]] = []
    for match in _HEADER.finditer(text):
        name = match.group("name").strip()
        # A bare capitalised line must look like a header: at least 2 letters and not a
        # single short token such as "I" or "A".
        letters = re.sub(r"[^A-Z]", "", name)
        if len(letters) < 2:
            continue
        has_colon = text[match.end() - 1 : match.end()] == ":"
        if not has_colon and len(name.split()) > 6:
            continue
        heads.append((match.start("name"), match.end(), name))
    sections: list[Section] = []
    if not heads or heads[0][0] > 0:
        first = heads[0][0] if heads else len(text)
        sections.append(Section("preamble", "", 0, 0, first))
    for index, (start, body_start, name) in enumerate(heads):
        end = heads[index + 1][0] if index + 1 < len(heads) else len(text)
        sections.append(Section(classify_header(name), name, start, body_start, end))
    return sections


class SectionIndex:
    """Looks up the section holding a character offset."""

    def __init__(self, text: str) -> None:
        self.sections = find_sections(text)
        self._starts = [section.start for section in self.sections]

    def at(self, offset: int) -> Section:
        index = max(0, bisect_right(self._starts, offset) - 1)
        return self.sections[index]

    def kind_at(self, offset: int) -> str:
        return self.at(offset).kind
