"""Secondary malignant neoplasms from how notes write metastases.

"liver metastases", "metastatic breast cancer to bone", "metastases to the brain": the site
(``data/metastasis_sites.tsv``) gives the secondary code (C77-C79). A metastasis written with
no site ("metastatic ovarian cancer", "metastatic disease") is C79.9, unless the note names a
site elsewhere. The primary is coded from the diagnosis lexicon as before.

Lymph-node involvement is written in more ways than "metastasis" ("4 of 30 lymph nodes
positive", "involved lymph nodes", "nodal metastases"): each is C77, the subcategory from the
region the note names (``data/lymph_nodes.tsv``); several regions are C77.8, and no region is
read from the primary cancer's regional nodes (``regional_nodes``) by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import tsv

SITES_FILE = Path(__file__).parent / "data" / "metastasis_sites.tsv"
UNKNOWN_SITE = "C79.9"
NODES_FILE = Path(__file__).parent / "data" / "lymph_nodes.tsv"
UNSPECIFIED_NODES = "C77.9"
MULTIPLE_NODE_REGIONS = "C77.8"
_METASTASIS = r"metasta(?:sis|ses|tic(?:\s+disease)?)"  # not "mets": exercise METs


@dataclass(frozen=True)
class Metastasis:
    code: str
    start: int
    end: int


@lru_cache(maxsize=1)
def sites() -> dict[str, str]:
    table = {}
    for site, code in tsv.rows(SITES_FILE):
        table[site.lower()] = code
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


@lru_cache(maxsize=1)
def _node_table() -> tuple[dict[str, str], dict[str, str]]:
    regions, primaries = {}, {}
    for kind, key, code in tsv.rows(NODES_FILE):
        (regions if kind == "region" else primaries)[key.lower() if kind == "region" else key] = code
    return regions, primaries


def regional_nodes(primary: str) -> str | None:
    """C77 subcategory of the regional lymph nodes of a primary cancer code ("C18.3" -> "C77.2")."""
    primaries = _node_table()[1]
    for length in (3, 2):
        if primary[:length] in primaries:
            return primaries[primary[:length]]
    return None


_COUNT = r"(?:[1-9]\d?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


@lru_cache(maxsize=1)
def _node_patterns() -> tuple[re.Pattern[str], ...]:
    region = "|".join(re.escape(r) for r in sorted(_node_table()[0], key=len, reverse=True))
    regions = (
        rf"(?P<regions>(?:(?:right|left|bilateral)\s+)?(?:(?:{region})(?:\s*,\s*|\s+and\s+|\s+)){{1,4}})?"
    )
    nodes = r"(?:lymph\s+nodes?|nodes|lymph\s+glands?|lymphadenopathy)"
    return (
        # "4 of 30 lymph nodes positive", "1 out of 53 nodes were positive for cancer"
        re.compile(
            rf"\b{_COUNT}\s+(?:out\s+)?of\s+\d+\s+{regions}{nodes}\s+(?:(?:were|was|are|is)\s+)?"
            rf"(?:positive|involved)\b",
            re.I,
        ),
        # "positive axillary lymph nodes", "involved lymph nodes", "metastatic lymphadenopathy"
        re.compile(rf"\b(?:positive|involved|metastatic|malignant)\s+{regions}{nodes}", re.I),
        # "pelvic lymph nodes were positive for carcinoma"
        re.compile(
            rf"{regions}{nodes}\s+(?:(?:were|was|are|is)\s+)?(?:positive|involved)\s+(?:for|with)\s+"
            r"(?:cancer|carcinoma|malignancy|tumor|metasta\w+|adenocarcinoma)",
            re.I,
        ),
        # "nodal metastases", "retroperitoneal nodal disease", "lymph node metastasis", "node-positive"
        re.compile(
            rf"{regions}(?:nodal|lymph\s+node)\s+(?:metasta\w+|involvement|disease)|\bnode-positive\b",
            re.I,
        ),
    )


def node_involvement(text: str) -> list[Metastasis]:
    """Each lymph-node involvement the text writes: C77.x for a named region, C77.8 for several
    regions, ``UNSPECIFIED_NODES`` where none is named (the caller may read the primary's)."""
    regions = _node_table()[0]
    found: list[Metastasis] = []
    taken: list[tuple[int, int]] = []
    for pattern in _node_patterns():
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            written = (match.groupdict().get("regions") or "").lower()
            codes = {code for word, code in regions.items() if re.search(rf"\b{re.escape(word)}\b", written)}
            code = codes.pop() if len(codes) == 1 else MULTIPLE_NODE_REGIONS if codes else UNSPECIFIED_NODES
            found.append(Metastasis(code, match.start(), match.end()))
            taken.append(match.span())
    return sorted(found, key=lambda m: m.start)
