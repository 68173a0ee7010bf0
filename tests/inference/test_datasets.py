from __future__ import annotations

import json

import pytest

from inference.datasets.cdi_synthetic import build_cdi_pairs, gap_description
from inference.datasets.coding_pairs import read_abbreviations

from .conftest import REPO

GAPS_SPEC = REPO.parent / "shared" / "spec" / "cdi-gaps.json"


def test_every_abbreviation_maps_to_a_real_icd10cm_code():
    import simple_icd_10_cm as icd

    rows = read_abbreviations()
    assert len(rows) > 50
    assert all(icd.is_valid_item(row.code) for row in rows), [
        r.code for r in rows if not icd.is_valid_item(r.code)
    ]


def test_synthetic_cdi_pairs_cover_every_gap_of_the_vocabulary_with_both_labels():
    if not GAPS_SPEC.is_file():
        pytest.skip("../shared/spec/cdi-gaps.json is not available")
    spec = json.loads(GAPS_SPEC.read_text())
    wanted = {gap_description(cat, cond) for cat, conds in spec["categories"].items() for cond in conds}
    pairs = build_cdi_pairs(per_template=2)
    for label in (0, 1):
        assert {p.text_a for p in pairs if p.label == label} >= wanted
    assert build_cdi_pairs(per_template=2) == pairs  # deterministic for a seed
