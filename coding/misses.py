"""Where gold codes are lost, in aggregate: ICD-10-CM chapter x miss type, never per report.

Each gold code of a labelled note falls in one miss type, by the first stage of the
suggestion path that loses it:

- ``exact``: suggested character for character;
- ``sibling_suggested``: not suggested, but a code of its 3-character category is;
- ``candidate_unsuggested``: the exact code is a candidate that the threshold or the rules drop;
- ``sibling_candidate``: only another code of its category is a candidate, none suggested;
- ``no_candidate``: no candidate of its category at all.

Wrong suggestions (not a gold code of the note) are counted by chapter too. The counts carry
no report id, code or text, so held-out splits can be diagnosed without being inspected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .codeset import undotted

MISS_TYPES = ("exact", "sibling_suggested", "candidate_unsuggested", "sibling_candidate", "no_candidate")

# ICD-10-CM chapters by their first code (the chapter ranges of the tabular list).
_CHAPTERS = (
    ("A00", "A-B infectious"),
    ("C00", "C-D49 neoplasms"),
    ("D50", "D50-89 blood"),
    ("E00", "E endocrine"),
    ("F01", "F mental"),
    ("G00", "G nervous"),
    ("H00", "H00-59 eye"),
    ("H60", "H60-95 ear"),
    ("I00", "I circulatory"),
    ("J00", "J respiratory"),
    ("K00", "K digestive"),
    ("L00", "L skin"),
    ("M00", "M musculoskeletal"),
    ("N00", "N genitourinary"),
    ("O00", "O pregnancy"),
    ("P00", "P perinatal"),
    ("Q00", "Q congenital"),
    ("R00", "R symptoms/findings"),
    ("S00", "S-T injury/poisoning"),
    ("U00", "U special"),
    ("V00", "V-Y external causes"),
    ("Z00", "Z factors/status"),
)
CHAPTERS = tuple(name for _, name in _CHAPTERS)


def chapter(code: str) -> str:
    """The chapter of a code (``"I circulatory"``); the chapter ranges, not the first letter alone."""
    key = undotted(code)[:3].upper()
    found = CHAPTERS[0]
    for start, name in _CHAPTERS:
        if key >= start:
            found = name
    return found


def miss_type(code: str, suggested: set[str], candidates: set[str]) -> str:
    """Which stage loses ``code`` (undotted); ``suggested`` and ``candidates`` are undotted codes."""
    family = code[:3]
    if code in suggested:
        return "exact"
    if family in {c[:3] for c in suggested}:
        return "sibling_suggested"
    if code in candidates:
        return "candidate_unsuggested"
    if family in {c[:3] for c in candidates}:
        return "sibling_candidate"
    return "no_candidate"


@dataclass
class MissTable:
    """Counts only: (chapter, miss type) of gold codes, and wrong suggestions by chapter."""

    gold: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)
    # The first-listed gold code and the setting's rules, kept apart: they behave differently.
    first_listed: Counter = field(default_factory=Counter)
    by_setting: Counter = field(default_factory=Counter)
    # A gold code with no candidate of its category: where the lexicon matched its category
    # before the assertion and section filters dropped it (section kind), or "no lexicon match".
    no_candidate_mentions: Counter = field(default_factory=Counter)
    # Note structure: how many notes have each kind of section (assessment, chief complaint...).
    structure: Counter = field(default_factory=Counter)
    notes: int = 0

    def add(
        self,
        gold: Iterable[str],
        suggested: Iterable[str],
        candidates: Iterable[str],
        setting: str = "",
        mentions: dict[str, str] | None = None,
        section_kinds: Iterable[str] = (),
    ) -> None:
        """``mentions``: category -> section kind of its first lexicon match in the note, before any
        filter; ``section_kinds``: the kinds of the note's sections."""
        gold_codes = list(dict.fromkeys(undotted(c) for c in gold))
        suggested_codes = {undotted(c) for c in suggested}
        candidate_codes = {undotted(c) for c in candidates}
        self.notes += 1
        for index, code in enumerate(gold_codes):
            kind = miss_type(code, suggested_codes, candidate_codes)
            self.gold[(chapter(code), kind)] += 1
            if index == 0:
                self.first_listed[(chapter(code), kind)] += 1
            if setting:
                self.by_setting[(setting, kind)] += 1
            if kind == "no_candidate" and mentions is not None:
                self.no_candidate_mentions[mentions.get(code[:3], "no lexicon match")] += 1
        for kind in set(section_kinds):
            self.structure[kind] += 1
        for code in suggested_codes - set(gold_codes):
            self.wrong[chapter(code)] += 1

    def rows(self) -> list[dict]:
        """One row per chapter with any gold code or wrong suggestion, then a total row."""
        out = []
        for name in (*CHAPTERS, "total"):
            counts = {
                kind: sum(
                    v for (ch, k), v in self.gold.items() if k == kind and (name == "total" or ch == name)
                )
                for kind in MISS_TYPES
            }
            wrong = sum(self.wrong.values()) if name == "total" else self.wrong.get(name, 0)
            if name != "total" and not (any(counts.values()) or wrong):
                continue
            out.append({"chapter": name, "gold": sum(counts.values()), **counts, "wrong_suggestions": wrong})
        return out

    def as_dict(self) -> dict:
        return {
            "notes": self.notes,
            "chapters": self.rows(),
            "first_listed": {
                kind: sum(v for (_, k), v in self.first_listed.items() if k == kind) for kind in MISS_TYPES
            },
            "by_setting": {
                setting: {kind: self.by_setting.get((setting, kind), 0) for kind in MISS_TYPES}
                for setting in sorted({s for s, _ in self.by_setting})
            },
            "no_candidate_mentions": dict(self.no_candidate_mentions.most_common()),
            "notes_with_section": dict(sorted(self.structure.items())),
        }
