from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from coding import codeset
from coding.candidates import Candidate, Evidence
from coding.learned import FEATURES, LearnedRanker, RankerWeights, features, fit
from inference.registry import live_adapter_version


def cand(code: str, sections: list[str], source: str = "synonym", score: float = 0.5) -> Candidate:
    evidence = [Evidence(i, i + 3, "abc", section) for i, section in enumerate(sections)]
    return Candidate(code, codeset.title(code), score, evidence, "test", source, principal_key=(2, 0, 0))


def test_the_fit_recovers_which_feature_predicts_the_label():
    rng = np.random.default_rng(8)
    signal = rng.integers(0, 2, 400).astype(float)
    noise = rng.integers(0, 2, 400).astype(float)
    rows = np.column_stack([np.ones(400), signal, noise])
    labels = (rng.random(400) < np.where(signal == 1, 0.8, 0.2)).astype(float)
    weights = fit(rows, labels)
    assert weights[1] > 1.5  # log-odds of 0.8 vs 0.2 is about 2.8, shrunk a little by the penalty
    assert abs(weights[2]) < 0.5


def test_features_describe_where_and_how_a_code_was_found():
    row = dict(zip(FEATURES, features(cand("I10", ["assessment", "past_medical_history"]), 0.7), strict=True))
    assert row["section:assessment"] == 1 and row["section:past_medical_history"] == 1
    assert row["section:hpi"] == 0 and row["sections"] == 2
    assert row["source:synonym"] == 1 and row["adapter_probability"] == pytest.approx(0.7)
    assert row["symptom"] == 0
    assert features(cand("R55", ["hpi"]), 0.5)[FEATURES.index("symptom")] == 1


class FakeAdapter:
    version = "v1"

    def probabilities(self, candidates, text):
        return [0.5 for _ in candidates]


def test_the_ranker_scores_candidates_by_the_fitted_weights():
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("section:assessment")] = 3.0
    ranker = LearnedRanker(FakeAdapter(), RankerWeights(weights, 0.6, "v1"))
    ranked = ranker.rank([cand("I10", ["assessment"]), cand("E78.5", ["hpi"])], "text")
    assert ranked[0].score > 0.9 and ranked[1].score == pytest.approx(0.5)
    assert ranker.default_threshold == 0.6


def test_the_ranker_refuses_weights_fitted_with_another_adapter(tmp_path):
    path = tmp_path / "ranker.json"
    RankerWeights(np.zeros(len(FEATURES)), 0.5, "v0").save(path)
    with pytest.raises(ValueError, match="adapter v0"):
        LearnedRanker(FakeAdapter(), RankerWeights.load(path))


def test_the_shipped_weights_match_the_features():
    weights = RankerWeights.load()
    assert len(weights.weights) == len(FEATURES)
    assert "dev split" in weights.meta["trained_on"]


def test_the_shipped_weights_belong_to_the_live_coding_adapter(settings):
    # Weights fitted with another adapter version are refused at run time and the coder silently
    # gets the adapter-only ranking: refit with train_coding_ranker whenever LIVE moves.
    live = live_adapter_version(settings.INFERENCE_ADAPTERS_DIR, "coding")
    assert RankerWeights.load().adapter_version == live


@pytest.mark.parametrize("split", ["heldout", "heldout2", "heldout3"])
def test_training_refuses_held_out_reports(tmp_path, split):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "x", "codes": ["I10"], "split": split}) + "\n")
    with pytest.raises(CommandError, match="held-out"):
        call_command("train_coding_ranker", dataset=str(data), out=str(tmp_path / "w.json"))
