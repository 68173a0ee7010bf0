"""A site's licensed CPT descriptor file: reading it, and lexical procedure suggestions from it.

The product ships no CPT descriptor text (AMA licence). ``import_cpt`` reads a CSV the
site supplies:

    code,descriptor[,any further columns are ignored]

UTF-8, one code per row, an optional header row whose first cell is ``code``; codes are
five characters (``12345``, or Category II/III ``1234F``/``1234T``). Procedure suggestions
compare a note's procedure sections with the imported descriptors word by word.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cdi.clinical.sections import find_sections

_CODE = re.compile(r"^\d{4}[0-9FTU]$")
_WORD = re.compile(r"[a-z]{3,}")
_STOP = frozenset(
    [
        "and",
        "the",
        "with",
        "without",
        "for",
        "from",
        "into",
        "each",
        "other",
        "than",
        "any",
        "one",
        "two",
        "more",
        "per",
        "use",
        "only",
        "when",
        "not",
        "this",
        "that",
        "including",
        "separate",
        "procedure",
    ]
)


class CptFileError(ValueError):
    pass


@dataclass(frozen=True)
class CptRow:
    code: str
    descriptor: str


@dataclass(frozen=True)
class CptSuggestion:
    code: str
    score: float
    matched: tuple[str, ...]
    start: int
    end: int


def read_cpt_csv(content: str) -> list[CptRow]:
    rows: list[CptRow] = []
    seen: set[str] = set()
    for number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and row[0].strip().lower() == "code":
            continue
        if len(row) < 2:
            raise CptFileError(f"row {number}: expected code,descriptor")
        code, descriptor = row[0].strip().upper(), row[1].strip()
        if not _CODE.match(code):
            raise CptFileError(f"row {number}: {code!r} is not a five-character CPT code")
        if not descriptor:
            raise CptFileError(f"row {number}: empty descriptor for {code}")
        if code in seen:
            raise CptFileError(f"row {number}: {code} appears twice")
        seen.add(code)
        rows.append(CptRow(code, descriptor))
    return rows


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def procedure_text(text: str) -> list[tuple[int, int]]:
    """Spans of the sections that describe a procedure performed."""
    return [(s.body_start, s.end) for s in find_sections(text) if s.kind == "procedure"]


def suggest_procedures(
    text: str, descriptors: Iterable[CptRow], limit: int = 5, floor: float = 0.6
) -> list[CptSuggestion]:
    spans = procedure_text(text)
    if not spans:
        return []
    out: list[CptSuggestion] = []
    span_words = [(start, end, _words(text[start:end])) for start, end in spans]
    for row in descriptors:
        wanted = _words(row.descriptor)
        if len(wanted) < 2:
            continue
        best: CptSuggestion | None = None
        for start, end, words in span_words:
            matched = wanted & words
            value = len(matched) / len(wanted)
            if value >= floor and (best is None or value > best.score):
                best = CptSuggestion(row.code, round(value, 3), tuple(sorted(matched)), start, end)
        if best is not None:
            out.append(best)
    out.sort(key=lambda s: (-s.score, s.code))
    return out[:limit]
