"""`simple_icd_10_cm`, imported on first use.

Importing the package parses the whole FY2026 tabular list (seconds of CPU), so modules that only
might need it (the URLconf imports the coder's views) should not pay for it at import time."""

from __future__ import annotations

import importlib
from types import ModuleType


class _LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


icd = _LazyModule("simple_icd_10_cm")
