"""CTranslate2 int8 runtime vs the same merged model in PyTorch fp32, on the same notes.

Each engine runs in its own spawned process, so its peak memory is its own and the
CTranslate2 process never imports torch (as in a worker). Both see identical windows,
batching and length sorting (``ScoringModel``), one note per call as a worker would.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

QUERY = "undocumented diagnosis: acute kidney injury"
# How far the int8 runtime's probabilities may stray from PyTorch fp32 on the benchmark's notes.
# int8 weights alone (CTranslate2 computing in fp32 on the dequantised weights) move the cdi
# head's probabilities by mean 0.023 / max 0.069 on the 40-note sample, int8 products by
# mean 0.032 / max 0.113 (the fp32 conversion matches PyTorch to 1e-5): see inference/README.md.
TOLERANCE_MEAN_PROBABILITY_DIFF = 0.05
TOLERANCE_MAX_PROBABILITY_DIFF = 0.15


@dataclass(frozen=True)
class EngineRun:
    engine: str
    notes: int
    tokens: int
    seconds: float
    notes_per_s: float
    # CPU seconds this process spent in the timed loop (all its threads): on a shared machine
    # wall time includes waiting for a core, CPU time mostly does not.
    cpu_seconds: float
    tokens_per_s: float
    p50_ms: float
    p95_ms: float
    peak_rss_mb: float
    rss_delta_mb: float
    probabilities: list[float]
    # The instruction set the engine's kernels dispatched to (CTranslate2: see cpu.py).
    isa: str = ""


@dataclass(frozen=True)
class BenchmarkResult:
    adapter: str
    version: str
    threads: int
    batch_size: int
    repeat: int
    ct2: EngineRun
    torch: EngineRun
    ratio: float
    # The same ratio in CPU seconds per note: less sensitive to other load on the machine.
    cpu_ratio: float
    max_probability_diff: float
    mean_probability_diff: float
    # Share of notes where both engines fall on the same side of 0.5.
    decision_agreement: float

    @property
    def within_tolerance(self) -> bool:
        return (
            self.mean_probability_diff <= TOLERANCE_MEAN_PROBABILITY_DIFF
            and self.max_probability_diff <= TOLERANCE_MAX_PROBABILITY_DIFF
        )

    def summary(self) -> dict:
        data = {
            "ct2_notes_per_s": self.ct2.notes_per_s,
            "torch_notes_per_s": self.torch.notes_per_s,
            "ratio": self.ratio,
            "cpu_ratio": self.cpu_ratio,
            "adapter": self.adapter,
            "version": self.version,
            "threads": self.threads,
            "batch_size": self.batch_size,
            "repeat": self.repeat,
            "max_probability_diff": self.max_probability_diff,
            "mean_probability_diff": self.mean_probability_diff,
            "decision_agreement": self.decision_agreement,
            "tolerance": {
                "mean_probability_diff": TOLERANCE_MEAN_PROBABILITY_DIFF,
                "max_probability_diff": TOLERANCE_MAX_PROBABILITY_DIFF,
            },
            "within_tolerance": self.within_tolerance,
        }
        for run in (self.ct2, self.torch):
            for key, value in asdict(run).items():
                if key not in ("engine", "probabilities"):
                    data[f"{run.engine}_{key}"] = value
        return data


class _PeakRss:
    """Samples this process's RSS every few milliseconds. ``ru_maxrss`` would include the
    parent's memory at fork time (Linux keeps it across exec), so it cannot separate engines."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil

        self._process = psutil.Process()
        self.start_mb = self.peak_mb = self.sample()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> float:
        return self._process.memory_info().rss / 2**20

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak_mb = max(self.peak_mb, self.sample())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.sample())
        return self.peak_mb


