"""python manage.py coding_dataset --labels LABELS.jsonl --out DATA.jsonl [--reports DIR] [--split NAME]

Joins labels keyed by report file name with the report text, producing an evaluate_coding
data set. The text is read from the reports folder at run time and never stored in the repo.
Each line carries its ``split`` (dev / heldout) from ``coding/labels/splits.tsv`` (``--splits``),
so ``evaluate_coding`` reports the development and held-out reports separately.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.evaluation import read_splits

SPLITS_FILE = Path(__file__).resolve().parents[2] / "labels" / "splits.tsv"


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
            "--splits",
            default=str(SPLITS_FILE),
            help="id<TAB>split file deciding dev / heldout (default coding/labels/splits.tsv)",
        )
        parser.add_argument("--split", default="", help="keep only reports of this split (dev or heldout)")

    def handle(self, *args, **options) -> None:
        reports = Path(options["reports"])
        if not reports.is_dir():
            raise CommandError(f"Reports folder {reports} does not exist")
        splits_path = Path(options["splits"])
        splits = read_splits(splits_path) if splits_path.is_file() else {}
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
                    split = splits.get(name, label.get("split", "") if isinstance(label, dict) else "")
                    if options["split"] and split != options["split"]:
                        continue
                    report = reports / Path(name).name
                    if not report.is_file():
                        raise CommandError(f"{path} line {number}: no report {report.name} in {reports}")
                    text = report.read_text(encoding="utf-8", errors="replace")
                    line = {"id": name, "text": text, "codes": codes}
                    if split:
                        line["split"] = split
                    handle.write(json.dumps(line) + "\n")
                    written += 1
        self.stdout.write(f"wrote {written} notes to {out}")
