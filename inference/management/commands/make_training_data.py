"""python manage.py make_training_data coding --out FILE.jsonl — build adapter training pairs."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    # Model files only: no database or URL checks, so it runs before the rest of the site is set up.
    requires_system_checks: list[str] = []
    help = (
        "Write pair-format training data: 'coding' from ICD-10-CM, 'cdi-synthetic' from the gap vocabulary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=("coding", "cdi-synthetic"))
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument(
            "--max-codes", type=int, default=1500, help="coding: codes with inclusion terms to use"
        )

    def handle(self, *args, **options) -> None:
        if options["kind"] == "coding":
            from inference.datasets.coding_pairs import build_coding_pairs, write_pairs

            pairs = build_coding_pairs(max_codes=options["max_codes"], seed=options["seed"])
        else:
            from inference.datasets.cdi_synthetic import build_cdi_pairs, write_pairs

            pairs = build_cdi_pairs(seed=options["seed"])
        write_pairs(pairs, options["out"])
        positives = sum(p.label for p in pairs)
        self.stdout.write(f"{len(pairs)} pairs ({positives} positive) -> {options['out']}")
