"""`benchmark_inference` runs real notes through both engines and prints the contract's figures."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .conftest import MTSAMPLES


def test_benchmark_json_has_both_engines_the_ratio_and_the_tolerance_verdict(runtime_root, settings):
    if not MTSAMPLES.is_dir():
        pytest.skip("../shared/data/mtsamples is not available")
    settings.INFERENCE_RUNTIME_DIR = runtime_root
    out = StringIO()
    call_command(
        "benchmark_inference", "--adapter", "coding", "--notes", "3", "--repeat", "1",
        "--notes-dir", str(MTSAMPLES), "--json", stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert result["ct2_notes"] == result["torch_notes"] == 3
    assert result["ct2_notes_per_s"] > 0 and result["torch_notes_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["ct2_notes_per_s"] / result["torch_notes_per_s"])
    assert result["ct2_isa"] and result["torch_isa"]
    assert result["within_tolerance"] == (
        result["mean_probability_diff"] <= result["tolerance"]["mean_probability_diff"]
        and result["max_probability_diff"] <= result["tolerance"]["max_probability_diff"]
    )


def test_benchmark_table_names_each_engine_and_the_verdict(runtime_root, settings):
    if not MTSAMPLES.is_dir():
        pytest.skip("../shared/data/mtsamples is not available")
    settings.INFERENCE_RUNTIME_DIR = runtime_root
    out = StringIO()
    call_command(
        "benchmark_inference", "--adapter", "coding", "--notes", "2", "--repeat", "1",
        "--notes-dir", str(MTSAMPLES), stdout=out,
    )  # fmt: skip
    table = out.getvalue()
    assert "CTranslate2 int8" in table and "PyTorch fp32" in table
    assert "ratio" in table and "tolerance" in table


def test_benchmark_without_a_built_runtime_names_the_fix(tmp_path, settings):
    settings.INFERENCE_RUNTIME_DIR = tmp_path
    with pytest.raises(CommandError, match="build_models"):
        call_command("benchmark_inference", "--adapter", "coding", "--notes", "2")


@pytest.mark.parametrize("option", ["--notes", "--threads", "--repeat", "--batch-size"])
def test_benchmark_refuses_counts_below_one_with_a_message(option):
    with pytest.raises(CommandError, match=f"{option} must be at least 1"):
        call_command("benchmark_inference", option, "0")
