"""Ranking candidates with the ``coding`` pair-classifier adapter, when its runtime is built.

The adapter reads ``(passage, code title)`` pairs: the passage is the sentence holding the
candidate's best evidence span. Its probability is averaged with the lexical score, so a
phrase match the adapter doubts falls under the threshold while one it confirms rises.
Without a built runtime the lexical score stands alone (``LexicalRanker``). With the runtime
and the fitted weights of ``learned`` (``LearnedRanker``), the adapter probability is one
feature of a logistic regression that gives the final confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from cdi.clinical.context import ClinicalText

from .candidates import Candidate
from .learned import LearnedRanker

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

    def probabilities(self, candidates: Sequence[Candidate], text: str) -> list[float]:
        """The adapter's probability that each candidate's code fits the sentence of its first evidence."""
        if not candidates:
            return []
        doc = ClinicalText(text)
        pairs = []
        for candidate in candidates:
            first = candidate.evidence[0]
            start, end = doc.sentence(first.start)
            pairs.append((text[start:end].strip() or first.text, candidate.title))
        return [s.probability for s in self.encoder.score(pairs)]

    def rank(self, candidates: list[Candidate], text: str) -> list[Candidate]:
        if not candidates:
            return candidates
        return [
            replace(c, score=(1 - self.weight) * c.score + self.weight * p)
            for c, p in zip(candidates, self.probabilities(candidates, text), strict=True)
        ]


Ranker = LexicalRanker | AdapterRanker | LearnedRanker


def default_ranker(runtime_dir: str | Path | None = None) -> Ranker:
    """The fitted ranker when the ``coding`` runtime is built and the weights match it, else the
    adapter alone, else the lexical scores."""
    try:
        adapter = AdapterRanker(runtime_dir)
    except Exception:  # noqa: BLE001 - any missing/corrupt runtime falls back to lexical ranking
        return LexicalRanker()
    try:
        return LearnedRanker(adapter)
    except (OSError, ValueError, KeyError):
        return adapter
