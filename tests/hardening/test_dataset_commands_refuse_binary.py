"""Every command that reads a labelled JSON Lines file answers binary input with a message naming
the file, never a UnicodeDecodeError traceback."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

BINARY = bytes(range(128, 256)) * 4  # not UTF-8 anywhere


@pytest.fixture
def binary_file(tmp_path):
    path = tmp_path / "binary.jsonl"
    path.write_bytes(BINARY)
    return path


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("evaluate_cdi", lambda path, out: {"dataset": path, "predictions_out": out}),
        ("evaluate_coding", lambda path, out: {"dataset": path, "predictions_out": out}),
        ("coding_miss_report", lambda path, out: {"dataset": path}),
        ("cdi_context_coverage", lambda path, out: {"labels": [path], "dataset": [path]}),
        ("fit_cdi_policy", lambda path, out: {"train": [path], "heldout": [path + ".other"]}),
    ],
)
def test_a_binary_dataset_is_refused_with_the_file_named(command, arguments, binary_file, tmp_path):
    with pytest.raises(CommandError, match=r"binary\.jsonl.*not UTF-8 text"):
        call_command(command, **arguments(str(binary_file), str(tmp_path / "out.jsonl")))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"line 1: not valid JSON"),
        ('["a list, not a label"]', r"label 1: needs an id and a list of gaps"),
        ('{"id": "a.txt", "gaps": "none"}', r"label 1: needs an id and a list of gaps"),
        ('{"gaps": []}', r"label 1: needs an id and a list of gaps"),
    ],
)
def test_context_coverage_refuses_malformed_labels_with_a_message(line, message, tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("cdi_context_coverage", labels=[str(labels)], dataset=[str(labels)])
