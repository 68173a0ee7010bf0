"""python manage.py train_adapter {cdi|coding} --data FILE.jsonl — train a LoRA adapter + head."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.errors import InferenceError
from inference.registry import ADAPTER_NAMES


class Command(BaseCommand):
    # Model files only: no database or URL checks, so it runs before the rest of the site is set up.
    requires_system_checks: list[str] = []
    help = "Train a LoRA adapter and its head on pair data; writes a new version and makes it LIVE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=ADAPTER_NAMES)
        parser.add_argument(
            "--data", required=True, type=Path, help="JSONL of {text_a, text_b, label[, group]}"
        )
        parser.add_argument("--epochs", type=float, default=1.0)
        parser.add_argument("--max-steps", type=int, default=None, help="stop after this many steps")
        parser.add_argument("--batch-size", type=int, default=16)
        parser.add_argument("--learning-rate", type=float, default=5e-4)
        parser.add_argument("--lora-r", type=int, default=8)
        parser.add_argument(
            "--max-length", type=int, default=256, help="tokens per input (and runtime window)"
        )
        parser.add_argument("--holdout-percent", type=int, default=15)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--threads", type=int, default=settings.INFERENCE_THREADS)
        parser.add_argument("--out", type=Path, default=None, help="adapters folder (INFERENCE_ADAPTERS_DIR)")
        parser.add_argument(
            "--no-live", action="store_true", help="write the version but leave LIVE unchanged"
        )
        parser.add_argument(
            "--no-calibration",
            action="store_true",
            help="skip Platt scaling of the head (how coding v1 was trained; reproduces it)",
        )
        parser.add_argument(
            "--exclude-ids",
            type=Path,
            action="append",
            default=[],
            help="JSONL whose lines' id are groups to leave out (an evaluation set); repeatable",
        )

    def handle(self, *args, **options) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from inference.pairs import read_group_ids
        from inference.training import TrainConfig, train_adapter

        if not options["data"].is_file():
            raise CommandError(f"{options['data']} does not exist")
        config = TrainConfig(
            epochs=options["epochs"],
            max_steps=options["max_steps"],
            batch_size=options["batch_size"],
            learning_rate=options["learning_rate"],
            lora_r=options["lora_r"],
            lora_alpha=2 * options["lora_r"],
            max_length=options["max_length"],
            holdout_percent=options["holdout_percent"],
            seed=options["seed"],
            threads=options["threads"],
            calibrate=not options["no_calibration"],
        )
        try:
            excluded = frozenset().union(*(read_group_ids(p) for p in options["exclude_ids"]))
            result = train_adapter(
                options["name"],
                options["data"],
                settings.INFERENCE_BASE_MODEL,
                options["out"] or settings.INFERENCE_ADAPTERS_DIR,
                config,
                promote=not options["no_live"],
                exclude_groups=excluded,
            )
        except InferenceError as exc:
            raise CommandError(str(exc)) from exc
        m = result.heldout
        self.stdout.write(
            f"{result.name} {result.version}: {result.steps} steps on {result.train_examples} pairs -> {result.folder}"
        )
        self.stdout.write(
            f"held-out ({m.examples} pairs, {m.positives} positive): AUC {_fmt(m.auc)}, accuracy {_fmt(m.accuracy)}, "
            f"loss {_fmt(m.loss)}; base-embedding cosine AUC {_fmt(m.base_cosine_auc)}"
        )
        if not options["no_live"]:
            self.stdout.write(f"LIVE -> {result.version}; run `python manage.py build_models` to deploy it")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
