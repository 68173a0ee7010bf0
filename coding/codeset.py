"""The ICD-10-CM code set (FY2026, from ``simple_icd_10_cm``) and the notes it carries.

Everything here is plain Python over the classification itself: which codes are billable,
which need a 7th character, and the code ranges named by "Excludes1", "code first" and
"use additional code" notes (read from the code and all its ancestors, as the
classification's conventions say the notes apply to everything below them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cdi.icd10 import icd

CODESET_VERSION = "ICD-10-CM FY2026 (simple-icd-10-cm 1.5.0)"

# A code or code range inside a note: "E10.-", "N18.1-N18.6", "O10-O11", "Z79.4".
_CODE = r"[A-TV-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"
_RANGE = re.compile(rf"\b({_CODE})(?:\.-)?(?:\s*-\s*({_CODE})(?:\.-)?)?")


@dataclass(frozen=True)
class CodeRange:
    """Codes from ``low`` to ``high`` (dot-less prefixes, inclusive at their own length)."""

    low: str
    high: str

    def contains(self, code: str) -> bool:
        bare = undotted(code)
        return self.low <= bare[: len(self.low)] and bare[: len(self.high)] <= self.high

    def label(self) -> str:
        low, high = dotted(self.low), dotted(self.high)
        return low if low == high else f"{low}-{high}"


def undotted(code: str) -> str:
    return code.replace(".", "").strip().upper()


def dotted(code: str) -> str:
    bare = undotted(code)
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def exists(code: str) -> bool:
    return icd.is_valid_item(dotted(code))


def is_billable(code: str) -> bool:
    """A leaf of the classification (for 7th-character codes, the full 7-character code)."""
    code = dotted(code)
    # "B20" names both a block and its only category, so test for a (sub)category, not "not a block".
    return icd.is_valid_item(code) and icd.is_leaf(code) and icd.is_category_or_subcategory(code)


def title(code: str) -> str:
    code = dotted(code)
    return icd.get_description(code) if icd.is_valid_item(code) else ""


def is_unspecified(code: str) -> bool:
    text = title(code).lower()
    return "unspecified" in text or "without complications" in text


@lru_cache(maxsize=1)
def _titles_by_family() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for code in billable_codes():
        out.setdefault(family(code), {})[title(code).lower()] = code
    return out


def family_codes(category: str) -> tuple[str, ...]:
    """The billable codes of a 3-character category."""
    return tuple(_titles_by_family().get(category, {}).values())


def lateral_variant(code: str, side: str) -> str | None:
    """The code's sibling for ``side`` (right/left/bilateral) when its title says "unspecified" side.

    The classification words sides uniformly: "... of unspecified female breast" becomes
    "... of right female breast"; the last "unspecified" is the side.
    """
    text = title(code).lower()
    index = text.rfind("unspecified")
    if index < 0 or side not in ("right", "left", "bilateral"):
        return None
    wanted = text[:index] + side + text[index + len("unspecified") :]
    titles = _titles_by_family().get(family(code), {})
    if wanted in titles:
        return titles[wanted]
    # "bilateral upper limbs": the side may make the site plural.
    singular = _singular_words(wanted)
    return next((c for t, c in titles.items() if _singular_words(t) == singular), None)


def sided_codes(code: str, side: str | None) -> list[str]:
    """The code(s) for a side written beside it: its lateral sibling; for "bilateral" where the
    classification has no bilateral code, the right and the left one; else the code itself."""
    if side is None:
        return [code]
    variant = lateral_variant(code, side)
    if variant:
        return [variant]
    if side == "bilateral":
        both = [lateral_variant(code, "right"), lateral_variant(code, "left")]
        if all(both):
            bilateral = _bilateral_sibling(both[0] or "")
            return [bilateral] if bilateral else [c for c in both if c]
    return [code]


def _title_words(code: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", title(code).lower())) - {"of", "unspecified"}


def _bilateral_sibling(right_code: str) -> str | None:
    """ "Unilateral primary osteoarthritis, right knee" -> "Bilateral primary osteoarthritis of knee":
    a bilateral code elsewhere in the category, found by its title's words."""
    wanted = (_title_words(right_code) - {"right", "unilateral"}) | {"bilateral"}
    return next((c for c in family_codes(family(right_code)) if _title_words(c) == wanted), None)


def _singular_words(text: str) -> str:
    return " ".join(word.removesuffix("s") for word in text.split())


def family(code: str) -> str:
    return undotted(code)[:3]


def inclusion_terms(code: str) -> list[str]:
    code = dotted(code)
    return list(icd.get_inclusion_term(code)) if icd.is_valid_item(code) else []


def _note_lines(value: str | list[str]) -> list[str]:
    # The library gives Excludes1 as a list but "code first"/"use additional" as one string.
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    return list(value)


