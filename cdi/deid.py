"""Remove patient identifiers from text before it leaves the product as training data.

Safe-Harbor style, by pattern and by the identifiers the database knows for the encounter:
names, MRNs and account numbers, phone and fax numbers, e-mail addresses, street addresses,
ZIP codes, SSNs, and dates (shifted by a per-patient offset, so intervals are kept)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
ZIP = re.compile(r"\b(?:[A-Z]{2}\s+)\d{5}(?:-\d{4})?\b")
STREET = re.compile(
    r"\b\d{1,6}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b\.?"
)
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?")
MRN_LIKE = re.compile(
    r"\b(?:MRN|medical record(?: number)?|account(?: number)?|acct)[:#\s]*[A-Z0-9-]{4,}\b", re.I
)
DATE_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?![\d/])")
DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


@dataclass(frozen=True)
class Identity:
    """What the database knows about the patient and encounter, to remove by value."""

    key: str  # stable per patient: picks the date shift
    names: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


def date_shift_days(key: str) -> int:
    """A per-patient shift of 30 to 365 days back, stable across exports."""
    digest = hashlib.sha256(f"cdi-deid:{key}".encode()).digest()
    return 30 + int.from_bytes(digest[:4], "big") % 336


def _shift(date: dt.date, days: int) -> dt.date:
    return date - dt.timedelta(days=days)


def _numeric_date(match: re.Match, days: int) -> str:
    month, day, year = (int(g) for g in match.groups())
    if year < 100:
        year += 2000 if year < 50 else 1900
    try:
        shifted = _shift(dt.date(year, month, day), days)
    except ValueError:
        return "[DATE]"
    return f"{shifted.month}/{shifted.day}/{shifted.year}"


def _iso_date(match: re.Match, days: int) -> str:
    try:
        shifted = _shift(dt.date(*(int(g) for g in match.groups())), days)
    except ValueError:
        return "[DATE]"
    return shifted.isoformat()


def _literal(values: Iterable[str]) -> re.Pattern | None:
    parts = sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in parts) + r")\b", re.I)


def deidentify(text: str, identity: Identity) -> str:
    days = date_shift_days(identity.key)
    out = text
    if (known_ids := _literal(identity.identifiers)) is not None:
        out = known_ids.sub("[ID]", out)
    name_parts = [part for name in identity.names for part in [name, *name.split()] if len(part) >= 3]
    if (known_names := _literal(name_parts)) is not None:
        out = known_names.sub("[NAME]", out)
    out = MRN_LIKE.sub("[ID]", out)
    out = EMAIL.sub("[EMAIL]", out)
    out = SSN.sub("[SSN]", out)
    out = PHONE.sub("[PHONE]", out)
    out = STREET.sub("[ADDRESS]", out)
    out = ZIP.sub("[ZIP]", out)
    out = TITLED_NAME.sub("[NAME]", out)
    out = DATE_NUMERIC.sub(lambda m: _numeric_date(m, days), out)
    out = DATE_ISO.sub(lambda m: _iso_date(m, days), out)
    return out
