"""Adverse effects, poisonings and underdosing (T36-T50) from how a note links a condition to a drug.

A drug (``data/drugs.tsv``: name or class -> Table of Drugs category) counts only where the
note ties something to it: "statin-induced", "secondary to the corticosteroids", "digoxin
toxicity" (an adverse effect: 5th/6th character 5), "overdose of", "ingestion of" (a
poisoning: accidental 1 unless written as a suicide attempt or intentional, 2), "ran out of",
"noncompliant with" (underdosing: 6). A drug merely listed under medications says nothing.
The 7th character is A: the notes are of the encounter that treats the effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import codeset, tsv

DRUGS_FILE = Path(__file__).parent / "data" / "drugs.tsv"
ADVERSE, ACCIDENTAL, INTENTIONAL, UNDERDOSING = "5", "1", "2", "6"
_GAP = r"[^.;:\n]{0,40}?"  # the cue and the drug sit in one clause: "due to renal failure and chemotherapy"


@dataclass(frozen=True)
class DrugMention:
    code: str
    intent: str
    start: int  # the drug name's span in the note
    end: int
    cue: str


@lru_cache(maxsize=1)
def drug_table() -> dict[str, str]:
    table = {}
    for name, category in tsv.rows(DRUGS_FILE):
        table[name.lower()] = category
    return table


def t_code(category: str, intent: str) -> str | None:
    """``T45.1X`` + intent + A, or ``T36.9`` + intent + XA: whichever the classification holds."""
    for code in (f"{category}{intent}A", f"{category}{intent}XA"):
        if codeset.is_billable(code):
            return code
    return None


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    names = sorted(drug_table(), key=len, reverse=True)
    drug = r"(?P<drug>" + "|".join(re.escape(n) for n in names) + r")"
    return [
        (
            INTENTIONAL,
            re.compile(
                rf"\b(?:intentional|suicid\w*)\b{_GAP}\b(?:overdose|ingestion)\b{_GAP}\b{drug}\b", re.I
            ),
        ),
        (
            INTENTIONAL,
            re.compile(rf"\b{drug}\b\s+(?:overdose|ingestion)\b{_GAP}\b(?:intentional|suicid\w*)", re.I),
        ),
        (
            ACCIDENTAL,
            re.compile(
                rf"\b(?:overdose|ingestion|ingested|poisoning)\b\s+(?:of|on|with)\s+{_GAP}\b{drug}\b", re.I
            ),
        ),
        (ACCIDENTAL, re.compile(rf"\b{drug}\b\s+(?:overdose|ingestion|poisoning)\b", re.I)),
        (
            UNDERDOSING,
            re.compile(
                rf"\b(?:ran out of|run out of|noncomplian\w* with|non-complian\w* with|not taking|stopped taking)"
                rf"\s*{_GAP}\b{drug}\b",
                re.I,
            ),
        ),
        (ADVERSE, re.compile(rf"\b{drug}[- ](?:induced|related|associated)\b", re.I)),
        (ADVERSE, re.compile(rf"\b{drug}\b\s+(?:toxicit(?:y|ies)|side effects?|reaction)\b", re.I)),
        (
            ADVERSE,
            re.compile(
                rf"\b(?:secondary to|due to|related to|caused by|side effects? of|adverse (?:effect|reaction) (?:of|to))"
                rf"\s+{_GAP}\b{drug}\b",
                re.I,
            ),
        ),
    ]


def drug_mentions(text: str, start: int = 0, end: int | None = None) -> list[DrugMention]:
    """Every drug the text between ``start`` and ``end`` ties a condition to (first cue wins per drug span)."""
    end = len(text) if end is None else end
    found: dict[tuple[int, int], DrugMention] = {}
    for intent, pattern in _patterns():
        for match in pattern.finditer(text, start, end):
            span = match.span("drug")
            if span in found:
                continue
            intent_here = _intent(text, match.start(), match.end(), intent)
            code = t_code(drug_table()[match.group("drug").lower()], intent_here)
            if code is not None:
                found[span] = DrugMention(code, intent_here, span[0], span[1], match.group(0))
    return sorted(found.values(), key=lambda m: m.start)


_POISONING = re.compile(
    r"\b(?:overdos\w*|overuse|ingest\w*|poisoning|took \w+ (?:tablets|pills)|more than prescribed)\b", re.I
)
_SELF_HARM = re.compile(r"\b(?:intentional\w*|suicid\w*|self-harm|self-inflicted)\b", re.I)


def _intent(text: str, start: int, end: int, intent: str) -> str:
    """An overdose or ingestion written in the same sentence makes a "toxicity" a poisoning."""
    if intent == UNDERDOSING:
        return intent
    left = text.rfind(". ", 0, start) + 1
    right = text.find(". ", end)
    sentence = text[max(left, start - 80) : min(right if right >= 0 else len(text), end + 80)]
    if intent == ADVERSE and not _POISONING.search(sentence):
        return ADVERSE
    return INTENTIONAL if _SELF_HARM.search(sentence) else ACCIDENTAL
