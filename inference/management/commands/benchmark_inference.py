"""python manage.py benchmark_inference [--notes N] [--json] — CTranslate2 int8 vs PyTorch fp32."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Score N real notes with the CTranslate2 runtime and the merged PyTorch model; print speed and memory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--notes", type=int, default=100)
        parser.add_argument(
            "--notes-dir", type=Path, default=settings.BASE_DIR.parent / "shared" / "data" / "mtsamples"
        )
        parser.add_argument("--adapter", default="cdi")
        parser.add_argument("--threads", type=int, default=1, help="intra-op threads for both engines")
        parser.add_argument("--batch-size", type=int, default=16)
        parser.add_argument("--repeat", type=int, default=2, help="alternate engines N times, keep each best")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--save", type=Path, default=None, help="also write the JSON here")

    def handle(self, *args, **options) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from inference.benchmark import pick_notes, run_benchmark
        from inference.errors import InferenceError
        from inference.registry import live_adapter_folder
        from inference.runtime import verify_runtime

        for option in ("notes", "threads", "batch_size", "repeat"):
            if options[option] < 1:
                raise CommandError(f"--{option.replace('_', '-')} must be at least 1, got {options[option]}")
        name = options["adapter"]
        runtime_folder = settings.INFERENCE_RUNTIME_DIR / name
        try:
            verify_runtime(runtime_folder)
            adapter_folder = live_adapter_folder(settings.INFERENCE_ADAPTERS_DIR, name)
            files = pick_notes(options["notes_dir"], options["notes"])
        except (InferenceError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        notes = [f.read_text(encoding="utf-8", errors="replace") for f in files]
        result = run_benchmark(
            notes,
            runtime_folder,
            settings.INFERENCE_BASE_MODEL,
            adapter_folder,
            threads=options["threads"],
            batch_size=options["batch_size"],
            repeat=options["repeat"],
        )
        summary = result.summary()
        if options["save"]:
            options["save"].write_text(json.dumps(summary, indent=2) + "\n")
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"{result.adapter} {result.version}: {len(notes)} notes, {result.threads} thread(s), "
            f"batch {result.batch_size}, best of {result.repeat}"
        )
        self.stdout.write(
            f"{'engine':<18}{'notes/s':>9}{'tokens/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'peak RSS MB':>13}{'CPU s':>8}"
        )
        for label, run in (("CTranslate2 int8", result.ct2), ("PyTorch fp32", result.torch)):
            self.stdout.write(
                f"{label:<18}{run.notes_per_s:>9.2f}{run.tokens_per_s:>10.0f}{run.p50_ms:>9.1f}"
                f"{run.p95_ms:>9.1f}{run.peak_rss_mb:>13.0f}{run.cpu_seconds:>8.1f}  {run.isa}"
            )
        self.stdout.write(
            f"ratio {result.ratio:.2f}x (CPU time {result.cpu_ratio:.2f}x); |Δp| max {result.max_probability_diff:.4f}, "
            f"mean {result.mean_probability_diff:.4f}; same side of 0.5 on {result.decision_agreement:.0%} of notes"
        )
        tolerance = summary["tolerance"]
        self.stdout.write(
            f"score difference {'within' if result.within_tolerance else 'OUTSIDE'} tolerance "
            f"(mean |Δp| <= {tolerance['mean_probability_diff']}, max <= {tolerance['max_probability_diff']})"
        )
