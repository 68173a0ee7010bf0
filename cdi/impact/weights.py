"""FY2026 MS-DRG relative weights and mean lengths of stay (CMS Table 5).

The table ships inside the ``drg`` package (``drg/data/cms/drg_weights.txt``, the
FY 2026 Final Rule Table 5) and is read with that package's own ``CodeRegistry``.
The weight used is the column CMS pays on, "Weights - 10% Cap Applied".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.metadata import version

from drg.registry import CodeRegistry

WEIGHTS_VERSION = f"CMS FY 2026 Final Rule Table 5, weights with 10% cap applied (drg {version('drg')})"

_registry: CodeRegistry | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class DrgWeight:
    drg: str
    title: str
    mdc: str
    drg_type: str  # "MED" or "SURG"
    relative_weight: Decimal
    geometric_mean_los: Decimal | None
    arithmetic_mean_los: Decimal | None
    weights_version: str = WEIGHTS_VERSION


def _get_registry() -> CodeRegistry:
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                registry = CodeRegistry()
                registry.load()
                _registry = registry
    return _registry


def _decimal(value: float | None) -> Decimal | None:
    # repr() of a float parsed from "0.6285" is "0.6285": going through str keeps
    # the four printed decimals exactly instead of the binary approximation.
    return None if value is None else Decimal(repr(value))


def drg_weight(drg: str | int) -> DrgWeight | None:
    """Table 5 row for an MS-DRG (``195``, ``"195"`` or ``"5"``), or None if it has none.

    DRGs 998 and 999 (ungroupable) have no weight.
    """
    return _drg_weight(str(drg).strip().zfill(3))


@cache
def _drg_weight(drg: str) -> DrgWeight | None:
    ref = _get_registry().lookup_drg(drg)
    if ref is None:
        return None
    return DrgWeight(
        drg=ref.drg_code,
        title=ref.description,
        mdc=ref.mdc,
        drg_type=ref.drg_type,
        relative_weight=_decimal(ref.weight),
        geometric_mean_los=_decimal(ref.geometric_los),
        arithmetic_mean_los=_decimal(ref.arithmetic_los),
    )
