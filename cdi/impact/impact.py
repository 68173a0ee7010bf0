"""Revenue impact of a documentation change: DRG shift x base rate, or a labelled estimate.

* ``expected_shift(claim, add=..., replace=...)`` groups the claim before and after
  the change (the candidate code added, or an unspecified code replaced).
* ``dollars(shift, base_rate)`` = (weight after - weight before) x base rate, in cents.
* ``estimate(category)`` is the fallback when there is no principal diagnosis.
* ``apportion(claim, changes, base_rate)`` splits one encounter's total shift
  across the queries that changed it (see ``money.split_shift``).

Every ``Impact`` carries the inputs that produced it; ``Impact.inputs()`` gives them
as JSON-ready strings for storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .codes import normalise_dx
from .estimates import EstimateTable, default_estimate_table
from .grouper import Claim, GroupResult, group
from .money import BaseRate, split_shift, to_cents


class Ungroupable(ValueError):
    """The grouper returned a DRG without a relative weight (998/999), so no dollars."""


@dataclass(frozen=True)
class Shift:
    """The DRG before and after one documentation change to an encounter."""

    before: GroupResult
    after: GroupResult
    added: tuple[str, ...]
    replaced: tuple[tuple[str, str], ...]  # (old, new) pairs, dotless

    @property
    def drg_before(self) -> str:
        return self.before.drg

    @property
    def drg_after(self) -> str:
        return self.after.drg

    @property
    def weight_before(self) -> Decimal | None:
        return self.before.relative_weight

    @property
    def weight_after(self) -> Decimal | None:
        return self.after.relative_weight

    @property
    def weight_delta(self) -> Decimal:
        if not (self.before.groupable and self.after.groupable):
            raise Ungroupable(
                f"DRG {self.drg_before} -> {self.drg_after} "
                f"({self.before.return_code} -> {self.after.return_code}) has no relative weight"
            )
        return self.after.relative_weight - self.before.relative_weight

    @property
    def changes_drg(self) -> bool:
        return self.drg_before != self.drg_after


@dataclass(frozen=True)
class Change:
    """One query's documentation change: codes to add and/or codes to replace."""

    add: tuple[str, ...] = ()
    replace: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, add: Iterable[str] = (), replace: Mapping[str, str] | None = None) -> Change:
        return cls(add=tuple(add), replace=tuple((replace or {}).items()))


@dataclass(frozen=True)
class Impact:
    """A dollar figure and everything needed to reproduce it.

    ``estimate`` False: ``amount = (weight_after - weight_before) x base_rate.amount``
    rounded to cents. ``estimate`` True: the midpoint of ``low``..``high`` from the
    category table ``estimates_version``; no DRG was computed.
    """

    amount: Decimal
    estimate: bool
    base_rate: BaseRate | None = None
    drg_before: str | None = None
    drg_after: str | None = None
    weight_before: Decimal | None = None
    weight_after: Decimal | None = None
    weight_delta: Decimal | None = None
    grouper_version: str | None = None
    weights_version: str | None = None
    category: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    estimates_version: str | None = None
    claim_before: Claim | None = None
    claim_after: Claim | None = None

    def inputs(self) -> dict[str, object]:
        """The figure and its inputs as JSON-ready values (Decimals and dates as strings)."""
        rate = self.base_rate

        def s(value: object) -> str | None:
            return None if value is None else str(value)

        return {
            "amount": s(self.amount),
            "estimate": self.estimate,
            "base_rate": s(rate.amount) if rate else None,
            "base_rate_effective_from": rate.effective_from.isoformat() if rate else None,
            "base_rate_payer": rate.payer if rate else None,
            "drg_before": self.drg_before,
            "drg_after": self.drg_after,
            "weight_before": s(self.weight_before),
            "weight_after": s(self.weight_after),
            "weight_delta": s(self.weight_delta),
            "grouper_version": self.grouper_version,
            "weights_version": self.weights_version,
            "category": self.category,
            "low": s(self.low),
            "high": s(self.high),
            "estimates_version": self.estimates_version,
            "claim_before": _claim_inputs(self.claim_before),
            "claim_after": _claim_inputs(self.claim_after),
        }


