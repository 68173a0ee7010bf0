"""python manage.py evaluate_coding --dataset FILE.jsonl --predictions-out PRED.jsonl [--json]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.embedding import default_retriever
from coding.evaluation import (
    DatasetError,
    Metrics,
    Prediction,
    read_dataset,
    score,
    score_by_split,
    severity_critical,
)
from coding.learned import LearnedRanker
from coding.ranking import AdapterRanker, LexicalRanker, Ranker, default_ranker
from coding.suggest import suggest_codes


class Command(BaseCommand):
    help = "Suggest ICD-10-CM codes for every note of a JSON Lines data set and score them (evaluation.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help='JSON Lines: {"id", "text", "codes"?}')
        parser.add_argument(
            "--predictions-out", required=True, help="where to write one prediction line per note"
        )
        parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="default: the ranker's own (lexical 0.5, adapter 0.35, learned: fitted with its weights)",
        )
        parser.add_argument(
            "--ranker",
            choices=("auto", "lexical", "adapter", "learned"),
            default="auto",
            help="auto: the fitted ranker (coding/data/ranker.json) over the coding adapter when its "
            "runtime is built, else lexical",
        )
        parser.add_argument("--no-embeddings", action="store_true", help="never use the embedding index")

    def handle(self, *args, **options) -> None:
        dataset = Path(options["dataset"])
        if not dataset.is_file():
            raise CommandError(f"Data set {dataset} does not exist")
        try:
            examples = read_dataset(dataset)
        except DatasetError as exc:
            raise CommandError(f"{dataset}: {exc}") from None
        ranker = self._ranker(options["ranker"])
        # The embedding index joins in when it and the base runtime are built (build_coding_index).
        retriever = None if options["no_embeddings"] else default_retriever()
        out = Path(options["predictions_out"])
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = out.open("w", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write predictions to {out}: {exc.strerror}") from None
        predictions: dict[str, list[Prediction]] = {}
        with handle:
            for example in examples:
                result = suggest_codes(
                    example.text, ranker=ranker, threshold=options["threshold"], retriever=retriever
                )
                predicted = [Prediction(s.code, round(s.score, 4)) for s in result.suggestions]
                predictions[example.id] = predicted
                line = {
                    "id": example.id,
                    "codes": [{"code": p.code, "confidence": p.confidence} for p in predicted],
                }
                handle.write(json.dumps(line) + "\n")
        metrics = score(examples, predictions, severity_critical)
        by_split = score_by_split(examples, predictions, severity_critical)
        threshold = ranker.default_threshold if options["threshold"] is None else options["threshold"]
        report = metrics.as_dict() | {
            "ranker": ranker.name,
            "embeddings": retriever is not None,
            "threshold": threshold,
        }
        if by_split:
            report["splits"] = {name: m.as_dict() for name, m in by_split.items()}
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"notes {metrics.notes} (scored {metrics.scored_notes}), ranker {ranker.name}, "
            f"embedding index {'on' if retriever else 'off'}, threshold {threshold}"
        )
        self._table(metrics)
        for name, split_metrics in by_split.items():
            self.stdout.write(f"\nsplit {name}: {split_metrics.scored_notes} scored notes")
            self._table(split_metrics)

    def _table(self, metrics: Metrics) -> None:
        rows = (
            (
                "code-level exact match (recall)",
                metrics.exact_recall,
                f"{metrics.exact_hits}/{metrics.gold_codes}",
            ),
            (
                "code-family match (recall)",
                metrics.family_recall,
                f"{metrics.family_hits}/{metrics.gold_codes}",
            ),
            (
                "critical miss rate (of gold codes)",
                metrics.critical_miss_rate,
                f"{metrics.critical_misses}/{metrics.gold_codes}",
            ),
            (
                "critical misses (of critical codes)",
                metrics.critical_miss_share_of_critical,
                f"{metrics.critical_misses}/{metrics.critical_codes}",
            ),
            ("precision", metrics.precision, f"{metrics.correct_predictions}/{metrics.predicted_codes}"),
        )
        for label, value, counts in rows:
            self.stdout.write(f"{label:38s} {value:6.1%}  ({counts})")

    def _ranker(self, choice: str) -> Ranker:
        if choice == "lexical":
            return LexicalRanker()
        if choice in ("adapter", "learned"):
            try:
                adapter = AdapterRanker()
                return LearnedRanker(adapter) if choice == "learned" else adapter
            except Exception as exc:  # noqa: BLE001 - report why the runtime is unusable, no traceback
                raise CommandError(f"The {choice} ranker is not usable: {exc}") from None
        return default_ranker()
