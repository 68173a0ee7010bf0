"""The runtime asks CTranslate2 for AVX-512 where the CPU has it (CTranslate2 never picks it itself)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envchoice
from inference.cpu import AVX512_FLAGS, CHOICES, CpuIsaError, apply_cpu_isa, choose_isa, cpu_flags

from .conftest import REPO

AVX2_ONLY = frozenset({"sse4_1", "avx", "avx2", "fma"})
ZEN4 = AVX2_ONLY | AVX512_FLAGS | {"avx512_vnni", "avx512_bf16"}


def test_auto_asks_for_avx512_only_when_all_five_extensions_ctranslate2_checks_are_there():
    assert choose_isa("auto", ZEN4) == "AVX512"
    assert choose_isa("auto", AVX2_ONLY) is None  # CTranslate2 keeps its own dispatch
    assert choose_isa("auto", ZEN4 - {"avx512bw"}) is None
    assert choose_isa("auto", None) is None  # flags unreadable: no guess


def test_an_isa_the_cpu_lacks_is_refused_with_the_setting_named():
    with pytest.raises(CpuIsaError, match=r"INFERENCE_CPU_ISA=AVX512 .*avx512bw"):
        choose_isa("AVX512", AVX2_ONLY | {"avx512f", "avx512cd", "avx512vl", "avx512dq"})
    with pytest.raises(CpuIsaError, match="must be one of"):
        choose_isa("avx512", ZEN4)
    assert choose_isa("AVX2", ZEN4) == "AVX2"
    assert choose_isa("GENERIC", None) == "GENERIC"


def test_an_operators_own_ct2_variable_wins(monkeypatch):
    monkeypatch.setenv("CT2_FORCE_CPU_ISA", "AVX")
    assert apply_cpu_isa("auto", ZEN4) == "AVX"
    monkeypatch.delenv("CT2_FORCE_CPU_ISA")
    assert apply_cpu_isa("auto", ZEN4) == "AVX512"
    assert os.environ["CT2_FORCE_CPU_ISA"] == "AVX512"


def test_settings_accept_exactly_the_runtimes_choices(monkeypatch):
    for value in CHOICES:
        monkeypatch.setenv("INFERENCE_CPU_ISA", value)
        assert envchoice("INFERENCE_CPU_ISA", "auto", CHOICES) == value
    monkeypatch.setenv("INFERENCE_CPU_ISA", "sse2")
    with pytest.raises(ImproperlyConfigured, match="INFERENCE_CPU_ISA"):
        envchoice("INFERENCE_CPU_ISA", "auto", CHOICES)
    from django.conf import settings

    assert settings.INFERENCE_CPU_ISA in CHOICES


def _selected_isa(runtime_folder, **env) -> str:
    """Load a runtime in a fresh process (CTranslate2 fixes its ISA once per process) and read
    the ISA CTranslate2 reports choosing."""
    clean = {k: v for k, v in os.environ.items() if k not in ("CT2_FORCE_CPU_ISA", "INFERENCE_CPU_ISA")}
    clean.update(env, CT2_VERBOSE="1")
    code = f"from inference import Encoder; Encoder({str(runtime_folder)!r}).embed(['sodium 128'])"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "Selected ISA:" in line]
    assert lines, done.stderr[-2000:]
    return lines[0].rsplit(":", 1)[1].strip()


HAS_AVX512 = (cpu_flags() or frozenset()) >= AVX512_FLAGS


@pytest.mark.skipif(not HAS_AVX512, reason="this CPU has no AVX-512")
def test_the_runtime_runs_ctranslate2_on_avx512_where_the_cpu_has_it(runtime_root):
    assert _selected_isa(runtime_root / "base") == "AVX512"
    assert _selected_isa(runtime_root / "base", INFERENCE_CPU_ISA="AVX2") == "AVX2"


@pytest.mark.skipif(HAS_AVX512, reason="this CPU has AVX-512 (the test above)")
def test_without_avx512_the_runtime_keeps_ctranslate2s_choice(runtime_root):
    assert _selected_isa(runtime_root / "base") in ("AVX2", "AVX", "GENERIC")
