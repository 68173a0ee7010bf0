"""Word-overlap matching of a diagnosis statement against every code title.

Exact phrase matching (``lexicon``) misses statements worded differently from the
classification: "fracture of the right femoral neck" is "Fracture of unspecified part
of neck of right femur". Here each statement of a diagnosis list is compared, as a bag
of content words weighted by rarity (idf), with the titles and inclusion terms of all
codes; the best code is kept when the overlap is high on both sides. Codes that need a
7th character are indexed by their 6-character stem (the rules add the character).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from cdi.icd10 import icd

from . import codeset
from .lexicon import normalise_token

_WORD = re.compile(r"[a-z0-9]+(?:'s)?")
# Words that carry no diagnostic content in titles or statements. "other" stays a word, so a
# residual category ("Other hyperlipidemia") never beats the plain one for a plain statement.
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "with",
        "without",
        "in",
        "on",
        "to",
        "for",
        "by",
        "from",
        "as",
        "at",
        "into",
        "due",
        "other",
        "unspecified",
        "specified",
        "nos",
        "not",
        "elsewhere",
        "classified",
        "type",
        "site",
        "part",
        "encounter",
        "initial",
        "subsequent",
        "sequela",
        "closed",
        "routine",
        "healing",
        "patient",
        "history",
        "status",
        "post",
        "pt",
        "his",
        "her",
        "he",
        "she",
        "is",
        "was",
        "has",
        "had",
        "have",
        "be",
        "been",
        "being",
        "which",
        "that",
        "this",
    ]
)
_SKIPPED_LETTERS = ("V", "W", "X", "Y", "Z")
MIN_SIMILARITY = 0.72


@dataclass(frozen=True)
class FuzzyMatch:
    code: str
    similarity: float
    text: str


def content_words(text: str) -> list[str]:
    words = []
    for raw in _WORD.findall(text.lower()):
        token = normalise_token(raw)  # adjective forms of body parts as nouns (data/word_forms.tsv)
        if token in _STOP or len(token) < 2 or token.isdigit():
            continue
        words.append(token)
    return words


@dataclass
class FuzzyIndex:
    documents: list[tuple[str, frozenset[str]]]
    postings: dict[str, list[int]]
    idf: dict[str, float]

    def weight(self, words: frozenset[str] | set[str]) -> float:
        return sum(self.idf.get(w, 0.0) for w in words)

    def best(self, statement: str) -> FuzzyMatch | None:
        query = frozenset(content_words(statement))
        if not query or len(query) > 12:
            return None
        known = {w for w in query if w in self.postings}
        if not known:
            return None
        # Candidates share the statement's rarest known word.
        rare = max(known, key=lambda w: self.idf[w])
        best: tuple[tuple, str] | None = None
        query_weight = self.weight(query)
        for index in self.postings[rare]:
            code, words = self.documents[index]
            shared = self.weight(query & words)
            # Both sides must be mostly covered: recall of the statement, precision of the title.
            similarity = min(shared / query_weight, shared / self.weight(words))
            # Ties go to the classification's default for a bare term: the unspecified code,
            # then a code that is not a residual "Other ..." category, then the shorter title.
            title = codeset.title(code).lower()
            key = (similarity, "unspecified" in title, not title.startswith("other"), -len(title))
            if best is None or key > best[0]:
                best = (key, code)
        if best is None or best[0][0] < MIN_SIMILARITY:
            return None
        return FuzzyMatch(best[1], round(best[0][0], 3), statement)


def _stem_code(code: str) -> str:
    """A 7th-character code is indexed by the code it extends."""
    if icd.is_extended_subcategory(code):
        return icd.get_parent(code)
    return code


@lru_cache(maxsize=1)
def default_index() -> FuzzyIndex:
    documents: list[tuple[str, frozenset[str]]] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for code in codeset.billable_codes():
        if code.startswith(_SKIPPED_LETTERS):
            continue
        stem = _stem_code(code)
        for text in (codeset.title(stem), *codeset.inclusion_terms(stem)):
            words = frozenset(content_words(text))
            if words and (stem, words) not in seen:
                seen.add((stem, words))
                documents.append((stem, words))
    frequency: dict[str, int] = defaultdict(int)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, (_, words) in enumerate(documents):
        for word in words:
            frequency[word] += 1
            postings[word].append(index)
    total = len(documents)
    idf = {word: math.log(total / count) for word, count in frequency.items()}
    return FuzzyIndex(documents, dict(postings), idf)
