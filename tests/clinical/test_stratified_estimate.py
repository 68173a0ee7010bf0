"""The pure logic of scripts/draw_cdi_stratified.py: strata, the draw, and the stratified estimators."""

from __future__ import annotations

import importlib.util
import json
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


# --- batch 11: a further sample of an earlier draw's U, and estimates over several batches ---------


def test_earlier_pool_leaves_out_cdi_dev_and_splits_labelled_before_the_batch_only():
    names = [f"r{i}.txt" for i in range(10)]
    splits = {
        "train": ["r0.txt"],
        "test": ["r1.txt"],
        "test_batch9": ["r2.txt"],
        "test_batch10": ["r3.txt", "r4.txt"],  # drawn from the pool at batch 10: still in it
        "test_batch11": ["r5.txt"],  # labelled later: still in the pool as it was
    }
    pool = stratified_script.earlier_pool(names, ["r9.txt"], splits, batch=10)
    assert pool == ["r3.txt", "r4.txt", "r5.txt", "r6.txt", "r7.txt", "r8.txt"]


def _seal(pool, flagged, u_drawn, size_u):
    strata = dict.fromkeys(flagged, "F") | dict.fromkeys(u_drawn, "U")
    return {"pool": pool, "sizes": {"F": len(flagged), "U": size_u}, "strata": strata}


def test_unflagged_of_rebuilds_u_from_the_seal_and_checks_its_sizes():
    pool = [f"r{i}" for i in range(10)]
    seal = _seal(10, ["r0", "r1"], ["r5"], 8)
    assert stratified_script.unflagged_of(pool, seal) == [f"r{i}" for i in range(2, 10)]
    with pytest.raises(SystemExit):  # a label file changed since: the pool is not the sealed one
        stratified_script.unflagged_of(pool[:-1], seal)
    with pytest.raises(SystemExit):  # U's size disagrees with the seal
        stratified_script.unflagged_of(pool, _seal(10, ["r0", "r1"], ["r5"], 7))
    sampled_f = {"pool": 10, "sizes": {"F": 3, "U": 7}, "strata": {"r0": "F", "r1": "F", "r5": "U"}}
    with pytest.raises(SystemExit):  # F was sampled, not a census: U cannot be rebuilt without the rules
        stratified_script.unflagged_of(pool, sampled_f)


def test_draw_more_is_seeded_and_never_takes_a_report_already_drawn():
    unflagged = [f"u{i:03d}" for i in range(200)]
    taken = set(unflagged[:40])
    drawn = stratified_script.draw_more(unflagged, taken, 120, seed=1111)
    assert len(drawn) == 120 and drawn == sorted(drawn)
    assert not set(drawn) & taken
    assert stratified_script.draw_more(unflagged, taken, 120, seed=1111) == drawn
    assert stratified_script.draw_more(unflagged, taken, 120, seed=1112) != drawn
    assert stratified_script.draw_more(unflagged, taken, 500, seed=1) == sorted(set(unflagged) - taken)


def test_left_out_excludes_the_sealed_u_sample_and_every_later_labelled_u_sample():
    unflagged = [f"u{i:03d}" for i in range(200)]
    seal = _seal(210, [f"f{i}" for i in range(10)], unflagged[:40], 200)
    batch11, batch12 = unflagged[40:160:2], unflagged[41:101:2]  # two later samples, labelled
    labelled = set(batch11) | set(batch12) | {"f0", "dev-only.txt"}  # F and non-U labels are ignored
    taken, since = stratified_script.left_out(unflagged, seal, labelled)
    assert taken == set(unflagged[:40])
    assert since == set(batch11) | set(batch12)
    drawn = stratified_script.draw_more(unflagged, taken | since, 500, seed=3)
    assert drawn == sorted(set(unflagged) - set(unflagged[:40]) - set(batch11) - set(batch12))
    # a labelled report the seal already took is counted once, as taken
    taken, since = stratified_script.left_out(unflagged, seal, {unflagged[0], unflagged[150]})
    assert unflagged[0] in taken and since == {unflagged[150]}


def test_draw_more_with_the_same_seed_widens_a_sample_without_changing_it():
    # batch 12 was sealed at 80 and widened to 150 with the same seed: the 80 must be among the 150
    rest = [f"u{i:04d}" for i in range(1565)]
    for small, large in ((80, 150), (40, 130), (10, 20)):
        assert set(stratified_script.draw_more(rest, set(), small, seed=1212)) <= set(
            stratified_script.draw_more(rest, set(), large, seed=1212)
        )


