"""Text normalisation for phrase rules: case-, accent- and punctuation-insensitive matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^a-z0-9$]+")


def normalize(text: str) -> str:
    """Lower case, compatibility-folded, every run of punctuation/space made one space.

    "MS-DRG", "ms drg" and "Ms. D.R.G." differ only in spacing afterwards, and "would you agree?" reads
    "would you agree"; ``$`` is kept because it is itself a money word.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = folded.replace("'", "").replace("\u2019", "")
    return _NON_WORD.sub(" ", folded).strip()


def term_pattern(term: str) -> re.Pattern[str]:
    """A pattern for one vocabulary term on normalised text.

    Terms of four characters or more match at the start of a word ("kidney" matches "kidneys", "intubat"
    matches "intubated") but not inside one ("renal" does not match "adrenal"); shorter terms ("na", "k",
    "ef") must be whole words, or they would match everywhere.
    """
    words = normalize(term)
    tail = r"(?![a-z0-9])" if len(words) < 4 else ""
    return re.compile(r"(?<![a-z0-9])" + re.escape(words) + tail)


def compile_terms(terms: Iterable[str]) -> list[re.Pattern[str]]:
    return [term_pattern(t) for t in terms if normalize(t)]


def content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    """Words of four letters or more that are not generic query vocabulary."""
    return {w for w in normalize(text).split() if len(w) >= 4 and w.isalpha() and w not in stopwords}
