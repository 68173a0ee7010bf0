"""python manage.py make_eval_set --labels cdi/labels/cdi-extra.jsonl --out var/eval/extra.jsonl
   [--mtsamples DIR] [--split train|test|test_batch4|test_batch5|...|all]

Joins labels keyed by report file name with the report text (never stored in the
repository) into the evaluation format {id, text, gaps}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.clinical.evaluation import DatasetError, join_labels, read_labels

SPLITS = Path(__file__).resolve().parents[2] / "labels" / "splits.json"


def split_ids(labels_path: Path, split: str) -> set[str] | None:
    if split == "all":
        return None
    splits = json.loads(SPLITS.read_text(encoding="utf-8"))
    key = labels_path.stem  # "cdi-dev" or "cdi-extra"
    if key not in splits:
        raise CommandError(f"{SPLITS.name} has no split for {key}")
    if split not in splits[key]:
        known = ", ".join(sorted(splits[key]))
        raise CommandError(f"{SPLITS.name} has no split {split!r} for {key} (known: {known})")
    return set(splits[key][split])


def default_mtsamples() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "mtsamples"


class Command(BaseCommand):
    help = "Build an evaluate_cdi data set from labels and MTSamples reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--labels", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--mtsamples", default=None, help="folder of report .txt files")
        parser.add_argument(
            "--split", default="all", help="a split name of splits.json (train, test, test_batch5...) or all"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        labels = Path(options["labels"])
        if not labels.is_file():
            raise CommandError(f"{labels}: no such file")
        reports = Path(options["mtsamples"]) if options["mtsamples"] else default_mtsamples()
        if not reports.is_dir():
            raise CommandError(f"{reports}: no such directory")
        try:
            lines = join_labels(read_labels(labels), reports, split_ids(labels, options["split"]))
        except DatasetError as error:
            raise CommandError(str(error)) from None
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line) + "\n")
        self.stdout.write(f"wrote {len(lines)} notes to {out}")
