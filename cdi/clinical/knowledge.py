"""The clinical knowledge base: per (category, condition), its terms, criteria and codes.

The knowledge lives in ``knowledge/kb.json`` (data, versioned); this module loads it
into dataclasses, compiles the term patterns once and validates every ICD-10-CM
code against ``simple_icd_10_cm``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from cdi.clinical.alternation import by_first_char

KB_PATH = Path(__file__).with_name("knowledge") / "kb.json"
PSEUDO_TREATMENTS = {"serial"}  # "serial values" counts as monitoring without a treatment term


class KnowledgeError(ValueError):
    pass


@dataclass(frozen=True)
class Criterion:
    indicator: str
    op: str
    value: float | None
    unit: str
    source: str
    note: str = ""

    def holds(self, measured: float) -> bool:
        if self.value is None:
            return True
        return {
            "<": measured < self.value,
            "<=": measured <= self.value,
            ">": measured > self.value,
            ">=": measured >= self.value,
        }.get(self.op, False)


def compile_terms(terms: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    return _compile_terms(tuple(terms)) if terms else None


@cache
def _compile_terms(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Cached: the rules compile some term lists on every note.
    ordered = sorted(terms, key=len, reverse=True)
    body = by_first_char("|".join(term.replace(" ", r"\s+") for term in ordered))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class ConditionKnowledge:
    category: str
    condition: str
    description: str
    rule: str
    chronic: bool
    documenting_terms: tuple[str, ...]
    specificity_terms: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    treatment_kinds: tuple[str, ...]
    unspecified_codes: tuple[str, ...]
    specific_codes: tuple[str, ...]
    severity_effect: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.category, self.condition)

    @cached_property
    def documenting(self) -> re.Pattern[str] | None:
        return compile_terms(self.documenting_terms)

    @cached_property
    def specificity(self) -> re.Pattern[str] | None:
        return compile_terms(self.specificity_terms)

    def terms(self, name: str) -> re.Pattern[str] | None:
        """A compiled list of extra terms (type_terms, cause_terms...)."""
        value = self.extra.get(name)
        return compile_terms(value) if isinstance(value, list) else None

    def criteria_for(self, indicator: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.indicator == indicator)

    @property
    def all_codes(self) -> tuple[str, ...]:
        return self.unspecified_codes + self.specific_codes


@dataclass(frozen=True)
class NoteType:
    """A kind of report the rules treat differently (kb.json `note_types`, each with its reason).

    A note is of the type when one of `header_terms` opens a line as a section header (none listed:
    no header needed) and at least `min_cues` different `cue_terms` occur in it; `suppress` names the
    "category/condition" pairs it raises no gap for ("*": none at all)."""

    name: str
    description: str
    header_terms: tuple[str, ...]
    cue_terms: tuple[str, ...]
    min_cues: int
    suppress: tuple[str, ...]
    reason: str

    @cached_property
    def header(self) -> re.Pattern[str] | None:
        if not self.header_terms:
            return None
        body = "|".join(term.replace(" ", r"[ \t]+") for term in self.header_terms)
        return re.compile(rf"^[ \t]*(?:{body})[ \t]*:", re.IGNORECASE | re.MULTILINE)

    @cached_property
    def cues(self) -> tuple[re.Pattern[str], ...]:
        return tuple(p for p in (compile_terms([term]) for term in self.cue_terms) if p is not None)

    def matches(self, text: str) -> bool:
        if self.header is not None and not self.header.search(text):
            return False
        return sum(1 for cue in self.cues if cue.search(text)) >= self.min_cues

    def suppresses(self, category: str, condition: str) -> bool:
        return "*" in self.suppress or f"{category}/{condition}" in self.suppress


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    vocabulary: dict[str, tuple[str, ...]]
    conditions: tuple[ConditionKnowledge, ...]
    note_types: tuple[NoteType, ...] = ()

    def note_types_of(self, text: str) -> tuple[NoteType, ...]:
        """The note types (autopsy, sleep study...) this note is recognised as."""
        return tuple(nt for nt in self.note_types if nt.matches(text))

    def get(self, category: str, condition: str) -> ConditionKnowledge:
        for item in self.conditions:
            if item.key == (category, condition):
                return item
        raise KeyError((category, condition))

    def is_known(self, category: str, condition: str) -> bool:
        return condition in self.vocabulary.get(category, ())


_KNOWN_FIELDS = {
    "category", "condition", "description", "rule", "chronic", "documenting_terms", "specificity_terms",
    "criteria", "treatment_kinds", "unspecified_codes", "specific_codes", "severity_effect",
}  # fmt: skip


def _condition_from(raw: dict[str, Any]) -> ConditionKnowledge:
    try:
        criteria = tuple(
            Criterion(
                c["indicator"], c["op"], c.get("value"), c.get("unit", ""), c["source"], c.get("note", "")
            )
            for c in raw["criteria"]
        )
        return ConditionKnowledge(
            category=raw["category"],
            condition=raw["condition"],
            description=raw["description"],
            rule=raw["rule"],
            chronic=bool(raw.get("chronic", False)),
            documenting_terms=tuple(raw["documenting_terms"]),
            specificity_terms=tuple(raw["specificity_terms"]),
            criteria=criteria,
            treatment_kinds=tuple(raw["treatment_kinds"]),
            unspecified_codes=tuple(raw["unspecified_codes"]),
            specific_codes=tuple(raw["specific_codes"]),
            severity_effect=raw["severity_effect"],
            extra={k: v for k, v in raw.items() if k not in _KNOWN_FIELDS},
        )
    except KeyError as missing:
        raise KnowledgeError(f"knowledge base entry lacks field {missing}") from None


def validate(kb: KnowledgeBase) -> list[str]:
    """Problems found in the knowledge base (empty when valid)."""
    import simple_icd_10_cm as icd

    from cdi.clinical.treatments import TREATMENT_PATTERNS

    problems: list[str] = []
    if not re.fullmatch(r"\d{4}\.\d{2}\.\d+", kb.version):
        problems.append(f"version {kb.version!r} is not YYYY.MM.N")
    covered = {item.key for item in kb.conditions}
    for category, conditions in kb.vocabulary.items():
        for condition in conditions:
            if (category, condition) not in covered:
                problems.append(f"no knowledge for {category}/{condition}")
    for item in kb.conditions:
        if not kb.is_known(*item.key):
            problems.append(f"{item.category}/{item.condition} is not in the vocabulary")
        for code in item.all_codes:
            if not icd.is_valid_item(code):
                problems.append(f"{item.category}/{item.condition}: invalid ICD-10-CM code {code}")
        for kind in item.treatment_kinds:
            if kind not in TREATMENT_PATTERNS and kind not in PSEUDO_TREATMENTS:
                problems.append(f"{item.category}/{item.condition}: unknown treatment kind {kind}")
        for criterion in item.criteria:
            if not criterion.source:
                problems.append(
                    f"{item.category}/{item.condition}: criterion {criterion.indicator} has no source"
                )
        for pattern in (item.documenting_terms, item.specificity_terms):
            try:
                compile_terms(pattern)
            except re.error as error:
                problems.append(f"{item.category}/{item.condition}: bad term pattern ({error})")
    for nt in kb.note_types:
        if not nt.reason:
            problems.append(f"note type {nt.name} has no reason")
        for pair in nt.suppress:
            if pair != "*" and not kb.is_known(*pair.partition("/")[::2]):
                problems.append(f"note type {nt.name}: unknown condition {pair}")
        try:
            nt.matches("")
        except re.error as error:
            problems.append(f"note type {nt.name}: bad term pattern ({error})")
    return problems


def _note_type_from(raw: dict[str, Any]) -> NoteType:
    return NoteType(
        name=raw["name"],
        description=raw["description"],
        header_terms=tuple(raw.get("header_terms", ())),
        cue_terms=tuple(raw["cue_terms"]),
        min_cues=int(raw.get("min_cues", 1)),
        suppress=tuple(raw["suppress"]),
        reason=raw.get("reason", ""),
    )


def load_knowledge(path: Path | str | None = None) -> KnowledgeBase:
    raw = json.loads(Path(path or KB_PATH).read_text(encoding="utf-8"))
    vocabulary = {category: tuple(names) for category, names in raw["vocabulary"].items()}
    conditions = tuple(_condition_from(item) for item in raw["conditions"])
    note_types = tuple(_note_type_from(item) for item in raw.get("note_types", ()))
    return KnowledgeBase(
        version=raw["version"], vocabulary=vocabulary, conditions=conditions, note_types=note_types
    )


@cache
def default_knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process and validated."""
    kb = load_knowledge()
    problems = validate(kb)
    if problems:
        raise KnowledgeError("; ".join(problems[:5]))
    return kb
