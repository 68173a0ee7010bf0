"""A BMI calculated from a stated height and weight, where the note states no BMI.

Only values written with their units are read (kg, lb; cm, m, in, feet and inches as 5'6" or
"5 feet 6 inches"); a weight qualified as usual, previous, ideal, birth, dry or target, or dated
in the past ("250 lb before his bypass", "a year ago"), is not the current weight. Children are
left out: their BMI is read against age percentiles, not the adult cut-offs the rules use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdi.clinical.values import Measurement

_NUM = r"\d{1,3}(?:\.\d+)?"
_LB_PER_KG = 2.20462
_CM_PER_IN = 2.54

_WEIGHT = re.compile(
    rf"\b(?:weight|wt|weighs|weighed|weighing)\b\.?\s*(?:[:=]\s*|(?:of|is|was|at|today)\s+|-\s*)?"
    rf"(?P<num>{_NUM})\s*(?P<unit>kg|kgs|kilograms?|lb|lbs|pounds?)\b\.?",
    re.IGNORECASE,
)
_HEIGHT = re.compile(
    rf"\b(?:height|ht)\b\.?\s*(?:[:=]\s*|(?:of|is|was)\s+|-\s*)?"
    rf"(?:(?P<ft>[3-7])\s*(?:'|′|ft\.?|feet|foot)\s*(?:and\s+)?(?:(?P<inch>\d{{1,2}}(?:\.\d+)?)\s*(?:\"|''|″|in\.?\b|inches\b)?)?"
    rf"|(?P<num>{_NUM})\s*(?P<unit>cm|centimeters?|m|meters?|in|inches)\b\.?)"
    rf"|\b(?P<ft2>[3-7])\s*(?:'|′|ft\.?|feet|foot)\s*(?:and\s+)?(?P<inch2>\d{{1,2}}(?:\.\d+)?)\s*(?:\"|''|″|in\.?\b|inches\b)?\s*tall\b",
    re.IGNORECASE,
)
# The value written before its label ("52 kg in weight and 173 cm height", "180 cm tall").
_WEIGHT_FIRST = re.compile(
    rf"\b(?P<num>{_NUM})\s*(?P<unit>kg|kgs|kilograms?|lb|lbs|pounds?)\s+(?:in\s+)?(?:body\s+)?weight\b",
    re.IGNORECASE,
)
_HEIGHT_FIRST = re.compile(
    rf"\b(?P<num>{_NUM})\s*(?P<unit>cm|centimeters?|m|meters?|in|inches)\s+(?:in\s+)?(?:height|tall)\b",
    re.IGNORECASE,
)
# Words before a weight that make it not the current one, and dated past after it.
_NOT_CURRENT_BEFORE = re.compile(
    r"\b(?:usual|previous|prior|ideal|birth|baseline|former|target|goal|dry|pre-?operative|"
    r"pre-?pregnancy|maximum|max|highest|lowest|peak|history\s+of|used\s+to)\b[\w\s]{0,12}$",
    re.IGNORECASE,
)
_NOT_CURRENT_AFTER = re.compile(
    r"^[^.;\n]{0,40}?\b(?:ago|before|prior\s+to|previously|in\s+(?:19|20)\d\d|last\s+(?:year|month))\b",
    re.IGNORECASE,
)
_WEIGHT_LOSS = re.compile(r"\b(?:loss|lost|gain|gained|down|up)\b[\w\s]{0,8}$", re.IGNORECASE)


@dataclass(frozen=True)
class _Reading:
    value: float  # kg or metres
    start: int
    end: int
    text: str


_LABEL = re.compile(
    r"^(?:height|ht|weight|wt|weighs|weighed|weighing)\b\.?\s*(?:[:=-]\s*|(?:of|is|was|at|today)\s+)?",
    re.IGNORECASE,
)


def _shown(text: str) -> str:
    """The value as written, without its label ("Weight: 256 lbs" -> "256 lbs")."""
    return re.sub(r"\s+", " ", _LABEL.sub("", text)).rstrip(". ")


def _current(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    return not (
        _NOT_CURRENT_BEFORE.search(before)
        or _WEIGHT_LOSS.search(before)
        or _NOT_CURRENT_AFTER.search(text[end : end + 60])
    )


def _weights(text: str) -> list[_Reading]:
    out = []
    for m in sorted([*_WEIGHT.finditer(text), *_WEIGHT_FIRST.finditer(text)], key=lambda m: m.start()):
        if not _current(text, m.start(), m.end()):
            continue
        value = float(m.group("num"))
        kg = value if m.group("unit").lower().startswith("k") else value / _LB_PER_KG
        if 25 <= kg <= 350:
            out.append(_Reading(kg, m.start(), m.end(), m.group(0)))
    return out


def _heights(text: str) -> list[_Reading]:
    out = []
    for m in sorted([*_HEIGHT.finditer(text), *_HEIGHT_FIRST.finditer(text)], key=lambda m: m.start()):
        feet = m.groupdict().get("ft") or m.groupdict().get("ft2")
        if feet:
            inches = float(feet) * 12 + float(m.group("inch") or m.group("inch2") or 0)  # _HEIGHT only
            metres = inches * _CM_PER_IN / 100
        elif m.group("num"):
            value, unit = float(m.group("num")), m.group("unit").lower()
            if unit.startswith("c"):
                metres = value / 100
            elif unit.startswith("i"):
                metres = value * _CM_PER_IN / 100
            else:
                metres = value
        else:
            continue
        if 1.40 <= metres <= 2.30:  # adults; children's BMI is read against percentiles
            out.append(_Reading(metres, m.start(), m.end(), m.group(0).strip()))
    return out


_PEDIATRIC = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven)[- ](?:day|week|month)s?[- ]old\b|"
    r"\b(?:newborn|neonate|neonatal|infant)\b|\b(?:[1-9]|1[0-7])[- ](?:year|yr)s?[- ]old\b",
    re.IGNORECASE,
)


def is_pediatric(text: str) -> bool:
    """A child's note (adult SIRS rates and adult BMI cut-offs do not apply)."""
    return bool(_PEDIATRIC.search(text[:1500]))


def calculated_bmi(text: str) -> Measurement | None:
    """BMI (kg/m2, one decimal) from the note's first current weight and first height."""
    heights, weights = _heights(text), _weights(text)
    if not heights or not weights:
        return None
    h, w = heights[0], weights[0]
    bmi = round(w.value / (h.value * h.value), 1)
    if not 10 <= bmi <= 90:
        return None
    first, last = sorted((h, w), key=lambda r: r.start)
    return Measurement(
        "bmi",
        bmi,
        "kg/m2",
        first.start,
        last.end,
        text[first.start : last.end],
        sources=((h.start, h.end), (w.start, w.end)),
        derivation=f"calculated from height {_shown(h.text)} and weight {_shown(w.text)}",
    )
