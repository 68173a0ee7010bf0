"""The model's decision policy ("gate"): it may veto only weak rule gaps and raise only
sub-threshold candidates that have evidence spans; fitting prefers the rules on a tie."""

from __future__ import annotations

import pytest

from cdi.clinical import policy as pol
from cdi.clinical.detection import RULE_THRESHOLD, STRONG_RULE, DecisionPolicy, detect, detect_candidates
from tests.clinical.notes import note, pairs

HYPONATREMIA = ("undocumented_diagnosis", "hyponatremia")
HYPOKALEMIA = ("undocumented_diagnosis", "hypokalemia")
STRONG = note(labs="Sodium 129.", plan="Fluid restriction.")  # treated: rule confidence 0.8
MIDDLE = note(labs="Potassium 3.1.", plan="Recheck potassium tomorrow.")  # monitored: 0.6
WEAK = note(labs="Sodium 129.", assessment="Hypertension.")  # no evidence that it mattered: 0.3
ALWAYS = DecisionPolicy(veto_below=1.0, raise_from=0.5)  # the most a fitted policy could allow


def rule_confidence(text: str, key: tuple[str, str]) -> float:
    return {(f.category, f.condition): f for f in detect_candidates(text)}[key].rule_confidence


def constant(p: float):
    return lambda batch: [p] * len(batch)


def test_the_fixture_notes_span_the_three_rule_levels():
    assert rule_confidence(STRONG, HYPONATREMIA) >= STRONG_RULE
    assert RULE_THRESHOLD <= rule_confidence(MIDDLE, HYPOKALEMIA) < STRONG_RULE
    assert rule_confidence(WEAK, HYPONATREMIA) < RULE_THRESHOLD


def test_a_veto_cannot_remove_a_gap_with_strong_rule_evidence():
    found = {(f.category, f.condition): f for f in detect(STRONG, scorer=constant(0.0), policy=ALWAYS)}
    assert found[HYPONATREMIA].model_probability == 0.0
    assert found[HYPONATREMIA].confidence == found[HYPONATREMIA].rule_confidence  # not blended down


def test_a_veto_removes_a_weaker_rule_gap_only_below_its_threshold():
    policy = DecisionPolicy(veto_below=0.3)
    assert HYPOKALEMIA in pairs(detect(MIDDLE))
    assert HYPOKALEMIA not in pairs(detect(MIDDLE, scorer=constant(0.29), policy=policy))
    assert HYPOKALEMIA in pairs(detect(MIDDLE, scorer=constant(0.3), policy=policy))


def test_a_raised_gap_enters_at_the_threshold_and_keeps_its_evidence_spans():
    assert HYPONATREMIA not in pairs(detect(WEAK))
    assert HYPONATREMIA not in pairs(
        detect(WEAK, scorer=constant(0.69), policy=DecisionPolicy(raise_from=0.7))
    )
    found = {
        (f.category, f.condition): f
        for f in detect(WEAK, scorer=constant(0.7), policy=DecisionPolicy(raise_from=0.7))
    }
    raised = found[HYPONATREMIA]
    assert raised.confidence == RULE_THRESHOLD and "raised by the CDI model" in raised.rationale
    assert raised.evidence and all(WEAK[s.start : s.end] == s.text for s in raised.evidence)


def test_nothing_without_evidence_spans_is_kept_whatever_the_probability():
    assert not ALWAYS.keeps(0.9, 1.0, has_evidence=False)
    assert not ALWAYS.keeps(0.3, 1.0, has_evidence=False)
    assert ALWAYS.keeps(0.3, 1.0, has_evidence=True)


def test_the_default_policy_keeps_exactly_what_the_rules_keep():
    for text in (STRONG, MIDDLE, WEAK):
        for p in (0.0, 0.5, 1.0):
            assert pairs(detect(text, scorer=constant(p), policy=DecisionPolicy())) == pairs(detect(text))


@pytest.mark.parametrize(
    "values",
    [{"veto_below": -0.1}, {"veto_below": 1.1}, {"raise_from": 0.0}, {"strong_rule": RULE_THRESHOLD}],
)
def test_a_policy_out_of_range_is_refused(values):
    with pytest.raises(ValueError):
        DecisionPolicy(**values)


def test_a_policy_round_trips_through_a_manifest_dict():
    policy = DecisionPolicy(veto_below=0.15, raise_from=0.9)
    assert DecisionPolicy.from_dict(policy.as_dict()) == policy
    assert DecisionPolicy.from_dict(None) == DecisionPolicy()


def candidate(dataset, note_id, rule, p, gold):
    return pol.Candidate(dataset, note_id, "undocumented_diagnosis", f"c{note_id}", rule, p, gold)


def labelled(name, rows, missed=0):
    return pol.LabelledSet(name, tuple(rows), sum(c.gold for c in rows) + missed)


def test_fitting_with_no_disagreement_keeps_the_rules():
    rows = [candidate("a", str(i), 0.6, 0.9, True) for i in range(5)]
    rows += [candidate("a", str(i), 0.3, 0.2, False) for i in range(5, 8)]
    assert pol.fit([labelled("a", rows)]) == pol.RULES_ONLY


def test_fitting_vetoes_a_false_rule_gap_the_model_scores_low_and_raises_a_missed_one():
    rows = [candidate("a", str(i), 0.6, 0.9, True) for i in range(4)]
    rows += [candidate("a", "4", 0.6, 0.12, False), candidate("a", "5", 0.3, 0.97, True)]
    fitted = pol.fit([labelled("a", rows)])
    assert fitted.veto_below == 0.15  # the lowest grid value above 0.12
    assert fitted.raise_from == 0.95  # the highest grid value at or below 0.97
    assert pol.pooled([labelled("a", rows)], fitted).as_dict()["f1"] == 1.0


