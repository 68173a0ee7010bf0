"""Secondary malignant neoplasms from how notes write metastases.

"liver metastases", "metastatic breast cancer to bone", "metastases to the brain": the site
(``data/metastasis_sites.tsv``) gives the secondary code (C77-C79). A metastasis written with
no site ("metastatic ovarian cancer", "metastatic disease") is C79.9, unless the note names a
site elsewhere. The primary is coded from the diagnosis lexicon as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SITES_FILE = Path(__file__).parent / "data" / "metastasis_sites.tsv"
UNKNOWN_SITE = "C79.9"
_METASTASIS = r"metasta(?:sis|ses|tic(?:\s+disease)?)"  # not "mets": exercise METs


@dataclass(frozen=True)
class Metastasis:
    code: str
    start: int
    end: int


@lru_cache(maxsize=1)
def sites() -> dict[str, str]:
    table = {}
    for line in SITES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            site, code = line.split("\t")
            table[site.strip().lower()] = code.strip()
    return table


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    site = "(?P<site>" + "|".join(re.escape(s) for s in sorted(sites(), key=len, reverse=True)) + ")"
    before = re.compile(rf"\b{site}\s+(?:{_METASTASIS})\b", re.I)
    after = re.compile(rf"(?<!non-)\b(?:{_METASTASIS})\b[^.;:\n]{{0,40}}?\bto\s+(?:the\s+)?{site}\b", re.I)
    bare = re.compile(rf"(?<!non-)\b(?:{_METASTASIS})\b", re.I)
    return before, after, bare


def metastases(text: str) -> list[Metastasis]:
    """Each metastasis the text writes, with its site's code (C79.9 where no site is written)."""
    before, after, bare = _patterns()
    found: list[Metastasis] = []
    covered: list[tuple[int, int]] = []
    for pattern in (before, after):
        for match in pattern.finditer(text):
            found.append(Metastasis(sites()[match.group("site").lower()], match.start(), match.end()))
            covered.append(match.span())
    for match in bare.finditer(text):
        if not any(s <= match.start() < e for s, e in covered):
            found.append(Metastasis(UNKNOWN_SITE, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)
