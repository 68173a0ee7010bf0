"""python manage.py build_cdi_training [--out var/training/cdi-train.jsonl] [--labels FILE ...]
   [--mtsamples DIR] [--synthetic 800] [--seed 13] [--split train ...] [--include-test]

Writes the pair file the CDI adapter trains on: {"text_a", "text_b", "label", "group", ...}
from the *train* split of the labelled reports (cdi/labels/splits.json), or the splits named
with --split, plus synthetic notes. Ids outside those splits are skipped unless --include-test
is given. With --out-eval, also writes the labelled notes in the evaluate_cdi format.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.clinical.evaluation import DatasetError, join_labels, read_labels
from cdi.clinical.synthetic import generate
from cdi.clinical.training import LabelledNote, build_pairs

LABELS_DIR = Path(__file__).resolve().parents[2] / "labels"


def _shared() -> Path:
    return Path(settings.BASE_DIR).parent / "shared"


class Command(BaseCommand):
    help = "Build CDI classifier training pairs from labelled reports and synthetic notes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=None, help="default: var/training/cdi-train.jsonl")
        parser.add_argument(
            "--labels",
            action="append",
            default=None,
            help="label JSONL (repeatable); default cdi-dev + cdi-extra",
        )
        parser.add_argument("--mtsamples", default=None)
        parser.add_argument("--synthetic", type=int, default=800)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument(
            "--split",
            action="append",
            default=None,
            help="train on the ids of this split of cdi/labels/splits.json (repeatable; default train)",
        )
        parser.add_argument(
            "--include-test", action="store_true", help="also use held-out test ids (not for eval)"
        )
        parser.add_argument("--out-eval", default=None, help="also write the joined labelled notes here")

    def handle(self, *args: Any, **options: Any) -> None:
        shared = _shared()
        label_files = (
            [Path(p) for p in options["labels"]]
            if options["labels"]
            else [
                shared / "data" / "labels" / "cdi-dev.jsonl",
                LABELS_DIR / "cdi-extra.jsonl",
            ]
        )
        reports = Path(options["mtsamples"]) if options["mtsamples"] else shared / "data" / "mtsamples"
        if not reports.is_dir():
            raise CommandError(f"{reports}: no such directory")
        splits = json.loads((LABELS_DIR / "splits.json").read_text(encoding="utf-8"))
        split_names = options["split"] or ["train"]
        notes: list[LabelledNote] = []
        eval_lines: list[dict[str, object]] = []
        for path in label_files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            split = splits.get(path.stem)
            ids = None
            if split is not None and not options["include_test"]:
                unknown = [name for name in split_names if name not in split]
                if unknown:
                    raise CommandError(f"{path.stem}: no split {', '.join(unknown)} in splits.json")
                ids = {id_ for name in split_names for id_ in split[name]}
            try:
                labels = read_labels(path)
                lines = join_labels(labels, reports, ids)
            except DatasetError as error:
                raise CommandError(str(error)) from None
            quotes = {
                str(label["id"]): tuple(
                    (g["category"], g["condition"], g.get("evidence", "")) for g in label.get("gaps", [])
                )
                for label in labels
            }
            for line in lines:
                gaps = frozenset((g["category"], g["condition"]) for g in line["gaps"])  # type: ignore[union-attr]
                notes.append(
                    LabelledNote(str(line["id"]), str(line["text"]), gaps, quotes.get(str(line["id"]), ()))
                )
            eval_lines.extend(lines)
        for synthetic in generate(options["synthetic"], seed=options["seed"]):
            notes.append(LabelledNote(synthetic.id, synthetic.text, frozenset(synthetic.gaps)))
        pairs = build_pairs(notes)
        out = (
            Path(options["out"])
            if options["out"]
            else Path(settings.BASE_DIR) / "var" / "training" / "cdi-train.jsonl"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            for pair in pairs:
                handle.write(json.dumps(pair.as_dict()) + "\n")
        tmp.replace(out)  # the inference helper polls this file: never show it half-written
        if options["out_eval"]:
            out_eval = Path(options["out_eval"])
            out_eval.parent.mkdir(parents=True, exist_ok=True)
            with out_eval.open("w", encoding="utf-8") as handle:
                for line in eval_lines:
                    handle.write(json.dumps(line) + "\n")
        counts = Counter((pair.source, pair.label) for pair in pairs)
        summary = ", ".join(f"{source}/{label}: {n}" for (source, label), n in sorted(counts.items()))
        self.stdout.write(f"wrote {len(pairs)} pairs from {len(notes)} notes to {out} ({summary})")
