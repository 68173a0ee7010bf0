"""Ranking candidates with the ``coding`` pair-classifier adapter, when its runtime is built.

The adapter reads ``(passage, code title)`` pairs: the passage is the sentence holding the
candidate's best evidence span. Its probability is averaged with the lexical score, so a
phrase match the adapter doubts falls under the threshold while one it confirms rises.
Without a built runtime the lexical score stands alone (``LexicalRanker``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cdi.clinical.context import ClinicalText

from .candidates import Candidate

ADAPTER_NAME = "coding"


class LexicalRanker:
    name = "lexical"
    version = "lexical-1"
    # Chosen on coding-dev + the coding-extra train split (README): recall ~0.55, precision ~0.60.
    default_threshold = 0.5

    def rank(self, candidates: list[Candidate], text: str) -> list[Candidate]:
        return candidates


class AdapterRanker:
    """Averages the lexical score with the adapter's pair probability."""

    name = "coding-adapter"
    # The averaged score runs lower; 0.35 gives about the lexical operating point (README).
    default_threshold = 0.35

    def __init__(self, runtime_dir: str | Path | None = None, weight: float = 0.5) -> None:
        from inference import get_encoder, live_version

        self.encoder = get_encoder(ADAPTER_NAME, runtime_dir)
        self.version = live_version(ADAPTER_NAME, runtime_dir)
        self.weight = weight

    def rank(self, candidates: list[Candidate], text: str) -> list[Candidate]:
        if not candidates:
            return candidates
        doc = ClinicalText(text)
        pairs = []
        for candidate in candidates:
            first = candidate.evidence[0]
            start, end = doc.sentence(first.start)
            pairs.append((text[start:end].strip() or first.text, candidate.title))
        scores = self.encoder.score(pairs)
        return [
            replace(c, score=(1 - self.weight) * c.score + self.weight * s.probability)
            for c, s in zip(candidates, scores, strict=True)
        ]


def default_ranker(runtime_dir: str | Path | None = None) -> LexicalRanker | AdapterRanker:
    """The adapter ranker when a ``coding`` runtime is built, else the lexical one."""
    try:
        return AdapterRanker(runtime_dir)
    except Exception:  # noqa: BLE001 - any missing/corrupt runtime falls back to lexical ranking
        return LexicalRanker()
