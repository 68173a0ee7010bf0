"""Numeric pieces shared by runtime, reference and training: pooling, head, combining windows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .windows import Window


def mean_pool(hidden: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
    """Mean over each row's real tokens (padding excluded), as sentence-transformers does."""
    mask = np.arange(hidden.shape[1])[None, :] < np.asarray(lengths)[:, None]
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def best_window(windows: Sequence[Window], logits: np.ndarray, n_items: int) -> list[int]:
    """For each item, the index of its highest-scoring window: a gap is supported if any part of
    the note supports it, so windows combine by max."""
    best = [-1] * n_items
    for index, window in enumerate(windows):
        current = best[window.item]
        if current < 0 or logits[index] > logits[current]:
            best[window.item] = index
    return best


def combine_embeddings(windows: Sequence[Window], pooled: np.ndarray, n_items: int) -> np.ndarray:
    """A long text's embedding: token-weighted mean of its windows' mean-pooled vectors, then L2."""
    total = np.zeros((n_items, pooled.shape[1]), dtype=np.float64)
    weight = np.zeros(n_items, dtype=np.float64)
    for index, window in enumerate(windows):
        total[window.item] += pooled[index] * len(window.ids)
        weight[window.item] += len(window.ids)
    return l2_normalise((total / np.maximum(weight, 1)[:, None]).astype(np.float32))
