"""Money arithmetic for DRG impact: base rates, rounding to cents, splitting a total.

All amounts are ``Decimal``; nothing here touches a float.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    """Round to cents, halves away from zero (the usual rule for money)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BaseRate:
    """A hospital's blended base rate in dollars per 1.0 of relative weight.

    ``payer`` None is the default rate; a payer-specific rate overrides it for
    that payer from its ``effective_from`` date on.
    """

    amount: Decimal
    effective_from: datetime.date
    payer: str | None = None

    def __post_init__(self) -> None:
        amount = Decimal(str(self.amount)) if not isinstance(self.amount, Decimal) else self.amount
        if amount <= 0:
            raise ValueError("a base rate must be positive")
        object.__setattr__(self, "amount", amount)


class NoBaseRate(LookupError):
    """No base rate is in effect for the date (and payer) asked about."""


def select_base_rate(rates: Iterable[BaseRate], on_date: datetime.date, payer: str | None = None) -> BaseRate:
    """The rate in effect on ``on_date`` for ``payer``.

    Rule: among rates with ``effective_from <= on_date``, the latest rate for that
    payer wins; when the payer has none in effect (or ``payer`` is None), the latest
    default rate (``payer=None``) applies. Payer names match case-insensitively.
    """
    in_effect = [r for r in rates if r.effective_from <= on_date]
    wanted = payer.strip().casefold() if payer else None
    if wanted:
        own = [r for r in in_effect if r.payer and r.payer.strip().casefold() == wanted]
        if own:
            return max(own, key=lambda r: r.effective_from)
    defaults = [r for r in in_effect if r.payer is None]
    if not defaults:
        raise NoBaseRate(f"no base rate in effect on {on_date.isoformat()} for payer {payer or 'default'}")
    return max(defaults, key=lambda r: r.effective_from)


def split_shift(total: Decimal, parts: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (dollars) across queries so the shares add up to it exactly, in cents.

    Rule, so that nothing is counted twice when several queries change one encounter:

    * each query's share is proportional to its *standalone* shift (``parts``: the
      shift that query alone would cause; weight deltas or dollars, the scale does
      not matter);
    * a standalone shift in the opposite direction to the total counts as zero, so
      every share has the total's sign and none exceeds it;
    * when every standalone shift is zero (the DRG moves only when the queries act
      together), the total is split equally;
    * the shares are rounded to cents by the largest-remainder method: each share is
      rounded towards zero, and the cents left over go one each to the shares with
      the largest remainders (ties to the earlier query), so the sum is exact.
    """
    if not parts:
        raise ValueError("split_shift needs at least one part")
    total_cents = int(to_cents(total) / CENT)
    sign = -1 if total_cents < 0 else 1
    weights = [max(Fraction(str(p)) * sign, Fraction(0)) for p in parts]
    if sum(weights) == 0:
        weights = [Fraction(1)] * len(parts)
    weight_sum = sum(weights)
    exact = [abs(total_cents) * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]  # non-negative, so int() is floor
    left_over = abs(total_cents) - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left_over]:
        floors[i] += 1
    return [Decimal(sign * c) * CENT for c in floors]