def test_cross_validation_fits_each_fold_without_its_held_out_set():
    a = labelled("a", [candidate("a", "1", 0.6, 0.1, False), candidate("a", "2", 0.6, 0.9, True)])
    b = labelled("b", [candidate("b", "3", 0.6, 0.9, True)])
    folds = {f.held_out: f for f in pol.cross_validate([a, b])}
    assert folds["a"].policy == pol.RULES_ONLY  # b alone gives no reason to veto
    assert folds["b"].policy.veto_below > 0.1
    assert folds["a"].fitted == folds["a"].rules == pol.Counts(tp=1, fp=1, fn=0)


def test_auc_and_log_loss_on_known_values():
    assert pol.auc([0.9, 0.8, 0.1], [True, False, False]) == 1.0
    assert pol.auc([0.5, 0.5], [True, False]) == 0.5
    assert pol.auc([0.5], [True]) is None
    assert pol.log_loss([0.5, 0.5], [True, False]) == pytest.approx(0.6931, abs=1e-4)


def test_the_deciding_path_uses_the_adapters_fitted_gate_unless_blend_is_asked(monkeypatch, settings):
    from cdi import analysis

    settings.CDI_MODEL_POLICY = "gate"
    monkeypatch.setattr(analysis, "cdi_scorer", lambda: (constant(0.1), "cdi@test"))
    monkeypatch.setattr(analysis, "decision_policy", lambda: DecisionPolicy(veto_below=0.5))
    assert HYPOKALEMIA not in pairs(analysis.findings_for(MIDDLE, model_decides=True)[0])  # vetoed
    assert HYPONATREMIA in pairs(analysis.findings_for(STRONG, model_decides=True)[0])  # strong: kept
    # advising (the default) never changes what the rules keep
    assert HYPOKALEMIA in pairs(analysis.findings_for(MIDDLE, model_decides=False)[0])
    # the blend lets a low probability pull even a strong rule gap under the threshold
    assert HYPONATREMIA not in pairs(analysis.findings_for(STRONG, model_decides=True, policy="blend")[0])


def test_the_fitted_policy_is_read_from_the_runtime_manifest(tmp_path):
    import json

    from cdi.analysis import _policy_of

    fitted = {"veto_below": 0.25, "raise_from": 0.9, "strong_rule": 0.8, "fitted_on": ["a"]}
    (tmp_path / "manifest.json").write_text(json.dumps({"runtime": {"files": {}}, "decision_policy": fitted}))
    assert _policy_of(str(tmp_path), "v-test", DecisionPolicy) == DecisionPolicy(0.25, 0.9, 0.8)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "manifest.json").write_text(json.dumps({"runtime": {"files": {}}}))
    assert _policy_of(str(bare), "v-test", DecisionPolicy) == DecisionPolicy()


def test_build_cdi_training_refuses_a_split_that_does_not_exist(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no split no_such_split"):
        call_command(
            "build_cdi_training",
            labels=["cdi/labels/cdi-extra.jsonl"],
            mtsamples=str(tmp_path),
            split=["no_such_split"],
            out=str(tmp_path / "pairs.jsonl"),
        )


def test_collect_counts_every_gold_gap_and_every_candidate_of_labelled_notes_only():
    from cdi.clinical.evaluation import EvalRecord

    records = [
        EvalRecord("a", MIDDLE, (HYPOKALEMIA,)),
        EvalRecord("b", note(assessment="Stable."), (HYPONATREMIA,)),  # a gold gap with no candidate
        EvalRecord("c", STRONG, None),  # unlabelled: left out
    ]
    labelled = pol.collect("set", records, constant(0.4))
    assert labelled.notes == frozenset({"a", "b"}) and labelled.gold_pairs == 2
    assert [(c.note, c.gold, c.probability) for c in labelled.candidates] == [("a", True, 0.4)]
    assert pol.counts(labelled, pol.RULES_ONLY) == pol.Counts(tp=1, fp=0, fn=1)


def test_fit_cdi_policy_refuses_a_note_in_both_the_training_and_the_held_out_sets(tmp_path, settings):
    import json

    from django.core.management import CommandError, call_command

    settings.CDI_MODEL_ENABLED = True
    line = json.dumps({"id": "same.txt", "text": MIDDLE, "gaps": []}) + "\n"
    (tmp_path / "train.jsonl").write_text(line)
    (tmp_path / "heldout.jsonl").write_text(line)
    with pytest.raises(CommandError, match="1 note ids are in both"):
        call_command(
            "fit_cdi_policy", train=[str(tmp_path / "train.jsonl")], heldout=[str(tmp_path / "heldout.jsonl")]
        )


def test_a_quote_is_found_whole_in_part_or_not_in_the_scored_context():
    context = "Sodium 129 this morning.   Started fluid restriction and repeat BMP."
    assert pol.quote_in_context("Sodium 129 this\nmorning.", context) == "whole"  # whitespace folded
    assert pol.quote_in_context("fluid restriction and repeat BMP, then a renal consult", context) == "part"
    assert pol.quote_in_context("ejection fraction of 25%", context) == "none"


def test_context_coverage_counts_gold_candidates_by_where_their_quote_is():
    from cdi.clinical.evaluation import EvalRecord

    records = [EvalRecord("a", STRONG, (HYPONATREMIA,)), EvalRecord("b", MIDDLE, (HYPOKALEMIA,))]
    quotes = {("a", *HYPONATREMIA): "Fluid restriction.", ("b", *HYPOKALEMIA): "not in this note at all"}
    assert pol.context_coverage(records, quotes) == {
        "gold_candidates": 2,
        "whole": 1,
        "part": 0,
        "none": 1,
        "no_quote": 0,
    }
