"""Whether a diagnosis is a CC or an MCC (FY2026 Tables 6I, 6J and 6K).

The lists and the CC exclusions ship in the ``drg`` package and are read with its
``ComplicationResolver``. A CC or MCC does not count when the principal diagnosis
excludes it (Table 6K; E87.1 does not count as a CC when E87.1 itself, or a code in
its exclusion collection, is the principal), so pass ``principal`` when it is known.
``tests/impact`` checks these answers against the ``msdrg`` grouper.
"""

from __future__ import annotations

import threading

from drg.complications import ComplicationResolver
from drg.schemas import ComplicationLevel

from .codes import normalise_dx
from .grouper import Severity

_resolver: ComplicationResolver | None = None
_lock = threading.Lock()
_LEVELS: dict[ComplicationLevel, Severity] = {
    ComplicationLevel.MCC: "mcc",
    ComplicationLevel.CC: "cc",
    ComplicationLevel.NONE: "none",
}


def _get_resolver() -> ComplicationResolver:
    global _resolver
    if _resolver is None:
        with _lock:
            if _resolver is None:
                resolver = ComplicationResolver()
                resolver.load()  # about a second: parses the 209,000-line Table 6K
                _resolver = resolver
    return _resolver


def code_severity(code: str, principal: str | None = None) -> Severity:
    """``"mcc"``, ``"cc"`` or ``"none"`` for ``code`` as a secondary diagnosis.

    With ``principal`` the CC exclusions for that principal diagnosis apply;
    without it the answer is the code's list status alone.
    """
    code = normalise_dx(code)
    resolver = _get_resolver()
    if principal is None:
        if resolver.is_mcc(code):
            return "mcc"
        return "cc" if resolver.is_cc(code) else "none"
    # Discharge status does not enter the resolver's exclusion logic; "01" is a placeholder.
    level, _, _ = resolver.resolve(normalise_dx(principal), [code], "01")
    return _LEVELS[level]
