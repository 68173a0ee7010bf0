"""A fitted confidence for each candidate code: logistic regression over what the candidate is.

The hand-set section and source weights of ``candidates`` and the ``coding`` adapter's pair
probability each rank candidates only roughly (on the development reports both give about
60% precision whatever the threshold). Here they become features with others a coder would
weigh — in which sections the code is documented and how often, whether it came from a
synonym, a title or word overlap, whether it is a symptom or an unspecified code — and one
logistic regression, fitted on the development reports only (``coding/labels/splits.tsv``),
turns them into a probability. The weights ship in ``data/ranker.json`` with the adapter
version they were fitted with; ``train_coding_ranker`` rebuilds them (seconds).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import codeset
from .candidates import Candidate

WEIGHTS_FILE = Path(__file__).parent / "data" / "ranker.json"
SECTIONS = (
    "assessment",
    "chief_complaint",
    "indication",
    "past_medical_history",
    "plan",
    "procedure",
    "hospital_course",
    "hpi",
    "preamble",
    "other",
    "social_history",
)
SOURCES = ("synonym", "title", "inclusion", "word", "embedding", "drug", "status")
FEATURES = (
    "bias",
    *(f"section:{name}" for name in SECTIONS),
    "sections",
    "mentions",
    *(f"source:{name}" for name in SOURCES),
    "symptom",
    "unspecified",
    "uncertain",
    "principal:diagnosis_header",
    "principal:chief_complaint",
    "lexical_score",
    "adapter_probability",
)


def features(candidate: Candidate, adapter_probability: float) -> np.ndarray:
    sections = {item.section for item in candidate.evidence}
    source = candidate.source.split(" ")[0]
    values = {
        "bias": 1.0,
        **{f"section:{name}": float(name in sections) for name in SECTIONS},
        "sections": float(len(sections)),
        "mentions": float(np.log1p(len(candidate.evidence))),
        **{f"source:{name}": float(source == name) for name in SOURCES},
        "symptom": float(candidate.code.startswith("R")),
        "unspecified": float(codeset.is_unspecified(candidate.code)),
        "uncertain": float(candidate.uncertain),
        "principal:diagnosis_header": float(candidate.principal_key[0] == 0),
        "principal:chief_complaint": float(candidate.principal_key[0] == 1),
        "lexical_score": candidate.score,
        "adapter_probability": adapter_probability,
    }
    return np.array([values[name] for name in FEATURES], dtype=np.float64)


def fit(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (the bias is not penalised)."""
    weights = np.zeros(rows.shape[1])
    penalty = np.full(rows.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        probability = 1.0 / (1.0 + np.exp(-(rows @ weights)))
        gradient = rows.T @ (probability - labels) + penalty * weights
        curvature = (rows * (probability * (1 - probability))[:, None]).T @ rows + np.diag(penalty + 1e-9)
        step = np.linalg.solve(curvature, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return weights


@dataclass
class RankerWeights:
    weights: np.ndarray
    threshold: float
    adapter_version: str
    meta: dict = field(default_factory=dict)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(rows @ self.weights)))

    def save(self, path: str | Path) -> None:
        data = {
            "features": list(FEATURES),
            "weights": [round(float(w), 6) for w in self.weights],
            "threshold": self.threshold,
            "adapter_version": self.adapter_version,
            **self.meta,
        }
        Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = WEIGHTS_FILE) -> RankerWeights:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data["features"] != list(FEATURES):
            raise ValueError(f"{path} was fitted on other features; run train_coding_ranker")
        meta = {
            k: v for k, v in data.items() if k not in ("features", "weights", "threshold", "adapter_version")
        }
        return cls(np.array(data["weights"]), float(data["threshold"]), data["adapter_version"], meta)


class LearnedRanker:
    """The fitted probability replaces each candidate's score; needs the adapter runtime."""

    name = "learned"

    def __init__(self, adapter, weights: RankerWeights | None = None) -> None:  # noqa: ANN001 - AdapterRanker
        self.adapter = adapter
        self.weights = weights or RankerWeights.load()
        if self.weights.adapter_version != adapter.version:
            raise ValueError(
                f"ranker weights fitted with adapter {self.weights.adapter_version}, runtime is {adapter.version}"
            )
        self.version = f"learned-{self.weights.meta.get('fitted', '')}+{adapter.version}"
        self.default_threshold = self.weights.threshold

    def feature_rows(self, candidates: Sequence[Candidate], text: str) -> np.ndarray:
        probabilities = self.adapter.probabilities(candidates, text)
        return np.array([features(c, p) for c, p in zip(candidates, probabilities, strict=True)])

    def rank(self, candidates: list[Candidate], text: str) -> list[Candidate]:
        if not candidates:
            return candidates
        scores = self.weights.probability(self.feature_rows(candidates, text))
        return [replace(c, score=float(s)) for c, s in zip(candidates, scores, strict=True)]
