"""python manage.py fit_cdi_policy --train SET.jsonl [--train ...] [--heldout SET.jsonl ...] [--write] [--json]

Fits the CDI adapter's decision policy (`DecisionPolicy`: veto and raise thresholds) on the
training sets only, by micro F1 over every rule candidate, with a leave-one-set-out
cross-validation; then, for each --heldout set, reports the candidates' AUC and log loss of
the model's probability beside the rule confidence's, and the counts of rules alone and of the
fitted policy. Uses the built runtime of the LIVE adapter (INFERENCE_RUNTIME_DIR). --write stores
the fit under `decision_policy` in that adapter version's manifest (then run build_models).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.clinical import policy as pol
from cdi.clinical.evaluation import DatasetError, load_dataset


def _name(path: str) -> str:
    return Path(path).stem


class Command(BaseCommand):
    help = "Fit the CDI adapter's veto/raise policy on training sets (cross-validated) and judge it on held-out sets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--train", action="append", required=True, help="labelled set to fit on (repeatable)"
        )
        parser.add_argument(
            "--heldout", action="append", default=[], help="labelled set to measure on (repeatable)"
        )
        parser.add_argument(
            "--write", action="store_true", help="store the fit in the LIVE adapter's manifest"
        )
        parser.add_argument("--json", action="store_true")

    def _read(self, paths: list[str]) -> list[tuple[str, list]]:
        sets = []
        for path in paths:
            try:
                sets.append((_name(path), load_dataset(path)))
            except (DatasetError, OSError) as error:
                raise CommandError(f"{path}: {error}") from None
        return sets

    def handle(self, *args: Any, **options: Any) -> None:
        from cdi.analysis import ModelUnavailable, cdi_scorer

        if set(options["train"]) & set(options["heldout"]):
            raise CommandError("a set cannot be both --train and --heldout")
        # Read and check the data before loading the model: bad input fails fast, model or not.
        train_data = self._read(options["train"])
        heldout_data = self._read(options["heldout"])
        shared = {r.id for _, records in train_data for r in records} & {
            r.id for _, records in heldout_data for r in records
        }
        if shared:
            raise CommandError(f"{len(shared)} note ids are in both --train and --heldout sets")
        try:
            with self.settings_enabled():
                scorer, model = cdi_scorer()
        except ModelUnavailable as error:
            raise CommandError(str(error)) from None
        if scorer is None:
            raise CommandError("no CDI model (CDI_MODEL_ENABLED is off)")
        train = [pol.collect(name, records, scorer) for name, records in train_data]
        heldout = [pol.collect(name, records, scorer) for name, records in heldout_data]
        folds = pol.cross_validate(train) if len(train) > 1 else []
        fitted = pol.fit(train)
        cv_rules = sum((f.rules for f in folds), pol.Counts())
        cv_fitted = sum((f.fitted for f in folds), pol.Counts())
        result: dict[str, Any] = {
            "model": model,
            "train": [s.name for s in train],
            "policy": fitted.as_dict(),
            "train_counts": {
                "rules": pol.pooled(train, pol.RULES_ONLY).as_dict(),
                "policy": pol.pooled(train, fitted).as_dict(),
            },
            "cross_validation": {
                "folds": [
                    {
                        "held_out": f.held_out,
                        "policy": f.policy.as_dict(),
                        "rules": f.rules.as_dict(),
                        "policy_counts": f.fitted.as_dict(),
                    }
                    for f in folds
                ],
                "pooled_rules": cv_rules.as_dict(),
                "pooled_policy": cv_fitted.as_dict(),
            },
            "heldout": {},
        }
        rows = [c for s in heldout for c in s.candidates]
        for name, candidates, sets in [(s.name, s.candidates, [s]) for s in heldout] + (
            [("pooled", tuple(rows), heldout)] if len(heldout) > 1 else []
        ):
            strong = [c for c in candidates if pol.above_rule_threshold(c)]
            result["heldout"][name] = {
                "model_all_candidates": pol.ranking(candidates, lambda c: c.probability),
                "rule_confidence_all_candidates": pol.ranking(candidates, lambda c: c.rule_confidence),
                "model_above_rule_threshold": pol.ranking(strong, lambda c: c.probability),
                "rules": pol.pooled(sets, pol.RULES_ONLY).as_dict(),
                "policy": pol.pooled(sets, fitted).as_dict(),
            }
        if options["write"]:
            self._write(model, fitted, result)
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"model {model}; fitted on {', '.join(result['train'])}: {fitted.as_dict()}")
        for fold in result["cross_validation"]["folds"]:
            self.stdout.write(
                f"  CV leave out {fold['held_out']}: policy {fold['policy']}, "
                f"rules {fold['rules']}, policy {fold['policy_counts']}"
            )
        self.stdout.write(
            f"  CV pooled: rules {result['cross_validation']['pooled_rules']}, "
            f"policy {result['cross_validation']['pooled_policy']}"
        )
        for name, figures in result["heldout"].items():
            self.stdout.write(f"{name}:")
            for key, value in figures.items():
                self.stdout.write(f"  {key}: {value}")

    def settings_enabled(self):
        from django.test import override_settings

        return override_settings(CDI_MODEL_ENABLED=True)

    def _write(self, model: str, fitted, result: dict[str, Any]) -> None:
        from inference.registry import live_adapter_folder, read_manifest

        folder = live_adapter_folder(Path(settings.INFERENCE_ADAPTERS_DIR), "cdi")
        manifest = read_manifest(folder)
        if f"cdi@{manifest['version']}" != model:
            raise CommandError(
                f"the runtime serves {model} but LIVE is {manifest['version']}: run build_models"
            )
        manifest["decision_policy"] = {
            **fitted.as_dict(),
            "fitted_on": result["train"],
            "fitted": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cross_validation": {
                "pooled_rules": result["cross_validation"]["pooled_rules"],
                "pooled_policy": result["cross_validation"]["pooled_policy"],
            },
        }
        path = folder / "manifest.json"
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"wrote decision_policy to {path}; run `python manage.py build_models`")
