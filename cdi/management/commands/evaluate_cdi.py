"""python manage.py evaluate_cdi --dataset FILE.jsonl --predictions-out PRED.jsonl [--json]
   [--no-model | --model-decides [--policy gate|blend]]

Implements ../shared/spec/evaluation.md for CDI gaps through the production detect().
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from cdi.analysis import findings_for
from cdi.clinical.evaluation import DatasetError, evaluate, format_table, load_dataset


def model_available() -> tuple[bool, str]:
    """Whether the worker's model loads here; evaluation says so instead of failing without it."""
    from cdi.analysis import ModelUnavailable, cdi_scorer

    try:
        scorer, version = cdi_scorer()
    except ModelUnavailable:
        return False, "unavailable (rules only)"
    return scorer is not None, version or "none"


class Command(BaseCommand):
    help = "Evaluate CDI gap detection on a JSON Lines data set (see shared/spec/evaluation.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="JSON Lines: {id, text, gaps?}")
        parser.add_argument(
            "--predictions-out", required=True, help="where to write one prediction line per input"
        )
        parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
        parser.add_argument(
            "--no-model", action="store_true", help="rules only, even if a model is available"
        )
        parser.add_argument(
            "--model-decides",
            action="store_true",
            help="let the model's probability decide which findings are kept (CDI_MODEL_DECIDES)",
        )
        parser.add_argument(
            "--policy",
            choices=("gate", "blend"),
            default=None,
            help="how the model decides (CDI_MODEL_POLICY): gate = fitted veto/raise, blend = 0.4/0.6",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            records = load_dataset(options["dataset"])
        except DatasetError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"cannot read {options['dataset']}: {error.__class__.__name__}") from None
        out = Path(options["predictions_out"])
        if out.parent and not out.parent.exists():
            raise CommandError(f"directory {out.parent} does not exist")
        available, model = (False, "none") if options["no_model"] else model_available()
        decides = bool(options["model_decides"]) and available

        def predict(text: str):
            # Exactly the worker's path: cdi.analysis.findings_for.
            return findings_for(text, model_decides=decides, policy=options["policy"])[0]

        with override_settings(CDI_MODEL_ENABLED=available):
            lines, metrics = evaluate(records, predict)
        try:
            with out.open("w", encoding="utf-8") as handle:
                for line in lines:
                    handle.write(json.dumps(line) + "\n")
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.__class__.__name__}") from None
        result = metrics.as_dict()
        result["model"] = model
        result["model_decides"] = decides
        if decides:
            result["policy"] = options["policy"] or settings.CDI_MODEL_POLICY
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(format_table(metrics))
            self.stdout.write(f"model: {result['model']}; predictions written to {out}")