def _claim_inputs(claim: Claim | None) -> dict[str, object] | None:
    if claim is None:
        return None
    return {
        "principal": claim.principal,
        "principal_poa": claim.principal_poa,
        "secondary": [[dx.code, dx.poa] for dx in claim.secondary],
        "procedures": list(claim.procedures),
        "age": claim.age,
        "sex": claim.sex,
        "discharge_status": claim.discharge_status,
    }


def expected_shift(
    claim: Claim,
    add: Iterable[str] = (),
    replace: Mapping[str, str] | None = None,
    *,
    before: GroupResult | None = None,
) -> Shift:
    """Group ``claim`` as it stands and with the change applied.

    ``add`` appends secondary diagnoses; ``replace`` maps codes on the claim to the
    codes that replace them (the principal keeps its place). Pass ``before`` to
    reuse a grouping of ``claim`` already done for this encounter.
    """
    add = tuple(normalise_dx(code) for code in add)
    pairs = tuple((normalise_dx(old), normalise_dx(new)) for old, new in (replace or {}).items())
    if before is None or before.claim != claim:
        before = group(claim)
    return _shift(before, add, pairs)


def _shift(before: GroupResult, add: tuple[str, ...], pairs: tuple[tuple[str, str], ...]) -> Shift:
    changed = before.claim.with_changes(add=add, replace_codes=dict(pairs))
    return Shift(before=before, after=group(changed), added=add, replaced=pairs)


def dollars(shift: Shift, base_rate: BaseRate) -> Impact:
    """(weight after - weight before) x base rate, rounded to cents, with its inputs."""
    delta = shift.weight_delta
    return Impact(
        amount=to_cents(delta * base_rate.amount),
        estimate=False,
        base_rate=base_rate,
        drg_before=shift.drg_before,
        drg_after=shift.drg_after,
        weight_before=shift.weight_before,
        weight_after=shift.weight_after,
        weight_delta=delta,
        grouper_version=shift.after.grouper_version,
        weights_version=shift.after.weights_version,
        claim_before=shift.before.claim,
        claim_after=shift.after.claim,
    )


def estimate(category: str, table: EstimateTable | None = None) -> Impact:
    """The fallback figure for a gap on an encounter with no principal diagnosis.

    Returns the midpoint of the category's range, labelled ``estimate=True``.
    """
    table = table or default_estimate_table()
    band = table.range_for(category)
    return Impact(
        amount=band.midpoint,
        estimate=True,
        category=category,
        low=band.low,
        high=band.high,
        estimates_version=table.version,
    )


@dataclass(frozen=True)
class Apportionment:
    """One encounter's total shift from several queries, and each query's share of it."""

    total: Impact  # all changes applied together
    standalone: tuple[Impact, ...]  # each change applied alone, in ``changes`` order
    shares: tuple[Decimal, ...]  # add up exactly to total.amount


def apportion(claim: Claim, changes: Sequence[Change], base_rate: BaseRate) -> Apportionment:
    """Split the encounter's combined shift across ``changes`` without double counting.

    Two CCs documented by two queries move a DRG only once; each query's share is
    proportional to what it would have moved alone (``money.split_shift``).
    """
    if not changes:
        raise ValueError("apportion needs at least one change")
    before = group(claim)
    add = tuple(code for change in changes for code in change.add)
    pairs = tuple(pair for change in changes for pair in change.replace)
    total = dollars(_shift(before, add, pairs), base_rate)
    standalone = tuple(
        dollars(expected_shift(claim, add=c.add, replace=dict(c.replace), before=before), base_rate)
        for c in changes
    )
    shares = split_shift(total.amount, [s.amount for s in standalone])
    return Apportionment(total=total, standalone=standalone, shares=tuple(shares))
