"""The pure logic of scripts/draw_cdi_stratified.py: strata, the draw, and the stratified estimators."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "draw_cdi_stratified.py"
_SPEC = importlib.util.spec_from_file_location("draw_cdi_stratified", _PATH)
assert _SPEC and _SPEC.loader
stratified_script = importlib.util.module_from_spec(_SPEC)
sys.modules["draw_cdi_stratified"] = stratified_script
_SPEC.loader.exec_module(stratified_script)

Report = stratified_script.Report


def test_split_strata_partitions_the_pool_by_whether_the_rules_flag_a_report():
    flagged, unflagged = stratified_script.split_strata({"b.txt": True, "a.txt": False, "c.txt": True})
    assert flagged == ["b.txt", "c.txt"]
    assert unflagged == ["a.txt"]


def test_draw_takes_all_of_a_small_f_and_a_seeded_sample_of_u_mixed_together():
    flagged = [f"f{i}" for i in range(5)]
    unflagged = [f"u{i}" for i in range(100)]
    mixed, strata = stratified_script.draw(flagged, unflagged, 60, 10, seed=3)
    assert sorted(n for n in mixed if n.startswith("f")) == flagged
    assert sum(1 for n in mixed if n.startswith("u")) == 10
    assert strata == {n: ("F" if n.startswith("f") else "U") for n in mixed}
    # shuffled: the flagged names are not simply first
    assert mixed[:5] != flagged
    again, _ = stratified_script.draw(flagged, unflagged, 60, 10, seed=3)
    assert again == mixed
    other, _ = stratified_script.draw(flagged, unflagged, 60, 10, seed=4)
    assert other != mixed


def test_draw_samples_f_when_it_is_larger_than_the_cap():
    flagged = [f"f{i}" for i in range(80)]
    mixed, strata = stratified_script.draw(flagged, ["u0", "u1"], 60, 2, seed=1)
    assert sum(1 for s in strata.values() if s == "F") == 60
    assert len(mixed) == 62


def test_score_report_counts_each_pair_once():
    gold = [("acuity", "heart_failure"), ("acuity", "heart_failure"), ("severity", "ckd_stage")]
    predicted = [("acuity", "heart_failure"), ("organism", "pneumonia")]
    assert stratified_script.score_report(gold, predicted, "F") == Report("F", tp=1, fp=1, fn=1)


def test_weights_are_population_over_sample_size():
    w = stratified_script.weights({"F": 52, "U": 1725}, {"F": 52, "U": 40})
    assert w == {"F": 1.0, "U": pytest.approx(43.125)}


def test_recall_weights_the_gaps_missed_in_u_by_its_sampling_weight():
    # F: a census of 10 reports, 8 gaps found, 2 missed, 2 false predictions.
    # U: 10 of 100 reports drawn; one holds a missed gap, so the pool holds about 10 such gaps.
    reports = [Report("F", 1, 0, 0)] * 8 + [Report("F", 0, 1, 1)] * 2 + [Report("U", 0, 0, 1)]
    reports += [Report("U", 0, 0, 0)] * 9
    w = stratified_script.weights({"F": 10, "U": 100}, {"F": 10, "U": 10})
    est = stratified_script.stratified(reports, w)
    assert est["recall"] == pytest.approx(8 / (8 + 2 + 10))  # 0.4, where unweighted would say 8/11
    assert est["precision"] == pytest.approx(8 / 10)
    assert est["gaps"] == pytest.approx(20)
    # gap-free notes: none in F here; 9 sampled in U stand for 90, and none has a prediction
    assert est["false_alarm_rate"] == 0.0


def test_false_alarm_rate_is_weighted_by_stratum():
    reports = [Report("F", 0, 1, 0)] * 2 + [Report("F", 1, 0, 0)] + [Report("U", 0, 0, 0)] * 4
    w = {"F": 1.0, "U": 25.0}
    est = stratified_script.stratified(reports, w)
    # 2 false alarms among 2 + 4 * 25 gap-free notes of the pool
    assert est["false_alarm_rate"] == pytest.approx(2 / 102)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    reports = [Report("F", 1, 0, 0)] * 6 + [Report("F", 0, 1, 0)] * 3 + [Report("F", 0, 0, 1)] * 2
    reports += [Report("U", 0, 0, 1)] + [Report("U", 0, 0, 0)] * 9
    w = {"F": 1.0, "U": 5.0}
    first = stratified_script.bootstrap(reports, w, rounds=400, seed=7)
    assert first == stratified_script.bootstrap(reports, w, rounds=400, seed=7)
    est = stratified_script.stratified(reports, w)
    for key in ("precision", "recall"):
        low, high = first[key]
        assert low <= est[key] <= high
        assert low < high


def test_wilson_interval_matches_the_published_formula():
    low, high = stratified_script.wilson(32, 55)
    assert low == pytest.approx(0.4503, abs=1e-4)
    assert high == pytest.approx(0.7026, abs=1e-4)
    assert all(math.isnan(x) for x in stratified_script.wilson(0, 0))


@pytest.mark.parametrize(
    ("k", "low", "high"),
    [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683)],  # exact Poisson 95 % limits
)
def test_poisson_bounds_are_the_exact_limits(k, low, high):
    assert stratified_script.poisson_lower(k) == pytest.approx(low, abs=1e-4)
    assert stratified_script.poisson_upper(k) == pytest.approx(high, abs=1e-4)
    assert stratified_script.poisson_upper(0, tail=0.05) == pytest.approx(2.9957, abs=1e-4)  # rule of three


def test_recall_interval_with_a_census_of_f_is_bounded_by_what_u_could_hold_unseen():
    low, high = stratified_script.recall_interval_census_f(tp_f=32, fn_f=4, fn_u=0, n_u=40, size_u=1725)
    assert high == pytest.approx(32 / 36)  # no gap in U's sample: the point estimate is the upper end
    assert low == pytest.approx(32 / (36 + 1725 * 3.688879 / 40), rel=1e-5)
    low2, high2 = stratified_script.recall_interval_census_f(tp_f=32, fn_f=4, fn_u=1, n_u=40, size_u=1725)
    assert low2 < low and high2 < high