def test_merge_seals_pools_three_u_samples():
    first = _seal(110, [f"f{i}" for i in range(10)], [f"u{i}" for i in range(10)], 100)
    second = {"pool": 110, "sizes": {"F": 10, "U": 100}, "strata": {f"u{i}": "U" for i in range(10, 30)}}
    third = {"pool": 110, "sizes": {"F": 10, "U": 100}, "strata": {f"u{i}": "U" for i in range(30, 45)}}
    merged = stratified_script.merge_seals([first, second, third])
    assert merged["drawn"] == {"F": 10, "U": 45}
    assert stratified_script.weights(merged["sizes"], merged["drawn"])["U"] == pytest.approx(100 / 45)


def test_merge_seals_pools_the_u_samples_and_refuses_overlaps_or_other_strata():
    first = _seal(110, [f"f{i}" for i in range(10)], [f"u{i}" for i in range(10)], 100)
    second = {"pool": 110, "sizes": {"F": 10, "U": 100}, "strata": {f"u{i}": "U" for i in range(10, 30)}}
    merged = stratified_script.merge_seals([first, second])
    assert merged["drawn"] == {"F": 10, "U": 30}
    assert len(merged["strata"]) == 40
    with pytest.raises(SystemExit):
        stratified_script.merge_seals([first, {**second, "strata": {"u3": "U"}}])
    with pytest.raises(SystemExit):
        stratified_script.merge_seals([first, {**second, "sizes": {"F": 10, "U": 99}}])


def _write_batch(tmp_path, tag, gold, pred, seal):
    dataset, predictions, sealed = (tmp_path / f"{tag}-{k}.json" for k in ("data", "pred", "seal"))
    dataset.write_text(
        "".join(
            json.dumps({"id": n, "gaps": [{"category": c, "condition": k} for c, k in g]}) + "\n"
            for n, g in gold.items()
        )
    )
    predictions.write_text(
        "".join(
            json.dumps({"id": n, "gaps": [{"category": c, "condition": k} for c, k in p]}) + "\n"
            for n, p in pred.items()
        )
    )
    sealed.write_text(json.dumps(seal))
    return dataset, predictions, sealed


def test_estimate_over_two_batches_weights_u_by_the_pooled_sample_size(tmp_path):
    gap = ("acuity", "heart_failure")
    # batch A: a census of F (10 reports: 8 found, 2 missed) and 10 of U's 100 reports, none with a gap
    flagged = [f"f{i}" for i in range(10)]
    gold_a = {n: [gap] for n in flagged} | {f"u{i}": [] for i in range(10)}
    pred_a = {n: ([gap] if i < 8 else [("organism", "pneumonia")]) for i, n in enumerate(flagged)}
    seal_a = _seal(110, flagged, [f"u{i}" for i in range(10)], 100)
    # batch B: 10 more reports of U, one holding a gap the rules missed
    gold_b = {f"u{i}": ([gap] if i == 10 else []) for i in range(10, 20)}
    seal_b = {"pool": 110, "sizes": {"F": 10, "U": 100}, "strata": dict.fromkeys(gold_b, "U")}
    a = _write_batch(tmp_path, "a", gold_a, pred_a, seal_a)
    b = _write_batch(tmp_path, "b", gold_b, {}, seal_b)
    result = stratified_script.estimate([a[0], b[0]], [a[1], b[1]], [a[2], b[2]], rounds=200, seed=0)
    u = result["per_stratum"]["U"]
    assert (u["drawn"], u["fn"], u["weight"]) == (20, 1, pytest.approx(5.0))  # 100 / (10 + 10), not 100 / 10
    assert result["stratified"]["recall"] == pytest.approx(8 / (8 + 2 + 5))
    assert result["stratified"]["precision"] == pytest.approx(8 / 10)
    low, high = result["recall95_census_f"]
    assert low == pytest.approx(8 / (10 + 100 * stratified_script.poisson_upper(1) / 20))
    assert high == pytest.approx(8 / (10 + 100 * stratified_script.poisson_lower(1) / 20))
    # batch A alone: U's 10 gap-free reports say nothing missed
    alone = stratified_script.estimate([a[0]], [a[1]], [a[2]], rounds=200, seed=0)
    assert alone["stratified"]["recall"] == pytest.approx(8 / 10)
    assert alone["per_stratum"]["U"]["weight"] == pytest.approx(10.0)
    with pytest.raises(SystemExit):  # the same batch twice shares every report
        stratified_script.estimate([a[0], a[0]], [a[1], a[1]], [a[2], a[2]], rounds=10, seed=0)
