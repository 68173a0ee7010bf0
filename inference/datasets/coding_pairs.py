"""Training pairs for the ``coding`` adapter, built from ICD-10-CM itself.

``text_a`` is how a clinician writes a condition (an official inclusion term, or a common
abbreviation / its expansion from ``data/clinical_abbreviations.tsv``), sometimes inside a
short note-like phrase; ``text_b`` is a code description. Positives pair a term with its own
code; hard negatives pair it with a sibling code (same parent, e.g. another I50.x) and with a
code in another category that shares a content word. ``group`` is the 3-character category,
so the held-out split tests categories the adapter never saw.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import simple_icd_10_cm as icd

ABBREVIATIONS = Path(__file__).parent / "data" / "clinical_abbreviations.tsv"
# External causes (V00-Y99) describe accidents, not conditions a note passage is coded to.
SKIPPED_CHAPTER_LETTERS = ("V", "W", "X", "Y")
TEMPLATES = (
    "{t}",
    "{t}",
    "assessment: {t}",
    "diagnosis: {t}",
    "admitted with {t}",
    "{t}, stable",
    "pt with {t}",
)
STOPWORDS = frozenset(
    [
        "and",
        "or",
        "of",
        "the",
        "with",
        "without",
        "in",
        "to",
        "for",
        "due",
        "by",
        "not",
        "other",
        "unspecified",
        "specified",
        "nos",
        "type",
        "site",
        "a",
        "an",
        "as",
        "at",
        "on",
        "from",
        "than",
        "into",
        "classified",
        "elsewhere",
        "part",
    ]
)
_WORD = re.compile(r"[a-z][a-z\-]{2,}")


@dataclass(frozen=True)
class Abbreviation:
    abbreviation: str
    expansion: str
    code: str


@dataclass(frozen=True)
class CodingPair:
    text_a: str
    text_b: str
    label: int
    group: str
    code: str
    source: str


def read_abbreviations(path: Path = ABBREVIATIONS) -> list[Abbreviation]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        abbreviation, expansion, code = (part.strip() for part in line.split("\t"))
        rows.append(Abbreviation(abbreviation, expansion, code))
    return rows


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def _pool() -> list[str]:
    """Codes a passage could be coded to: no chapters/blocks, no 7th-character extensions."""
    return [
        code
        for code in icd.get_all_codes(with_dots=True)
        if not icd.is_chapter_or_block(code)
        and not icd.is_extended_subcategory(code)
        and not code.startswith(SKIPPED_CHAPTER_LETTERS)
    ]


class _Negatives:
    def __init__(self, pool: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.pool = pool
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for code in pool:
            for word in _content_words(icd.get_description(code)):
                self.by_word[word].append(code)

    def sibling(self, code: str) -> str | None:
        parent = icd.get_parent(code)
        siblings = [c for c in icd.get_children(parent) if c != code] if parent else []
        siblings = [c for c in siblings if not icd.is_chapter_or_block(c)]
        return self.rng.choice(siblings) if siblings else None

    def shared_word(self, term: str, code: str) -> str:
        words = sorted(_content_words(term))
        self.rng.shuffle(words)
        for word in words:
            others = [c for c in self.by_word.get(word, []) if c[:3] != code[:3]]
            if others:
                return self.rng.choice(others)
        while True:
            other = self.rng.choice(self.pool)
            if other[:3] != code[:3]:
                return other


def _phrase(term: str, rng: random.Random) -> str:
    text = rng.choice(TEMPLATES).format(t=term)
    return text.lower() if rng.random() < 0.5 else text


def _pairs_for(
    term: str, code: str, source: str, negatives: _Negatives, rng: random.Random
) -> Iterator[CodingPair]:
    group = code[:3]
    text_a = _phrase(term, rng)
    yield CodingPair(text_a, icd.get_description(code), 1, group, code, source)
    sibling = negatives.sibling(code)
    if sibling:
        yield CodingPair(text_a, icd.get_description(sibling), 0, group, sibling, source + ":sibling")
    other = negatives.shared_word(term, code)
    yield CodingPair(text_a, icd.get_description(other), 0, group, other, source + ":shared-word")


def build_coding_pairs(max_codes: int = 1500, terms_per_code: int = 2, seed: int = 13) -> list[CodingPair]:
    """Deterministic for a given seed and simple-icd-10-cm release."""
    rng = random.Random(seed)
    pool = _pool()
    negatives = _Negatives(pool, rng)
    with_terms = [code for code in pool if icd.get_inclusion_term(code)]
    rng.shuffle(with_terms)
    pairs: list[CodingPair] = []
    for code in sorted(with_terms[:max_codes]):
        for term in icd.get_inclusion_term(code)[:terms_per_code]:
            pairs.extend(_pairs_for(term, code, "inclusion-term", negatives, rng))
    for row in read_abbreviations():
        if not icd.is_valid_item(row.code):
            raise ValueError(f"{ABBREVIATIONS.name}: {row.code} is not an ICD-10-CM code")
        for term in (row.abbreviation, row.expansion):
            pairs.extend(_pairs_for(term, row.code, "abbreviation", negatives, rng))
    rng.shuffle(pairs)
    return pairs


def write_pairs(pairs: list[CodingPair], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            row = {
                "text_a": pair.text_a,
                "text_b": pair.text_b,
                "label": pair.label,
                "group": pair.group,
                "code": pair.code,
                "source": pair.source,
            }
            handle.write(json.dumps(row) + "\n")
