"""The run-time model: a CTranslate2 encoder, its tokenizer and task head, loaded once.

Only ``ctranslate2``, ``tokenizers`` and ``numpy`` are imported here: no ``torch`` or
``transformers`` in a worker. CTranslate2 is not fork-safe, so workers get their encoder from
``get_encoder``, which creates it lazily in the process that uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ctranslate2
import numpy as np
from tokenizers import Tokenizer

from .cpu import apply_cpu_isa
from .errors import BUILD_HINT, RuntimeCorruptError, RuntimeMissingError
from .scoring import best_window, combine_embeddings, mean_pool, sigmoid
from .windows import (
    RUNTIME_MAX_PADDING,
    Window,
    WindowOptions,
    length_sorted_batches,
    load_tokenizer,
    pair_windows,
    text_windows,
)

RUNTIME_MANIFEST = "manifest.json"
CT2_FILES = ("model.bin", "config.json")
TOKENIZER_FILE = "tokenizer.json"
HEAD_FILE = "head.npz"
# Before any model loads: CTranslate2 reads its instruction set once per process (see cpu.py).
CPU_ISA = apply_cpu_isa()


@dataclass(frozen=True)
class PairScore:
    """The head's verdict on one ``(text_a, text_b)`` pair.

    For a ``text_b`` longer than one window, the score is the best window's and
    ``start``/``end`` are that window's character span in ``text_b``.
    """

    probability: float
    logit: float
    adapter: str
    version: str
    start: int
    end: int
    windows: int


@dataclass(frozen=True)
class RuntimeInfo:
    """What a runtime folder is: read from its manifest."""

    name: str
    version: str
    base_model: str
    base_model_sha256: str
    max_length: int
    stride: int
    max_query_tokens: int
    has_head: bool


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_runtime_manifest(runtime_dir: str | Path) -> dict:
    folder = Path(runtime_dir)
    if not folder.is_dir():
        raise RuntimeMissingError(f"No runtime model at {folder}; {BUILD_HINT}")
    path = folder / RUNTIME_MANIFEST
    if not path.is_file():
        raise RuntimeCorruptError(f"Runtime model at {folder} has no {RUNTIME_MANIFEST}; {BUILD_HINT}")
    try:
        manifest = json.loads(path.read_text())
        manifest["runtime"]["files"]
    except (ValueError, KeyError, TypeError):
        raise RuntimeCorruptError(f"Runtime manifest {path} is unreadable; {BUILD_HINT}") from None
    return manifest


def verify_runtime(runtime_dir: str | Path) -> dict:
    """Check every file the manifest lists is there with the digest it was built with."""
    folder = Path(runtime_dir)
    manifest = read_runtime_manifest(folder)
    for name, expected in manifest["runtime"]["files"].items():
        file = folder / name
        if not file.is_file():
            raise RuntimeCorruptError(f"Runtime model at {folder} lacks {name}; {BUILD_HINT}")
        if sha256_file(file) != expected:
            raise RuntimeCorruptError(f"Runtime model file {file} does not match its manifest; {BUILD_HINT}")
    return manifest


class ScoringModel:
    """Scoring and embedding over any ``pooled(windows)``: shared by the CTranslate2 runtime and
    the PyTorch reference, so both run exactly the same windows, batching and head."""

    info: RuntimeInfo
    options: WindowOptions
    tokenizer: Tokenizer
    batch_size: int
    _head_weight: np.ndarray | None
    _head_bias: float

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def version(self) -> str:
        return self.info.version

    def pooled(self, windows: Sequence[Window], batch_size: int | None = None) -> np.ndarray:
        raise NotImplementedError

    def score(self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None) -> list[PairScore]:
        """Probability that each ``text_b`` supports ``text_a``; long ``text_b`` is windowed (max)."""
        if self._head_weight is None:
            raise RuntimeCorruptError(f"Runtime {self.name!r} has no task head; it can only embed")
        if not pairs:
            return []
        windows = pair_windows(self.tokenizer, pairs, self.options)
        logits = self.pooled(windows, batch_size) @ self._head_weight + self._head_bias
        counts = [0] * len(pairs)
        for window in windows:
            counts[window.item] += 1
        scores = []
        for item, index in enumerate(best_window(windows, logits, len(pairs))):
            logit = float(logits[index])
            scores.append(
                PairScore(
                    probability=float(sigmoid(np.float64(logit))),
                    logit=logit,
                    adapter=self.name,
                    version=self.version,
                    start=windows[index].start,
                    end=windows[index].end,
                    windows=counts[item],
                )
            )
        return scores

    def score_long(self, text_a: str, text_b: str) -> PairScore:
        """One pair, ``text_b`` of any length."""
        return self.score([(text_a, text_b)])[0]

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """L2-normalised sentence embeddings, shape ``(len(texts), hidden)``; long texts are windowed."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        windows = text_windows(self.tokenizer, texts, self.options)
        return combine_embeddings(windows, self.pooled(windows, batch_size), len(texts))


