"""Errors the runtime raises, each naming the command that fixes it."""

from __future__ import annotations

BUILD_HINT = "run `python manage.py build_models`"


class InferenceError(Exception):
    """Base class for inference errors."""


class RuntimeMissingError(InferenceError):
    """The runtime folder for a model does not exist (the models were never built here)."""


class RuntimeCorruptError(InferenceError):
    """The runtime folder exists but cannot be used (partial copy, edited or truncated files)."""


class AdapterError(InferenceError):
    """An adapter folder, its LIVE pointer or its training data is missing or inconsistent."""


class BaseModelError(InferenceError):
    """The configured base model cannot be found."""
