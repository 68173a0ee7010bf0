from __future__ import annotations

import json

import pytest

from inference.errors import AdapterError
from inference.pairs import is_held_out, read_pairs, roc_auc, split_holdout


def test_it_rejects_a_bad_label_naming_the_line_but_not_the_text(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"text_a": "a", "text_b": "secret note text", "label": 2}) + "\n")
    with pytest.raises(AdapterError) as error:
        read_pairs(path)
    assert ":1:" in str(error.value)
    assert "secret" not in str(error.value)


def test_it_splits_by_group_deterministically(tmp_path):
    rows = [
        {"text_a": "a", "text_b": f"b{i}", "label": i % 2, "group": f"report-{i // 4}"} for i in range(400)
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    train, held = split_holdout(read_pairs(path), 20)
    assert 0 < len(held) < len(train)
    # Whole groups move together: no report has pairs on both sides.
    assert not {e.split_key for e in train} & {e.split_key for e in held}
    assert [e.text_b for e in held] == [e.text_b for e in split_holdout(read_pairs(path), 20)[1]]
    assert is_held_out("report-3", 20) == is_held_out("report-3", 20)


def test_it_computes_auc_with_ties():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5
    assert roc_auc([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1]) == 0.75
    assert roc_auc([1, 1], [0.2, 0.3]) is None
