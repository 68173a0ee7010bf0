"""Pairs for the CDI classifier, built with the same candidate text as inference.

Each pair is (candidate description, context window) with label 1 when the note's
gold gaps hold the candidate's (category, condition). Sources: rule candidates at a
permissive floor, gold gaps the rules missed (window around the labeller's quoted
evidence), and mention negatives (a condition's words present, no gold gap).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cdi.clinical.detection import GapFinding, Span, candidate_pairs, detect_candidates
from cdi.clinical.knowledge import KnowledgeBase, default_knowledge


@dataclass(frozen=True)
class LabelledNote:
    id: str
    text: str
    gaps: frozenset[tuple[str, str]]
    evidence: tuple[tuple[str, str, str], ...] = ()  # (category, condition, verbatim quote)


@dataclass(frozen=True)
class TrainingPair:
    text_a: str
    text_b: str
    label: int
    group: str
    source: str
    category: str
    condition: str

    def as_dict(self) -> dict[str, object]:
        return {
            "text_a": self.text_a,
            "text_b": self.text_b,
            "label": self.label,
            "group": self.group,
            "source": self.source,
            "category": self.category,
            "condition": self.condition,
        }


def _finding(kb: KnowledgeBase, category: str, condition: str, spans: list[Span]) -> GapFinding:
    knowledge = kb.get(category, condition)
    return GapFinding(category, condition, 0.0, spans, description=knowledge.description)


def pairs_for_note(
    note: LabelledNote, kb: KnowledgeBase | None = None, max_mention_negatives: int = 3
) -> Iterator[TrainingPair]:
    kb = kb or default_knowledge()
    candidates = detect_candidates(note.text, kb=kb)
    seen = set()
    for finding, (text_a, text_b) in zip(candidates, candidate_pairs(note.text, candidates), strict=True):
        key = (finding.category, finding.condition)
        seen.add(key)
        yield TrainingPair(text_a, text_b, int(key in note.gaps), note.id, "rules", *key)
    extra: list[GapFinding] = []
    for category, condition, quote in note.evidence:
        if (category, condition) in seen or not kb.is_known(category, condition):
            continue
        start = note.text.find(quote) if quote else -1
        if start < 0:
            continue
        extra.append(_finding(kb, category, condition, [Span(start, start + len(quote), quote)]))
        seen.add((category, condition))
    for finding, (text_a, text_b) in zip(extra, candidate_pairs(note.text, extra), strict=True):
        yield TrainingPair(text_a, text_b, 1, note.id, "gold", finding.category, finding.condition)
    negatives: list[GapFinding] = []
    for knowledge in kb.conditions:
        if knowledge.key in seen or knowledge.key in note.gaps or knowledge.documenting is None:
            continue
        match = knowledge.documenting.search(note.text)
        if match is None:
            continue
        negatives.append(_finding(kb, *knowledge.key, [Span(match.start(), match.end(), match.group(0))]))
        if len(negatives) >= max_mention_negatives:
            break
    for finding, (text_a, text_b) in zip(negatives, candidate_pairs(note.text, negatives), strict=True):
        yield TrainingPair(text_a, text_b, 0, note.id, "mention", finding.category, finding.condition)


def build_pairs(notes: Iterable[LabelledNote], kb: KnowledgeBase | None = None) -> list[TrainingPair]:
    kb = kb or default_knowledge()
    return [pair for note in notes for pair in pairs_for_note(note, kb)]
