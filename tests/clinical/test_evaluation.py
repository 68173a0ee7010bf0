from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cdi.clinical.evaluation import EvalRecord, score


def test_metric_arithmetic_on_a_tiny_example():
    gold = [
        EvalRecord("a", "", (("acuity", "heart_failure"), ("undocumented_diagnosis", "sepsis"))),
        EvalRecord("b", "", ()),
        EvalRecord("c", "", ()),
        EvalRecord("d", "", None),  # unlabelled: predicted, not scored
    ]
    predicted = {
        "a": {("acuity", "heart_failure"), ("organism", "pneumonia")},
        "b": {("undocumented_diagnosis", "hyponatremia")},
        "c": set(),
        "d": {("acuity", "heart_failure")},
    }
    metrics = score(gold, predicted)
    assert (metrics.overall.tp, metrics.overall.fp, metrics.overall.fn) == (1, 2, 1)
    assert metrics.overall.precision == pytest.approx(1 / 3)
    assert metrics.overall.recall == pytest.approx(1 / 2)
    assert metrics.overall.f1 == pytest.approx(0.4)
    assert metrics.per_category["acuity"].precision == 1.0
    assert metrics.per_category["organism"].fp == 1
    assert metrics.per_category["undocumented_diagnosis"].fn == 1
    assert (metrics.gap_free_notes, metrics.gap_free_with_false_alarm) == (2, 1)
    assert metrics.false_positive_rate == 0.5
    assert metrics.scored_notes == 3 and metrics.notes == 4


def test_a_pair_counts_once_per_note():
    gold = [EvalRecord("a", "", (("acuity", "heart_failure"), ("acuity", "heart_failure")))]
    metrics = score(gold, {"a": {("acuity", "heart_failure")}})
    assert (metrics.overall.tp, metrics.overall.fn) == (1, 0)


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_the_command_writes_one_prediction_per_line_and_json_metrics(tmp_path, capsys):
    text = "LABORATORY DATA: Sodium 128.\n\nPLAN: Fluid restriction to 1 L.\n"
    dataset = write(
        tmp_path / "d.jsonl",
        [
            json.dumps(
                {
                    "id": "n1",
                    "text": text,
                    "gaps": [{"category": "undocumented_diagnosis", "condition": "hyponatremia"}],
                }
            ),
            json.dumps({"id": "n2", "text": "ASSESSMENT: Well.\n", "gaps": []}),
            json.dumps({"id": "n3", "text": text}),
        ],
    )
    out = tmp_path / "p.jsonl"
    call_command("evaluate_cdi", dataset=str(dataset), predictions_out=str(out), json=True, no_model=True)
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["precision"] == 1.0 and metrics["recall"] == 1.0 and metrics["scored_notes"] == 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["n1", "n2", "n3"]
    gap = lines[0]["gaps"][0]
    assert gap["condition"] == "hyponatremia" and 0 <= gap["confidence"] <= 1
    for span in gap["evidence"]:
        assert text[span["start"] : span["end"]] == span["text"]


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "evaluate_cdi", dataset=str(tmp_path / "nope.jsonl"), predictions_out=str(tmp_path / "p")
        )


def test_a_bad_json_line_names_the_line(tmp_path):
    dataset = write(tmp_path / "d.jsonl", [json.dumps({"id": "a", "text": "x"}), "{not json"])
    with pytest.raises(CommandError, match="line 2"):
        call_command("evaluate_cdi", dataset=str(dataset), predictions_out=str(tmp_path / "p"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"id": "a", "text": 3}, "'text' must be a string"),
        ({"text": "x"}, "'id' must be a string"),
        ({"id": "a", "text": "x", "gaps": "none"}, "'gaps' must be a list"),
        ({"id": "a", "text": "x", "gaps": [{"category": "acuity"}]}, "'condition'"),
        (["a"], "JSON object"),
    ],
)
def test_wrong_types_are_clear_errors(tmp_path, line, message):
    dataset = write(tmp_path / "d.jsonl", [json.dumps(line)])
    with pytest.raises(CommandError, match=message):
        call_command("evaluate_cdi", dataset=str(dataset), predictions_out=str(tmp_path / "p"))


def test_errors_never_echo_note_text(tmp_path):
    dataset = write(tmp_path / "d.jsonl", ['{"id": "a", "text": "SECRET PATIENT NAME", "gaps": 5}'])
    with pytest.raises(CommandError) as raised:
        call_command("evaluate_cdi", dataset=str(dataset), predictions_out=str(tmp_path / "p"))
    assert "SECRET" not in str(raised.value)
