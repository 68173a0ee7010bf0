"""``manage.py check_queries``: one verdict per line, a summary, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

SAMPLE = Path(__file__).parent / "data" / "sample-queries.jsonl"
GOOD = {
    "id": "ok",
    "format": "multiple_choice",
    "purpose": "specificity",
    "indicators": ["'LVEF 30%' — echocardiogram 03/15", "BNP 1,200 pg/mL (lab, 03/14)"],
    "question": 'The record documents "CHF". Please clarify the type and acuity of the heart failure.',
    "options": [
        "Acute systolic heart failure",
        "Acute on chronic systolic heart failure",
        "Other (please specify)",
        "Clinically undetermined",
    ],
}


def run(dataset: Path, out: Path, *extra: str) -> str:
    stdout = StringIO()
    call_command(
        "check_queries", "--dataset", str(dataset), "--predictions-out", str(out), *extra, stdout=stdout
    )
    return stdout.getvalue()


def verdicts(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_it_writes_one_verdict_per_sample_query(tmp_path: Path) -> None:
    out = tmp_path / "verdicts.jsonl"
    run(SAMPLE, out)
    inputs = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = verdicts(out)
    assert [r["id"] for r in results] == [q["id"] for q in inputs]
    for result in results:
        assert set(result) == {"id", "compliant", "problems"}
        assert result["compliant"] is (result["problems"] == [])
    # The sample was written with these verdicts in mind (compliant ones first drafted to the guidelines).
    compliant = {r["id"] for r in results if r["compliant"]}
    assert compliant == {
        "q01-hf-specificity",
        "q02-low-sodium",
        "q03-poa",
        "q04-open-ended",
        "q10-cause-and-effect",
        "q12-conflicting",
    }
    problems = {r["id"]: " ".join(r["problems"]) for r in results}  # type: ignore[arg-type]
    assert (
        "financial_impact" in problems["q05-leading-drg"] and "leading_phrase" in problems["q05-leading-drg"]
    )
    assert "yes_no_not_allowed" in problems["q06-yes-no-new-dx"]
    assert "no_indicators" in problems["q07-no-indicators"]
    assert "too_few_options" in problems["q08-single-option"]
    assert "unrelated_option" in problems["q09-unrelated-option"]
    assert "quality_impact" in problems["q11-quality-scores"]


def test_it_prints_a_summary(tmp_path: Path) -> None:
    text = run(SAMPLE, tmp_path / "v.jsonl")
    assert "Checked 12 queries: 6 compliant, 6 not compliant." in text
    assert "no_indicators" in text


def test_it_prints_the_summary_as_json(tmp_path: Path) -> None:
    summary = json.loads(run(SAMPLE, tmp_path / "v.jsonl", "--json"))
    assert (summary["total"], summary["compliant"], summary["non_compliant"]) == (12, 6, 6)
    assert summary["problems_by_code"]["too_few_options"] == 2


def test_it_gives_bad_lines_a_verdict_that_names_the_line(tmp_path: Path) -> None:
    dataset = tmp_path / "bad.jsonl"
    lines = [
        json.dumps(GOOD).encode(),
        b'{"id": "broken", "format": ',
        json.dumps({**GOOD, "id": "types", "indicators": "BNP 1,200"}).encode(),
        json.dumps({**GOOD, "id": "fmt", "format": "checkbox"}).encode(),
        json.dumps({key: value for key, value in GOOD.items() if key != "id"}).encode(),
        b"[1, 2, 3]",
        b"",
        b'{"id": "latin1", "question": "caf\xe9"}',
        json.dumps({**GOOD, "id": "nums", "options": ["Acute", 3]}).encode(),
    ]
    dataset.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "v.jsonl"
    summary = json.loads(run(dataset, out, "--json"))
    results = verdicts(out)
    assert len(results) == 8  # the blank line is not a query
    by_id = {r["id"]: r for r in results if r["id"]}
    assert by_id["ok"]["compliant"] is True
    assert by_id["types"]["problems"] == [
        'invalid_input: line 3: field "indicators" must be a list of strings'
    ]
    assert by_id["fmt"]["problems"][0].startswith("unknown_format: format must be one of")
    assert by_id["latin1"]["problems"] == ["invalid_input: line 8 is not valid UTF-8"]
    assert by_id["nums"]["problems"] == ['invalid_input: line 9: field "options" must be a list of strings']
    anonymous = [r["problems"][0] for r in results if r["id"] is None]
    assert anonymous[0].startswith("invalid_input: line 2 is not valid JSON")
    assert anonymous[1] == 'invalid_input: line 5: missing field "id"'
    assert anonymous[2] == "invalid_input: line 6: expected a JSON object, got list"
    assert summary["problems_by_code"]["invalid_input"] == 6
    assert summary["compliant"] == 1


def test_it_stops_with_a_clear_error_when_the_dataset_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="dataset not found"):
        run(tmp_path / "nope.jsonl", tmp_path / "v.jsonl")


def test_it_stops_with_a_clear_error_when_the_output_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="output folder does not exist"):
        run(SAMPLE, tmp_path / "missing" / "v.jsonl")


def test_it_handles_an_empty_dataset(tmp_path: Path) -> None:
    dataset = tmp_path / "empty.jsonl"
    dataset.write_text("\n\n", encoding="utf-8")
    out = tmp_path / "v.jsonl"
    assert "Checked 0 queries" in run(dataset, out)
    assert out.read_text(encoding="utf-8") == ""
