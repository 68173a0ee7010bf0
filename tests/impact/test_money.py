from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdi.impact import BaseRate, NoBaseRate, select_base_rate, split_shift, to_cents

OCT_2025 = datetime.date(2025, 10, 1)
APR_2026 = datetime.date(2026, 4, 1)


def test_cents_round_half_away_from_zero():
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("-0.005")) == Decimal("-0.01")
    assert to_cents(Decimal("1263.70003")) == Decimal("1263.70")


def test_it_rejects_a_non_positive_base_rate():
    with pytest.raises(ValueError):
        BaseRate(Decimal("0"), OCT_2025)


def test_the_latest_rate_in_effect_is_selected():
    rates = [BaseRate(Decimal("6000"), OCT_2025), BaseRate(Decimal("6200"), APR_2026)]
    assert select_base_rate(rates, datetime.date(2026, 3, 31)).amount == Decimal("6000")
    assert select_base_rate(rates, APR_2026).amount == Decimal("6200")


def test_a_payer_rate_overrides_the_default_from_its_effective_date():
    rates = [
        BaseRate(Decimal("6000"), OCT_2025),
        BaseRate(Decimal("7100"), APR_2026, payer="Acme Health"),
    ]
    assert select_base_rate(rates, datetime.date(2026, 1, 1), payer="acme health").amount == Decimal("6000")
    assert select_base_rate(rates, APR_2026, payer="Acme Health").amount == Decimal("7100")
    assert select_base_rate(rates, APR_2026, payer="Other").amount == Decimal("6000")
    assert select_base_rate(rates, APR_2026).amount == Decimal("6000")


def test_it_raises_when_no_rate_is_in_effect():
    with pytest.raises(NoBaseRate):
        select_base_rate([BaseRate(Decimal("6000"), APR_2026)], OCT_2025)


def test_a_split_is_proportional_to_each_standalone_shift():
    assert split_shift(Decimal("1000.00"), [Decimal("3"), Decimal("1")]) == [
        Decimal("750.00"),
        Decimal("250.00"),
    ]


def test_a_split_with_no_standalone_shift_is_equal_and_the_odd_cent_goes_first():
    assert split_shift(Decimal("100.00"), [Decimal("0")] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


def test_a_standalone_shift_against_the_total_gets_no_share():
    assert split_shift(Decimal("500.00"), [Decimal("800"), Decimal("-300")]) == [
        Decimal("500.00"),
        Decimal("0.00"),
    ]
    assert split_shift(Decimal("-500.00"), [Decimal("-1"), Decimal("2")]) == [
        Decimal("-500.00"),
        Decimal("0.00"),
    ]


def test_two_queries_that_each_add_a_cc_share_one_shift():
    # Either CC alone moves 195 -> 194; together they still move it once.
    assert split_shift(Decimal("1153.10"), [Decimal("1153.10"), Decimal("1153.10")]) == [
        Decimal("576.55"),
        Decimal("576.55"),
    ]


money = st.decimals(min_value=-100000, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@given(total=money, parts=st.lists(money, min_size=1, max_size=8))
def test_split_shares_always_add_up_to_the_total_to_the_cent(total, parts):
    shares = split_shift(total, parts)
    assert len(shares) == len(parts)
    assert sum(shares, Decimal("0")) == total
    assert all(s == to_cents(s) for s in shares)
    assert all(abs(s) <= abs(total) for s in shares)
    assert all(s == 0 or (s > 0) == (total > 0) for s in shares)