def _ancestors_and_self(code: str) -> list[str]:
    code = dotted(code)
    if not icd.is_valid_item(code):
        return []
    return [code, *icd.get_ancestors(code)]


def seventh_character_options(code: str) -> dict[str, str]:
    """The 7th characters a code takes (``{}`` when it takes none), from its nearest definition."""
    for ancestor in _ancestors_and_self(code):
        options = icd.get_seven_chr_def(ancestor)
        if options:
            return dict(options)
    return {}


def needs_seventh_character(code: str) -> bool:
    code = dotted(code)
    return bool(icd.is_valid_item(code) and not icd.is_leaf(code) and seventh_character_options(code))


def with_seventh_character(code: str, character: str = "A") -> str | None:
    """The billable code for ``code`` with its 7th character (placeholder X where the code is short)."""
    code = dotted(code)
    if is_billable(code):
        return code
    if not seventh_character_options(code) or character not in seventh_character_options(code):
        return None
    bare = undotted(code)
    full = dotted(bare.ljust(6, "X") + character)
    return full if is_billable(full) else None


def ranges_in(notes: list[str]) -> list[CodeRange]:
    """The code ranges named in the parentheses of classification notes."""
    found: list[CodeRange] = []
    for note in notes:
        for group in re.findall(r"\(([^()]*)\)", note):
            for match in _RANGE.finditer(group):
                low = undotted(match.group(1))
                high = undotted(match.group(2)) if match.group(2) else low
                found.append(CodeRange(low, high))
    return found


@lru_cache(maxsize=20000)
def excludes1(code: str) -> tuple[CodeRange, ...]:
    notes: list[str] = []
    for ancestor in _ancestors_and_self(code):
        notes.extend(_note_lines(icd.get_excludes1(ancestor)))
    return tuple(ranges_in(notes))


@lru_cache(maxsize=20000)
def code_first(code: str) -> tuple[CodeRange, ...]:
    notes: list[str] = []
    for ancestor in _ancestors_and_self(code):
        notes.extend(_note_lines(icd.get_code_first(ancestor)))
    return tuple(ranges_in(notes))


@lru_cache(maxsize=20000)
def use_additional(code: str) -> tuple[CodeRange, ...]:
    notes: list[str] = []
    for ancestor in _ancestors_and_self(code):
        notes.extend(_note_lines(icd.get_use_additional_code(ancestor)))
    return tuple(ranges_in(notes))


@lru_cache(maxsize=20000)
def associated_symptoms(code: str) -> tuple[CodeRange, ...]:
    """The symptom codes a "use additional code for associated symptoms" note lists (N40.1: nocturia
    R35.1, urinary frequency R35.0, weak urinary stream R39.12...); empty for any other note."""
    notes: list[str] = []
    for ancestor in _ancestors_and_self(code):
        note = icd.get_use_additional_code(ancestor)
        if isinstance(note, str) and re.search(r"associated (?:signs and )?symptoms", note, re.I):
            notes.extend(_note_lines(note))
    return tuple(ranges_in(notes))


def excludes_each_other(a: str, b: str) -> bool:
    """Excludes1: the two codes are never reported together (either code's note suffices)."""
    if family(a) == family(b) and undotted(a) == undotted(b):
        return False
    return any(r.contains(b) for r in excludes1(a)) or any(r.contains(a) for r in excludes1(b))


@lru_cache(maxsize=1)
def billable_codes() -> tuple[str, ...]:
    """Every billable code, dotted, in classification order."""
    codes = (
        c for c in icd.get_all_codes(with_dots=True) if icd.is_leaf(c) and icd.is_category_or_subcategory(c)
    )
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class CodeMatch:
    code: str
    title: str


def search(query: str, limit: int = 20) -> list[CodeMatch]:
    """Billable codes by code prefix ("E11.2", "e112") or by words in the title (all must appear)."""
    query = query.strip()
    if not query:
        return []
    out: list[CodeMatch] = []
    if re.fullmatch(r"[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]{0,4}", query):
        prefix = undotted(query)
        for code in billable_codes():
            if undotted(code).startswith(prefix):
                out.append(CodeMatch(code, title(code)))
                if len(out) >= limit:
                    return out
        if out:
            return out
    words = [w for w in re.findall(r"[a-z0-9]+", query.lower()) if len(w) > 1]
    if not words:
        return out
    for code, text in _search_titles():
        if all(w in text for w in words):
            out.append(CodeMatch(code, title(code)))
            if len(out) >= limit:
                break
    return out


@lru_cache(maxsize=1)
def _search_titles() -> tuple[tuple[str, str], ...]:
    rows = []
    for code in billable_codes():
        words = " ".join([title(code), *inclusion_terms(code)]).lower()
        rows.append((code, words))
    # Shorter titles first: "Heart failure, unspecified" before its long siblings.
    rows.sort(key=lambda row: len(title(row[0])))
    return tuple(rows)
