"""Models for CDI: one base encoder, LoRA adapters, and a CTranslate2 runtime for the workers.

Importing this package loads only the runtime (CTranslate2, tokenizers, numpy); training and
building import PyTorch from their own modules.
"""

from __future__ import annotations

from .errors import AdapterError, BaseModelError, InferenceError, RuntimeCorruptError, RuntimeMissingError
from .runtime import Encoder, PairScore, RuntimeInfo, clear_encoders, get_encoder, live_version

__all__ = [
    "AdapterError",
    "BaseModelError",
    "Encoder",
    "InferenceError",
    "PairScore",
    "RuntimeCorruptError",
    "RuntimeInfo",
    "RuntimeMissingError",
    "clear_encoders",
    "get_encoder",
    "live_version",
]
