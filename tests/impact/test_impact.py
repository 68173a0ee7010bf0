from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from cdi.impact import (
    BaseRate,
    Change,
    Claim,
    EstimateTable,
    Shift,
    Ungroupable,
    apportion,
    default_estimate_table,
    dollars,
    estimate,
    expected_shift,
    group,
)

RATE = BaseRate(Decimal("6500.00"), datetime.date(2025, 10, 1))


def pneumonia() -> Claim:
    return Claim("J18.9", age=70, sex="M", discharge_status=1)


def test_dollars_are_the_weight_delta_times_the_base_rate():
    shift = expected_shift(pneumonia(), add=["E87.1"])
    impact = dollars(shift, RATE)
    assert shift.weight_delta == shift.weight_after - shift.weight_before == Decimal("0.1774")
    assert impact.amount == Decimal("1153.10")  # 0.1774 x 6,500.00
    assert impact.estimate is False


def test_dollars_round_to_cents():
    shift = expected_shift(pneumonia(), add=["E87.1"])
    assert dollars(shift, BaseRate(Decimal("7123.45"), RATE.effective_from)).amount == Decimal("1263.70")


def test_an_impact_carries_the_inputs_that_reproduce_it():
    impact = dollars(expected_shift(pneumonia(), add=["E87.1"]), RATE)
    inputs = impact.inputs()
    assert inputs["drg_before"] == "195" and inputs["drg_after"] == "194"
    assert inputs["weight_before"] == "0.6285" and inputs["weight_after"] == "0.8059"
    assert inputs["base_rate"] == "6500.00" and inputs["base_rate_effective_from"] == "2025-10-01"
    assert inputs["grouper_version"].startswith("MS-DRG v43.1")
    assert "Table 5" in inputs["weights_version"]
    assert inputs["claim_after"]["secondary"] == [["E871", None]]
    # The stored inputs are enough to recompute the figure.
    recomputed = (Decimal(inputs["weight_after"]) - Decimal(inputs["weight_before"])) * Decimal(
        inputs["base_rate"]
    )
    assert recomputed.quantize(Decimal("0.01")) == Decimal(inputs["amount"])


def test_a_change_that_does_not_move_the_drg_is_worth_nothing():
    impact = dollars(expected_shift(pneumonia(), add=["I10"]), RATE)
    assert impact.drg_before == impact.drg_after == "195"
    assert impact.amount == Decimal("0.00")


def test_a_shift_to_an_ungroupable_claim_has_no_dollar_figure():
    before = group(Claim("J18.9", age=30, sex="M", discharge_status=1))
    after = group(Claim("O80", age=30, sex="M", discharge_status=1))
    with pytest.raises(Ungroupable):
        dollars(Shift(before, after, (), (("J189", "O80"),)), RATE)


def test_the_fallback_is_the_midpoint_labelled_as_an_estimate():
    impact = estimate("organism")
    assert impact.estimate is True
    assert (impact.low, impact.high, impact.amount) == (
        Decimal("800.00"),
        Decimal("2000.00"),
        Decimal("1400.00"),
    )
    assert impact.drg_before is None and impact.base_rate is None
    assert impact.inputs()["estimates_version"] == default_estimate_table().version


def test_the_default_table_covers_every_gap_category():
    table = default_estimate_table()
    assert set(table.ranges) == {"organism", "acuity", "severity", "undocumented_diagnosis"}
    assert estimate("acuity").amount == Decimal("1000.00")
    assert estimate("undocumented_diagnosis").amount == Decimal("3000.00")
    assert estimate("severity").amount == Decimal("2500.00")


def test_a_deployment_can_supply_its_own_estimate_table():
    table = EstimateTable.from_mapping(
        {"version": "local-1", "categories": {"organism": {"low": 100, "high": 301}}}
    )
    impact = estimate("organism", table)
    assert impact.amount == Decimal("200.50")
    assert impact.estimates_version == "local-1"
    with pytest.raises(KeyError):
        estimate("acuity", table)


def test_several_queries_on_one_encounter_split_its_total_shift():
    claim = Claim("A41.9", ["N39.0"], age=70, sex="F", discharge_status=1)
    result = apportion(claim, [Change.of(add=["G93.41"]), Change.of(add=["E87.1"])], RATE)
    assert (result.total.drg_before, result.total.drg_after) == ("872", "871")
    # E87.1 (a CC) cannot move 872 (septicemia without MCC) on its own, so the
    # encephalopathy query takes the whole shift.
    assert [s.amount for s in result.standalone][1] == Decimal("0.00")
    assert result.shares == (result.total.amount, Decimal("0.00"))
    assert sum(result.shares) == result.total.amount


def test_two_ccs_that_each_move_the_drg_share_it_equally():
    result = apportion(pneumonia(), [Change.of(add=["E87.1"]), Change.of(add=["D62"])], RATE)
    assert result.total.amount == Decimal("1153.10")
    assert result.shares == (Decimal("576.55"), Decimal("576.55"))
