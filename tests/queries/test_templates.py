"""Templates as data: one per pair of the gap vocabulary, loadable as plain dicts, validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from cdi.queries import (
    TemplateError,
    UnknownTemplateError,
    load_templates,
    template_for,
    template_from_dict,
    template_to_dict,
)
from cdi.queries.templates import BUNDLED_TEMPLATES

SPEC = Path(settings.BASE_DIR).parent / "shared" / "spec" / "cdi-gaps.json"


def vocabulary_pairs() -> set[tuple[str, str]]:
    if not SPEC.is_file():
        pytest.skip(f"gap vocabulary not found at {SPEC}")
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    return {
        (category, condition)
        for category, conditions in spec["categories"].items()
        for condition in conditions
    }


def test_it_has_one_template_per_gap_pair() -> None:
    templates = load_templates()
    pairs = [(t.category, t.condition) for t in templates]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == vocabulary_pairs()


def test_the_bundled_file_is_a_plain_list_of_dicts_with_a_version() -> None:
    records = json.loads(BUNDLED_TEMPLATES.read_text(encoding="utf-8"))
    assert isinstance(records, list)
    for record in records:
        assert isinstance(record, dict)
        assert isinstance(record["version"], int) and record["version"] >= 1
        assert {"category", "condition", "purpose", "format", "question", "options", "terms"} <= set(record)


def test_it_round_trips_a_template_through_a_dict() -> None:
    for template in load_templates():
        assert template_from_dict(template_to_dict(template)) == template


def test_every_template_offers_other_and_clinically_undetermined() -> None:
    for template in load_templates():
        assert template.format == "multiple_choice"
        assert "Other (please specify)" in template.options
        assert "Clinically undetermined" in template.options


def test_undocumented_diagnosis_templates_do_not_name_the_diagnosis_in_the_question() -> None:
    for template in load_templates():
        if template.category == "undocumented_diagnosis":
            assert template.purpose == "new_diagnosis"
            assert template.condition.replace("_", " ") not in template.question.lower()


def test_it_picks_the_newest_version() -> None:
    base = template_to_dict(template_for("acuity", "heart_failure"))
    newer = template_from_dict({**base, "version": 2, "title": "Heart failure (revised)"})
    older = template_from_dict(base)
    assert template_for("acuity", "heart_failure", [older, newer]).title == "Heart failure (revised)"


def test_it_rejects_an_unknown_pair() -> None:
    with pytest.raises(UnknownTemplateError):
        template_for("acuity", "broken_heart")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"question": "Please clarify {patient_name}'s diagnosis."}, "unknown placeholder"),
        ({"format": "yes_no"}, "not allowed"),
        ({"purpose": "upcoding"}, "unknown purpose"),
        ({"version": 0}, "version"),
        ({"options": "Acute, Chronic"}, "options"),
        ({"format": "multiple_choice", "options": []}, "needs options"),
    ],
)
def test_it_rejects_a_malformed_template(change: dict[str, object], message: str) -> None:
    record = {**template_to_dict(template_for("undocumented_diagnosis", "hyponatremia")), **change}
    with pytest.raises(TemplateError, match=message):
        template_from_dict(record)


def test_it_reports_a_bad_templates_file_without_a_traceback_of_json(tmp_path: Path) -> None:
    path = tmp_path / "templates.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(TemplateError, match="not valid JSON"):
        load_templates(path)
