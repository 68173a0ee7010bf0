from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from coding.evaluation import DatasetError, Example, Prediction, parse_line, score


def never_critical(code: str, principal: str | None) -> bool:
    return False


def test_it_scores_a_tiny_example_by_hand():
    examples = [
        Example("a", "", ["J18.9", "E87.1", "I10"], 1),
        Example("b", "", ["N39.0"], 2),
        Example("c", "", None, 3),  # unlabelled: predicted, not scored
    ]
    predictions = {
        "a": [Prediction("J189", 0.9), Prediction("E87.2", 0.5), Prediction("R05.9", 0.4)],
        "b": [Prediction("N39.0", 0.8)],
        "c": [Prediction("I10", 0.8)],
    }
    # E87.1 is a CC: its family E87 is present (E87.2), so it is not a critical miss.
    metrics = score(examples, predictions, lambda code, principal: code == "E871")
    assert metrics.notes == 3 and metrics.scored_notes == 2
    assert metrics.gold_codes == 4
    assert metrics.exact_hits == 2  # J18.9 (dots ignored) and N39.0
    assert metrics.family_hits == 3  # + E87
    assert metrics.predicted_codes == 4
    assert metrics.precision == pytest.approx(2 / 4)
    assert metrics.exact_recall == pytest.approx(2 / 4)
    assert metrics.family_recall == pytest.approx(3 / 4)
    # Critical: the two principals (J18.9, N39.0) and the CC E87.1; none has its family missing.
    assert metrics.critical_codes == 3
    assert metrics.critical_misses == 0


def test_it_counts_a_missing_principal_family_as_a_critical_miss():
    metrics = score([Example("a", "", ["A41.9", "I10"], 1)], {"a": [Prediction("I10", 0.9)]}, never_critical)
    assert metrics.critical_codes == 1
    assert metrics.critical_misses == 1
    assert metrics.critical_miss_rate == pytest.approx(1 / 2)
    assert metrics.critical_miss_share_of_critical == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"text": "x"}', "'id' is missing"),
        ('{"id": "a"}', "'text' is missing"),
        ('{"id": "a", "text": "x", "codes": "J18.9"}', "'codes' must be a list"),
        ('{"id": "a", "text": "x", "codes": [1]}', "'codes' must be a list"),
    ],
)
def test_it_rejects_bad_lines_with_the_line_number(raw: str, message: str):
    with pytest.raises(DatasetError) as info:
        parse_line(raw, 7)
    assert "line 7" in str(info.value)
    assert message in str(info.value)


def test_it_never_echoes_note_text_in_errors():
    with pytest.raises(DatasetError) as info:
        parse_line('{"id": "a", "text": "SECRET PATIENT TEXT", "codes": "x"}', 1)
    assert "SECRET" not in str(info.value)


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "evaluate_coding", dataset=str(tmp_path / "nope.jsonl"), predictions_out=str(tmp_path / "p")
        )


def test_the_command_names_the_bad_line(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "text": "Hypertension.", "codes": ["I10"]}\n{"id": "b"}\n')
    with pytest.raises(CommandError, match="line 2"):
        call_command("evaluate_coding", dataset=str(data), predictions_out=str(tmp_path / "p.jsonl"))


def test_the_command_refuses_duplicate_ids(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n')
    with pytest.raises(CommandError, match="duplicate id"):
        call_command("evaluate_coding", dataset=str(data), predictions_out=str(tmp_path / "p.jsonl"))


def test_the_command_writes_one_prediction_per_line_and_json_metrics(tmp_path, capsys):
    data = tmp_path / "d.jsonl"
    notes = [
        {
            "id": "n1",
            "text": "ASSESSMENT:\n1. Community acquired pneumonia.\n2. Hypertension.\n",
            "codes": ["J18.9", "I10"],
        },
        {"id": "n2", "text": "IMPRESSION: Urinary tract infection.\n"},
    ]
    data.write_text("\n".join(json.dumps(n) for n in notes) + "\n\n")
    out = tmp_path / "pred.jsonl"
    call_command(
        "evaluate_coding",
        dataset=str(data),
        predictions_out=str(out),
        json=True,
        ranker="lexical",
        no_embeddings=True,
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["n1", "n2"]
    assert [c["code"] for c in lines[0]["codes"]] == ["J18.9", "I10"]
    assert [c["code"] for c in lines[1]["codes"]] == ["N39.0"]
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["scored_notes"] == 1
    assert metrics["exact_match_recall"] == 1.0
    assert metrics["precision"] == 1.0


def test_the_command_reports_dev_and_heldout_splits_separately(tmp_path, capsys):
    data = tmp_path / "d.jsonl"
    notes = [
        {"id": "d1", "text": "ASSESSMENT:\n1. Hypertension.\n", "codes": ["I10"], "split": "dev"},
        {"id": "h1", "text": "ASSESSMENT:\n1. Hypertension.\n", "codes": ["N39.0"], "split": "heldout"},
    ]
    data.write_text("\n".join(json.dumps(n) for n in notes) + "\n")
    call_command(
        "evaluate_coding",
        dataset=str(data),
        predictions_out=str(tmp_path / "p.jsonl"),
        json=True,
        ranker="lexical",
        no_embeddings=True,
    )
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["exact_match_recall"] == 0.5
    assert metrics["splits"]["dev"]["exact_match_recall"] == 1.0
    assert metrics["splits"]["heldout"]["exact_match_recall"] == 0.0


def test_coding_dataset_tags_each_report_with_its_split(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a.txt").write_text("ASSESSMENT: Hypertension.\n")
    (reports / "b.txt").write_text("ASSESSMENT: Asthma.\n")
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a.txt", "codes": ["I10"]}\n{"id": "b.txt", "codes": ["J45.909"]}\n')
    splits = tmp_path / "splits.tsv"
    splits.write_text("# id<TAB>split\na.txt\tdev\nb.txt\theldout\n")
    out = tmp_path / "data.jsonl"
    call_command(
        "coding_dataset", labels=[str(labels)], out=str(out), reports=str(reports), splits=str(splits)
    )
    assert [json.loads(line)["split"] for line in out.read_text().splitlines()] == ["dev", "heldout"]
    call_command(
        "coding_dataset",
        labels=[str(labels)],
        out=str(out),
        reports=str(reports),
        splits=str(splits),
        split="heldout",
    )
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["b.txt"]


def test_the_shipped_split_holds_out_reports_never_used_for_tuning():
    from pathlib import Path

    from coding.evaluation import read_splits

    splits = read_splits(Path(__file__).resolve().parents[2] / "coding" / "labels" / "splits.tsv")
    assert set(splits.values()) == {"dev", "heldout", "heldout2", "heldout3"}
    assert sum(1 for split in splits.values() if split == "heldout") == 24
    assert sum(1 for split in splits.values() if split == "heldout2") == 18
    assert sum(1 for split in splits.values() if split == "heldout3") == 18
