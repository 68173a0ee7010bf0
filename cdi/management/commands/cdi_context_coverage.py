"""python manage.py cdi_context_coverage --labels LABELS.jsonl [...] --dataset SET.jsonl [...] [--json]

For the gold rule candidates of each labelled set: does the context the CDI adapter scores
(`candidate_pairs`: 150 characters around each rule evidence span, at most 900) hold the
labeller's quoted evidence (the label file's `evidence`)? Prints counts only, never text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.clinical.evaluation import DatasetError, load_dataset, read_labels
from cdi.clinical.policy import context_coverage


class Command(BaseCommand):
    help = "Whether the CDI adapter's scored context holds the labellers' quoted evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--labels", action="append", required=True, help="label JSONL with evidence quotes"
        )
        parser.add_argument(
            "--dataset", action="append", required=True, help="evaluate_cdi JSONL (repeatable)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        quotes: dict[tuple[str, str, str], str] = {}
        for path in options["labels"]:
            try:
                labels = read_labels(path)
            except DatasetError as error:
                raise CommandError(str(error)) from None
            except OSError as error:
                raise CommandError(f"cannot read {path}: {error.__class__.__name__}") from None
            for number, label in enumerate(labels, start=1):
                gaps = label.get("gaps", []) if isinstance(label, dict) else None
                if not isinstance(gaps, list) or "id" not in label:
                    raise CommandError(f"{path} label {number}: needs an id and a list of gaps")
                for gap in gaps:
                    if isinstance(gap, dict) and gap.get("evidence"):
                        key = (str(label["id"]), str(gap.get("category")), str(gap.get("condition")))
                        quotes[key] = str(gap["evidence"])
        result = {}
        for path in options["dataset"]:
            try:
                records = load_dataset(path)
            except (DatasetError, OSError) as error:
                raise CommandError(f"{path}: {error}") from None
            result[Path(path).stem] = context_coverage(records, quotes)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        for name, counts in result.items():
            self.stdout.write(
                f"{name}: {counts['gold_candidates']} gold candidates; quote in the scored context: "
                f"whole {counts['whole']}, part {counts['part']}, none {counts['none']}; no quote {counts['no_quote']}"
            )
