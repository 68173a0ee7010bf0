"""Encounters for a service (chemotherapy, immunization): the "Encounter for ..." Z code.

The diagnosis lexicon skips Z codes (labelling conventions: Z codes only where required or
central); an encounter whose purpose is a service is one such central case. The service words
come from ``data/encounter_reasons.tsv``; a mention counts only as this visit's reason ("here
for followup and chemotherapy") or as done at this visit ("flu vaccination today", "vaccine
was given"), never as planned, discussed or past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import tsv

REASONS_FILE = Path(__file__).parent / "data" / "encounter_reasons.tsv"
# Done at this visit: "flu vaccination today", "the vaccine was given" (two words at most between).
_DONE_AFTER = r"\s+(?:[\w-]+\s+){0,2}(?:today|given|administered)\b"
# This visit's reason: "here for followup and chemotherapy", "comes in today for chemotherapy".
_REASON_BEFORE = (
    r"\b(?:here|present(?:s|ed)?|comes?|came|admitted)\s+(?:in\s+)?(?:today\s+)?for\b[^.;\n]{0,40}"
)
# "Chemotherapy education", "vaccine counseling": a talk about the service, not the service.
_ABOUT = r"(?!\s+(?:education|teaching|class|counsel\w*|discussion|consult\w*|planning|options?)\b)"


@dataclass(frozen=True)
class EncounterReason:
    code: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for code, words, *_ in tsv.rows(REASONS_FILE):
        service = "|".join(re.escape(w.strip()) for w in words.split(","))
        out.append(
            (
                code,
                re.compile(
                    rf"{_REASON_BEFORE}\b(?P<s1>{service})\b{_ABOUT}|\b(?P<s2>{service})\b{_ABOUT}(?={_DONE_AFTER})",
                    re.I,
                ),
            )
        )
    return out


def encounter_reasons(text: str) -> list[EncounterReason]:
    """Each service the note names as this visit's purpose or as done at it."""
    found = []
    for code, pattern in _patterns():
        for match in pattern.finditer(text):
            group = "s1" if match.group("s1") else "s2"
            found.append(EncounterReason(code, match.start(group), match.end(group)))
    return found