class Encoder(ScoringModel):
    """A built runtime folder, ready to score pairs and embed texts.

    >>> encoder = Encoder("var/models/cdi", threads=1)
    >>> encoder.score([("undocumented diagnosis: hyponatremia", note_context)])[0].probability
    """

    def __init__(
        self,
        runtime_dir: str | Path,
        threads: int = 1,
        device: str = "cpu",
        batch_size: int = 16,
        verify: bool = True,
    ) -> None:
        self.runtime_dir = Path(runtime_dir)
        manifest = verify_runtime(self.runtime_dir) if verify else read_runtime_manifest(self.runtime_dir)
        runtime = manifest["runtime"]
        self.info = RuntimeInfo(
            name=manifest["name"],
            version=manifest["version"],
            base_model=manifest["base_model"],
            base_model_sha256=manifest["base_model_sha256"],
            max_length=int(runtime["max_length"]),
            stride=int(runtime["stride"]),
            max_query_tokens=int(runtime["max_query_tokens"]),
            has_head=HEAD_FILE in runtime["files"],
        )
        self.options = WindowOptions(self.info.max_length, self.info.stride, self.info.max_query_tokens)
        self.batch_size = batch_size
        try:
            self.tokenizer = load_tokenizer(str(self.runtime_dir / TOKENIZER_FILE))
            self._model = ctranslate2.Encoder(
                str(self.runtime_dir), device=device, intra_threads=threads, inter_threads=1
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise RuntimeCorruptError(
                f"Runtime model at {self.runtime_dir} failed to load ({exc}); {BUILD_HINT}"
            ) from None
        self._head_weight: np.ndarray | None = None
        self._head_bias = 0.0
        if self.info.has_head:
            with np.load(self.runtime_dir / HEAD_FILE) as head:
                self._head_weight = head["weight"].astype(np.float32).reshape(-1)
                self._head_bias = float(head["bias"].reshape(-1)[0])

    def pooled(self, windows: Sequence[Window], batch_size: int | None = None) -> np.ndarray:
        """Mean-pooled last hidden states, one row per window, in the windows' order."""
        out = np.zeros((len(windows), 0), dtype=np.float32)
        for batch in length_sorted_batches(windows, batch_size or self.batch_size, RUNTIME_MAX_PADDING):
            result = self._model.forward_batch(
                [windows[i].ids for i in batch], token_type_ids=[windows[i].type_ids for i in batch]
            )
            hidden = np.asarray(result.last_hidden_state)
            pooled = mean_pool(hidden, [len(windows[i].ids) for i in batch])
            if out.shape[1] == 0:
                out = np.zeros((len(windows), pooled.shape[1]), dtype=np.float32)
            out[batch] = pooled
        return out


_cache: dict[tuple[int, str, int], Encoder] = {}
_cache_lock = threading.Lock()


def _settings_default(attribute: str):
    # Only reached when a caller leaves a path out: a plain script passes it in and never imports Django.
    from django.conf import settings

    return getattr(settings, attribute)


def get_encoder(name: str, runtime_dir: str | Path | None = None, threads: int | None = None) -> Encoder:
    """The process's encoder for ``name``, created on first use in this process.

    ``runtime_dir`` is the root holding one folder per model (``INFERENCE_RUNTIME_DIR``);
    ``threads`` defaults to ``INFERENCE_THREADS``. Keyed by pid so a forked child never uses its
    parent's CTranslate2 object.
    """
    root = Path(runtime_dir if runtime_dir is not None else _settings_default("INFERENCE_RUNTIME_DIR"))
    n_threads = int(threads if threads is not None else _settings_default("INFERENCE_THREADS"))
    key = (os.getpid(), str((root / name).resolve()), n_threads)
    with _cache_lock:
        encoder = _cache.get(key)
        if encoder is None:
            for stale in [k for k in _cache if k[0] != key[0]]:
                del _cache[stale]
            encoder = Encoder(root / name, threads=n_threads)
            _cache[key] = encoder
        return encoder


def clear_encoders() -> None:
    """Drop cached encoders (after a rebuild, or in tests)."""
    with _cache_lock:
        _cache.clear()


def live_version(name: str, runtime_dir: str | Path | None = None) -> str:
    """The adapter version the built runtime for ``name`` serves (what results should record)."""
    root = Path(runtime_dir if runtime_dir is not None else _settings_default("INFERENCE_RUNTIME_DIR"))
    return str(read_runtime_manifest(root / name)["version"])
