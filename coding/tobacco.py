"""Tobacco use as a coder reads it: current use only, the patient's own, and the product.

F17 (nicotine dependence) is coded for current use; a former smoker is not coded here
(Z87.891 only where the history is central, which a coder decides). The sentence and the
one after it are read ("smoked a pack a day. Quit a year ago"). The product sets the 4th
and 5th characters: cigarettes (F17.21-), chewing tobacco (F17.22-), other products such as
cigars or pipes (F17.29-), unspecified otherwise ("smoker", "tobacco abuse": F17.20-).
"""

from __future__ import annotations

import re

FORMER = re.compile(
    r"\b(?:quit|former|ex-?smoker|ex|stopped|gave up|used to|previous(?:ly)?|prior|"
    r"not anymore|no longer|at present does not|remote|in the past|years ago)\b",
    re.I,
)
# Someone else's smoking or exposure to it is not the patient's dependence.
OTHER_PERSON = re.compile(
    r"\b(?:mom|mother|father|dad|parents?|husband|wife|spouse|partner|household|secondhand|"
    r"second-hand|passive|exposed|exposure)\b",
    re.I,
)
PRODUCTS = (
    ("F17.220", re.compile(r"\b(?:chew(?:s|ing)?|dip(?:s|ping)?|snuff|smokeless|snus)\b", re.I)),
    ("F17.210", re.compile(r"\b(?:cigarettes?|packs?|ppd|pack-years?|cigs?)\b", re.I)),
    ("F17.290", re.compile(r"\b(?:cigars?|pipes?|hookah|vap(?:e|es|ing)|e-cigarettes?)\b", re.I)),
)
_SENTENCE_END = re.compile(r"[.;\n]\s")


def _window(text: str, start: int, end: int) -> str:
    """The sentence around ``start:end`` and the one after it."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=0)
    right = end
    for _ in range(2):
        match = _SENTENCE_END.search(text, right)
        right = match.end() if match else len(text)
    return text[left:right]


def current_own_use(text: str, start: int, end: int) -> bool:
    window = _window(text, start, end)
    return not FORMER.search(window) and not OTHER_PERSON.search(window)


def product_code(text: str, start: int, end: int) -> str:
    window = _window(text, start, end)
    for code, pattern in PRODUCTS:
        if pattern.search(window):
            return code
    return "F17.200"
