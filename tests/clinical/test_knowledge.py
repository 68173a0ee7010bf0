from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import simple_icd_10_cm as icd

from cdi.clinical.knowledge import default_knowledge, load_knowledge, validate

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "cdi-gaps.json"


def test_the_knowledge_base_validates():
    assert validate(load_knowledge()) == []


def test_version_is_dated():
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d+", default_knowledge().version)


def test_every_code_is_a_valid_icd_10_cm_code():
    for item in default_knowledge().conditions:
        assert item.all_codes, item.key
        for code in item.all_codes:
            assert icd.is_valid_item(code), (item.key, code)


@pytest.mark.skipif(not SPEC.is_file(), reason="shared spec not present")
def test_every_condition_of_the_shared_vocabulary_is_covered():
    vocabulary = json.loads(SPEC.read_text())["categories"]
    kb = default_knowledge()
    covered = {item.key for item in kb.conditions}
    expected = {(category, condition) for category, names in vocabulary.items() for condition in names}
    assert expected == covered
    assert {c: list(n) for c, n in kb.vocabulary.items()} == vocabulary


def test_every_threshold_names_its_source():
    for item in default_knowledge().conditions:
        for criterion in item.criteria:
            assert criterion.source.strip(), item.key
