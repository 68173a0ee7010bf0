"""Specificity read from the words around a diagnosis.

A note often names a condition plainly and its site, type or acuity a few words on: "deep vein
thrombosis ... of the right popliteal vein", "ascites, malignant", "type 2 diabetes with
hyperglycemia". The plain name matches an unspecified (or "other") code; here the sibling codes
of its category are compared with the words of the mention's sentence, and a sibling whose
title adds only words the sentence states (not negated) is taken as the more specific code.
The classification's own titles are the vocabulary: no list per condition.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from . import codeset, tsv
from .fuzzy import _STOP, default_index
from .lexicon import normalise_token

# "no bleeding", "without obstruction", "negative for malignancy": words a sibling must not take.
_NEGATED = re.compile(r"\b(?:no|not|without|negative for|denie[sd]|free of|ruled out)\b[^,.;:\n]*", re.I)
# Characters before and after the mention, within its sentence: a qualifier is written close by.
BEFORE, AFTER = 40, 60
# Injuries have their own site table; metastases their own sites (the primary's site word is
# often in the same sentence: "metastatic ovarian cancer" is not an ovarian metastasis).
_NOT_REFINED = ("S", "T", "C77", "C78", "C79", "C80")
_LIST_NUMBER = re.compile(r"(?<![\w.,])\d{1,2}[.)](?=\s)")  # "1. Acute on chronic ...": not "stage 1"
_NUMBERED = frozenset(["stage", "type", "grade", "class", "degree"])
_WORD = re.compile(r"[a-z0-9]+(?:'s)?")
_WITHOUT = re.compile(r"\bwithout\b[^,]*", re.I)


def words_of(text: str) -> set[str]:
    """Content words and single letters ("B-cell"); a number only with the stage, type, grade or
    class it counts ("stage 4"; "creatinine of 1.8" says nothing of a stage)."""
    out, previous = set(), None
    for raw in _WORD.findall(text.lower()):
        token = normalise_token(raw, previous)
        if token[:1].isdigit():
            # "stage 3" is one word: the 2 of "type 2 diabetes" is not a stage 2.
            if previous in _NUMBERED:
                out.add(f"{previous} {token}")
        elif token not in _STOP:
            out.add(token)
        previous = token
    return out


DEFAULTS_FILE = Path(__file__).parent / "data" / "default_words.tsv"


@lru_cache(maxsize=1)
def default_words() -> dict[str, set[str]]:
    """Words the index assumes for a category when the note is silent (``data/default_words.tsv``)."""
    table: dict[str, set[str]] = {}
    for category, words in tsv.rows(DEFAULTS_FILE):
        table.setdefault(category, set()).update(words_of(words))
    return table


def _refinable(code: str) -> bool:
    title = codeset.title(code).lower()
    return not code.startswith(_NOT_REFINED) and (codeset.is_unspecified(code) or title.startswith("other "))


def stated_words(text: str, start: int, end: int, sentence: tuple[int, int]) -> set[str]:
    left = max(sentence[0], start - BEFORE)
    right = min(sentence[1], end + AFTER)
    return words_of(_LIST_NUMBER.sub(" ", _NEGATED.sub(" ", text[left:right])))


def refine(code: str, words: set[str]) -> str | None:
    """The most specific billable sibling of ``code`` whose title adds only words in ``words``."""
    found = refine_all(code, words)
    return found[0] if len(found) == 1 else None


def refine_all(code: str, words: set[str]) -> list[str]:
    """``refine``, except that "bilateral" with no bilateral code gives the right and the left one."""
    if not _refinable(code):
        return []
    stated = words
    bilateral = "bilateral" in words
    if bilateral:
        words = words | {"right", "left"}
    elif len(words & {"right", "left"}) == 1:
        words = words | {"unilateral"}
    words = words | default_words().get(codeset.family(code), set())
    # "Gastritis, unspecified, without bleeding": what the plain code says is absent is no part
    # of it, so the sibling "..., with bleeding" adds "bleeding".
    base = words_of(_WITHOUT.sub(" ", codeset.title(code)))
    idf = default_index().idf
    scored: list[tuple[tuple, str]] = []
    for sibling in codeset.family_codes(codeset.family(code)):
        title = codeset.title(sibling)
        # A residual "Other ..." code ("..., other specified site") is no more specific than the plain term.
        if sibling == code or re.search(r"\bother\b", title, re.I):
            continue
        own = words_of(re.sub(r"\([^)]*\)", " ", title))  # "(severe)", "(congestive)": nonessential
        extra = own - base
        # At least one word the note states: the index's default alone specifies nothing.
        if extra and extra <= words and extra & stated:
            # More stated words first; then the sibling that keeps more of what the note said
            # ("right"), then a specified one.
            weight = round(sum(idf.get(word, 1.0) for word in extra - {"right", "left"}), 6)
            scored.append(((weight, -len(base - own), not codeset.is_unspecified(sibling)), sibling))
    scored.sort(reverse=True)
    top = [sibling for key, sibling in scored if key == scored[0][0]] if scored else []
    if len(top) == 2 and bilateral and _sides_of_one_code(*top):
        both = codeset.sided_codes(codeset.lateral_variant(top[0], "right") or top[0], "bilateral")
        return both if len(both) == 1 and both[0] not in top else top
    return top if len(top) == 1 else []  # nothing stated, or two stated equally: the coder decides


def _sides_of_one_code(a: str, b: str) -> bool:
    """Two titles that differ only by "right" and "left"."""
    first, second = codeset.title(a).lower(), codeset.title(b).lower()
    return {first.replace("right", "SIDE").replace("left", "SIDE")} == {
        second.replace("right", "SIDE").replace("left", "SIDE")
    } and first != second
