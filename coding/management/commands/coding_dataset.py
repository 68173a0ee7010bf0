"""python manage.py coding_dataset --labels LABELS.jsonl --out DATA.jsonl [--reports DIR] [--split NAME]

Joins labels keyed by report file name with the report text, producing an evaluate_coding
data set. The text is read from the reports folder at run time and never stored in the repo.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Build an evaluate_coding data set from labels (id = report file name) and the report texts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--labels", required=True, action="append", help="labels JSON Lines (repeatable)")
        parser.add_argument("--out", required=True)
        parser.add_argument(
            "--reports",
            default=str(Path(settings.BASE_DIR).parent / "shared" / "data" / "mtsamples"),
            help="folder of report .txt files (default ../shared/data/mtsamples)",
        )
        parser.add_argument(
            "--split", default="", help="keep only labels whose 'split' is this (e.g. heldout)"
        )

    def handle(self, *args, **options) -> None:
        reports = Path(options["reports"])
        if not reports.is_dir():
            raise CommandError(f"Reports folder {reports} does not exist")
        written = 0
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for labels in options["labels"]:
                path = Path(labels)
                if not path.is_file():
                    raise CommandError(f"Labels file {path} does not exist")
                for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                    if not raw.strip():
                        continue
                    try:
                        label = json.loads(raw)
                        name, codes = label["id"], label["codes"]
                    except (ValueError, KeyError, TypeError):
                        raise CommandError(f"{path} line {number}: needs 'id' and 'codes'") from None
                    if options["split"] and label.get("split", "") != options["split"]:
                        continue
                    report = reports / Path(name).name
                    if not report.is_file():
                        raise CommandError(f"{path} line {number}: no report {report.name} in {reports}")
                    text = report.read_text(encoding="utf-8", errors="replace")
                    handle.write(json.dumps({"id": name, "text": text, "codes": codes}) + "\n")
                    written += 1
        self.stdout.write(f"wrote {written} notes to {out}")
