"""Normalising and format-checking ICD-10-CM and ICD-10-PCS codes.

Codes arrive with or without the dot (``J18.9`` / ``J189``) and in any case. The
grouper wants them dotless and upper case; everything in this package stores that
canonical form so that "J18.9" and "j189" are the same code when comparing.

Only the *shape* is checked here. Whether a diagnosis code exists in the FY2026
code set is decided by the grouper itself (see ``grouper.group``).
"""

from __future__ import annotations

import re

# ICD-10-CM: letter, digit, alphanumeric, then up to four more characters after
# an optional dot. "U" codes (U07.1 COVID-19) are valid, so every letter is allowed.
_DX_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$")
# ICD-10-PCS: exactly seven characters; the letters I and O are never used.
_PCS_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
POA_VALUES = frozenset({"Y", "N", "U", "W"})


class InvalidCode(ValueError):
    """A diagnosis or procedure code that is malformed or not in the grouper's code set."""

    def __init__(self, code: str, kind: str, reason: str) -> None:
        self.code = code
        self.kind = kind
        self.reason = reason
        super().__init__(f"invalid {kind} code {code!r}: {reason}")


def normalise_dx(code: str) -> str:
    """Return the dotless upper-case form of an ICD-10-CM code, or raise ``InvalidCode``."""
    if not isinstance(code, str):
        raise InvalidCode(repr(code), "diagnosis", "not a string")
    cleaned = code.strip().upper()
    # A single dot is allowed only after the three-character category (J18.9).
    if "." in cleaned:
        head, _, tail = cleaned.partition(".")
        if len(head) != 3 or "." in tail or not tail:
            raise InvalidCode(code, "diagnosis", "dot must follow the three-character category")
        cleaned = head + tail
    if not _DX_RE.match(cleaned):
        raise InvalidCode(code, "diagnosis", "not shaped like an ICD-10-CM code")
    return cleaned


def normalise_pcs(code: str) -> str:
    """Return the upper-case form of an ICD-10-PCS code, or raise ``InvalidCode``."""
    if not isinstance(code, str):
        raise InvalidCode(repr(code), "procedure", "not a string")
    cleaned = code.strip().upper()
    if not _PCS_RE.match(cleaned):
        raise InvalidCode(code, "procedure", "ICD-10-PCS codes are seven characters, no I or O")
    return cleaned


def normalise_poa(poa: str | None) -> str | None:
    """Return a present-on-admission indicator (Y/N/U/W) or None when not given."""
    if poa is None or poa == "":
        return None
    cleaned = poa.strip().upper()
    if cleaned not in POA_VALUES:
        raise ValueError(f"present-on-admission indicator must be one of Y, N, U, W; got {poa!r}")
    return cleaned


def dotted(code: str) -> str:
    """Display form of a dotless ICD-10-CM code: ``J189`` -> ``J18.9``."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
