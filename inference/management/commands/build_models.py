"""python manage.py build_models — merge live adapters, convert to CTranslate2 int8, install."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.errors import InferenceError


class Command(BaseCommand):
    # Model files only: no database or URL checks, so set-up can run it first.
    requires_system_checks: list[str] = []
    help = "Build INFERENCE_RUNTIME_DIR/<name>/ for the base model and every LIVE adapter (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="only these (base, cdi, coding); default all")
        parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
        parser.add_argument("--adapters-dir", type=Path, default=None)
        parser.add_argument("--runtime-dir", type=Path, default=None)

    def handle(self, *args, **options) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from inference.build import build_all

        runtime_dir = options["runtime_dir"] or settings.INFERENCE_RUNTIME_DIR
        try:
            results = build_all(
                settings.INFERENCE_BASE_MODEL,
                options["adapters_dir"] or settings.INFERENCE_ADAPTERS_DIR,
                runtime_dir,
                names=options["names"] or None,
                force=options["force"],
            )
        except InferenceError as exc:
            raise CommandError(str(exc)) from exc
        for r in results:
            if not r.built:
                self.stdout.write(f"{r.name} {r.version}: up to date ({r.folder})")
                continue
            check = f"min cosine vs PyTorch {r.min_cosine:.4f}"
            if r.max_probability_diff is not None:
                check += f", max |Δp| {r.max_probability_diff:.4f}"
            self.stdout.write(self.style.SUCCESS(f"{r.name} {r.version}: built {r.folder} ({check})"))
