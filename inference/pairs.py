"""Pair-classification training data: reading JSONL, the held-out split, and metrics.

One JSON object per line: ``{"text_a": str, "text_b": str, "label": 0|1}``; other keys are
kept out of the model. A ``group`` key decides the split, so all pairs built from one code
category or one report land on the same side and the held-out figures measure generalisation.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AdapterError


@dataclass(frozen=True)
class PairExample:
    text_a: str
    text_b: str
    label: int
    split_key: str


@dataclass(frozen=True)
class HoldoutMetrics:
    examples: int
    positives: int
    auc: float | None
    accuracy: float | None
    loss: float | None
    # The same split scored by cosine similarity of the *base* embeddings of text_a and text_b:
    # what the adapter has to beat.
    base_cosine_auc: float | None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_pairs(path: Path) -> list[PairExample]:
    """Parse and validate a JSONL pair file; errors name the line, never its text."""
    examples: list[PairExample] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise AdapterError(f"{path}:{number}: not valid JSON") from None
            if not isinstance(row, dict):
                raise AdapterError(f"{path}:{number}: expected a JSON object")
            text_a, text_b, label = row.get("text_a"), row.get("text_b"), row.get("label")
            if not isinstance(text_a, str) or not isinstance(text_b, str):
                raise AdapterError(f"{path}:{number}: text_a and text_b must be strings")
            if label not in (0, 1) or isinstance(label, bool):
                raise AdapterError(f"{path}:{number}: label must be 0 or 1")
            group = row.get("group")
            key = str(group) if group is not None else json.dumps([text_a, text_b, label])
            examples.append(PairExample(text_a, text_b, int(label), key))
    if not examples:
        raise AdapterError(f"{path}: no training pairs")
    return examples


def is_held_out(split_key: str, percent: int) -> bool:
    """Deterministic: the same key is held out on every machine and every run."""
    bucket = int.from_bytes(hashlib.sha256(split_key.encode()).digest()[:8], "big") % 100
    return bucket < percent


def split_holdout(
    examples: Sequence[PairExample], percent: int
) -> tuple[list[PairExample], list[PairExample]]:
    train = [e for e in examples if not is_held_out(e.split_key, percent)]
    held = [e for e in examples if is_held_out(e.split_key, percent)]
    return train, held


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Mann-Whitney AUC with ties counted half; None when one class is absent."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_scores = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def binary_metrics(
    labels: Sequence[int], probabilities: Sequence[float]
) -> tuple[float | None, float | None]:
    """(accuracy at 0.5, mean log loss)."""
    if not labels:
        return None, None
    y = np.asarray(labels, dtype=np.float64)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    accuracy = float(((p >= 0.5) == (y == 1)).mean())
    loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
    return accuracy, loss if math.isfinite(loss) else None


def read_group_ids(path: Path) -> frozenset[str]:
    """The ``id`` of every line of a labelled JSONL set (e.g. an evaluation set to keep out of training)."""
    ids = set()
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    raise AdapterError(f"{path}:{number}: expected a JSON object with an id") from None
    return frozenset(ids)