def _engine_run(
    engine: str,
    notes: list[str],
    runtime_folder: str,
    base_model: str,
    adapter_folder: str,
    threads: int,
    batch_size: int,
) -> EngineRun:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    memory = _PeakRss()
    if engine == "ct2":
        from .runtime import CPU_ISA, Encoder

        model = Encoder(runtime_folder, threads=threads, batch_size=batch_size)
        isa = CPU_ISA or "CTranslate2's own dispatch (at most AVX2)"
    else:
        import torch

        from .reference import TorchEncoder

        torch.set_num_threads(threads)
        model = TorchEncoder(base_model, Path(adapter_folder), batch_size=batch_size)
        isa = torch.backends.cpu.get_cpu_capability()
    from .windows import pair_windows

    tokens = sum(
        len(w.ids) for w in pair_windows(model.tokenizer, [(QUERY, n) for n in notes], model.options)
    )
    for note in notes[:2]:  # warm-up: first calls allocate caches
        model.score([(QUERY, note)])
    latencies, probabilities = [], []
    start, cpu_start = time.perf_counter(), time.process_time()
    for note in notes:
        t0 = time.perf_counter()
        probabilities.append(model.score([(QUERY, note)])[0].probability)
        latencies.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    peak = memory.stop()
    return EngineRun(
        engine=engine,
        notes=len(notes),
        tokens=tokens,
        seconds=seconds,
        notes_per_s=len(notes) / seconds,
        cpu_seconds=cpu_seconds,
        tokens_per_s=tokens / seconds,
        p50_ms=float(np.percentile(latencies, 50) * 1000),
        p95_ms=float(np.percentile(latencies, 95) * 1000),
        peak_rss_mb=peak,
        rss_delta_mb=peak - memory.start_mb,
        probabilities=probabilities,
        isa=isa,
    )


def pick_notes(notes_dir: Path, count: int) -> list[Path]:
    """Evenly spaced over the sorted folder, so the sample spans report types, not one letter."""
    files = sorted(notes_dir.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no .txt notes in {notes_dir}")
    step = max(1, len(files) // count)
    return files[::step][:count]


def run_benchmark(
    notes: list[str],
    runtime_folder: Path,
    base_model: str,
    adapter_folder: Path,
    threads: int = 1,
    batch_size: int = 16,
    repeat: int = 1,
) -> BenchmarkResult:
    """``repeat`` > 1 alternates the engines and keeps each one's fastest run, so a burst of
    load from other processes on a shared machine does not decide the ratio."""
    context = multiprocessing.get_context("spawn")
    runs: dict[str, EngineRun] = {}
    cpu: dict[str, float] = {}  # each engine's least CPU seconds over the repeats
    for _ in range(repeat):
        for engine in ("ct2", "torch"):
            with context.Pool(1) as pool:
                run = pool.apply(
                    _engine_run,
                    (
                        engine,
                        notes,
                        str(runtime_folder),
                        base_model,
                        str(adapter_folder),
                        threads,
                        batch_size,
                    ),
                )
            if engine not in runs or run.notes_per_s > runs[engine].notes_per_s:
                runs[engine] = run
            cpu[engine] = min(cpu.get(engine, run.cpu_seconds), run.cpu_seconds)
    diffs = np.abs(np.subtract(runs["ct2"].probabilities, runs["torch"].probabilities))
    from .registry import read_manifest

    manifest = read_manifest(adapter_folder)
    return BenchmarkResult(
        adapter=manifest["name"],
        version=manifest["version"],
        threads=threads,
        batch_size=batch_size,
        repeat=repeat,
        ct2=runs["ct2"],
        torch=runs["torch"],
        ratio=runs["ct2"].notes_per_s / runs["torch"].notes_per_s,
        cpu_ratio=cpu["torch"] / cpu["ct2"],
        max_probability_diff=float(diffs.max()),
        mean_probability_diff=float(diffs.mean()),
        decision_agreement=float(
            np.mean(
                (np.array(runs["ct2"].probabilities) >= 0.5) == (np.array(runs["torch"].probabilities) >= 0.5)
            )
        ),
    )
