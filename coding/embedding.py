"""An embedding index of the billable ICD-10-CM titles, built with the base model.

``build_coding_index`` embeds every billable code's title with the ``base`` runtime's
``embed`` (mean-pooled, L2-normalised) and stores float16 vectors under ``var/`` — never
in the repository (74,719 x 384 x 2 bytes, about 57 MB). At run time the index finds the
nearest titles to a diagnosis statement that neither the phrase lexicon nor the
word-overlap matcher could place; those candidates carry a low confidence for the coder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import codeset

VECTORS = "vectors.npy"
CODES = "codes.json"
MANIFEST = "manifest.json"

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Neighbour:
    code: str
    similarity: float


class EmbeddingIndex:
    def __init__(self, codes: list[str], vectors: np.ndarray, model_version: str = "") -> None:
        if len(codes) != vectors.shape[0]:
            raise ValueError("codes and vectors differ in length")
        self.codes = codes
        self.vectors = vectors
        self.model_version = model_version
        self._matrix: np.ndarray | None = None

    @property
    def matrix(self) -> np.ndarray:
        # float16 on disk, float32 in memory (about 115 MB): numpy has no fast float16 product.
        if self._matrix is None:
            self._matrix = np.asarray(self.vectors, dtype=np.float32)
        return self._matrix

    def nearest(self, query: np.ndarray, k: int = 5) -> list[Neighbour]:
        """``query``: one L2-normalised vector; cosine similarity is a dot product."""
        scores = self.matrix @ query.astype(np.float32).reshape(-1)
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        top = top[np.argsort(-scores[top])]
        return [Neighbour(self.codes[i], float(scores[i])) for i in top]

    def save(self, folder: str | Path) -> None:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / VECTORS, self.vectors.astype(np.float16))
        (out / CODES).write_text(json.dumps(self.codes))
        manifest = {
            "codes": len(self.codes),
            "dims": int(self.vectors.shape[1]),
            "codeset": codeset.CODESET_VERSION,
            "model_version": self.model_version,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2))

    @classmethod
    def load(cls, folder: str | Path) -> EmbeddingIndex:
        path = Path(folder)
        manifest = json.loads((path / MANIFEST).read_text())
        codes = json.loads((path / CODES).read_text())
        vectors = np.load(path / VECTORS, mmap_mode="r")
        return cls(codes, vectors, manifest.get("model_version", ""))


def build_index(
    embed: Embed,
    codes: Sequence[str] | None = None,
    batch_size: int = 256,
    model_version: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> EmbeddingIndex:
    """Embed each code's title (batched); ``embed`` is ``Encoder.embed`` of the base runtime."""
    codes = list(codes if codes is not None else codeset.billable_codes())
    chunks: list[np.ndarray] = []
    for start in range(0, len(codes), batch_size):
        batch = codes[start : start + batch_size]
        chunks.append(np.asarray(embed([codeset.title(code) for code in batch]), dtype=np.float16))
        if progress is not None:
            progress(min(start + batch_size, len(codes)), len(codes))
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float16)
    return EmbeddingIndex(codes, vectors, model_version)


class Retriever:
    """Nearest code titles for statements: the index plus the model that embeds the query."""

    def __init__(self, index: EmbeddingIndex, embed: Embed, min_similarity: float = 0.8) -> None:
        self.index = index
        self.embed = embed
        self.min_similarity = min_similarity

    def __call__(self, statements: Sequence[str]) -> list[Neighbour | None]:
        if not statements:
            return []
        vectors = np.asarray(self.embed(list(statements)), dtype=np.float32)
        out: list[Neighbour | None] = []
        for vector in vectors:
            best = self.index.nearest(vector, k=1)[0]
            out.append(best if best.similarity >= self.min_similarity else None)
        return out


_retrievers: dict[tuple[int, str], Retriever] = {}


def default_retriever(index_dir: str | Path | None = None) -> Retriever | None:
    """The retriever when both the index and the base runtime are built; else ``None``.

    Cached per process (the index is loaded once per worker, after the fork).
    """
    import os

    try:
        from django.conf import settings

        from inference import get_encoder

        folder = Path(index_dir or Path(settings.VAR_DIR) / "coding" / "index")
        if not (folder / MANIFEST).is_file():
            return None
        key = (os.getpid(), str(folder.resolve()))
        if key not in _retrievers:
            _retrievers[key] = Retriever(EmbeddingIndex.load(folder), get_encoder("base").embed)
        return _retrievers[key]
    except Exception:  # noqa: BLE001 - no runtime: lexical candidates only
        return None
