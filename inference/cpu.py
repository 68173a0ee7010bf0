"""Which instruction set CTranslate2's own kernels use on this CPU.

CTranslate2 leaves AVX-512 out of its automatic dispatch (``cpu_isa.cc``: "AVX512 is not
included in the automatic dispatch at this time") and takes it only when ``CT2_FORCE_CPU_ISA``
asks. On a CPU that has it (Intel since Skylake-SP, AMD since Zen 4) the encoder is faster with
it: see ``inference/README.md`` for the measurement. ``INFERENCE_CPU_ISA=auto`` (the default)
asks for AVX-512 exactly when the CPU reports the five extensions CTranslate2 checks before
accepting it, and otherwise leaves CTranslate2's choice alone; an explicit value is passed on
after the same check, so a wrong setting fails here with its name instead of deep in a worker.
An operator's own ``CT2_FORCE_CPU_ISA`` always wins.

CTranslate2 reads the variable once per process, when it first needs its ISA (the first model
load), so this must run before any ``ctranslate2.Encoder`` is created: ``inference.runtime``
calls it when imported.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTING = "INFERENCE_CPU_ISA"
CT2_VARIABLE = "CT2_FORCE_CPU_ISA"
CHOICES = ("auto", "AVX512", "AVX2", "AVX", "GENERIC")
# What CTranslate2's cpu_supports_avx512() requires (cpu_info.cc), by their /proc/cpuinfo names.
AVX512_FLAGS = frozenset({"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"})
REQUIRED_FLAGS = {"AVX512": AVX512_FLAGS, "AVX2": frozenset({"avx2"}), "AVX": frozenset({"avx"})}


class CpuIsaError(ValueError):
    """A requested instruction set this CPU (or CTranslate2) cannot use."""


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    """The CPU's feature flags, or ``None`` where they cannot be read (not Linux x86)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return None


def choose_isa(requested: str, flags: frozenset[str] | None) -> str | None:
    """The value for ``CT2_FORCE_CPU_ISA``, or ``None`` to keep CTranslate2's own choice."""
    if requested not in CHOICES:
        raise CpuIsaError(f"{SETTING} must be one of {', '.join(CHOICES)}; got {requested!r}")
    if requested == "auto":
        return "AVX512" if flags is not None and flags >= AVX512_FLAGS else None
    if requested == "GENERIC" or flags is None:  # unreadable flags: CTranslate2 checks it itself
        return requested
    missing = sorted(REQUIRED_FLAGS[requested] - flags)
    if missing:
        raise CpuIsaError(
            f"{SETTING}={requested} but this CPU lacks {', '.join(missing)}; use auto or a lower ISA"
        )
    return requested


def apply_cpu_isa(requested: str | None = None, flags: frozenset[str] | None = None) -> str | None:
    """Set ``CT2_FORCE_CPU_ISA`` for this process (and the processes it starts) and return the ISA
    asked for, ``None`` when CTranslate2 keeps its own dispatch (AVX2 on a modern x86 CPU)."""
    if os.environ.get(CT2_VARIABLE):
        return os.environ[CT2_VARIABLE]
    requested = requested if requested is not None else os.environ.get(SETTING, "auto").strip() or "auto"
    isa = choose_isa(requested, cpu_flags() if flags is None else flags)
    if isa is not None:
        os.environ[CT2_VARIABLE] = isa
    return isa
