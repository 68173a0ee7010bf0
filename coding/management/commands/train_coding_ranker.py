"""python manage.py train_coding_ranker --dataset DEV.jsonl [--out coding/data/ranker.json]

Fits the candidate ranker (``coding.learned``) on labelled development reports: every
candidate the production path finds is a row, labelled by whether the gold codes hold it
(exactly: 1; only its 3-character family: ``--family-credit``). The threshold is chosen by
cross-validation over reports (folds by a hash of the id): the lowest one whose pooled
precision over the held-back folds stays at or above ``--target-precision``, so more codes
are suggested only while a coder still accepts that share of them. Lines whose ``split`` is
``heldout``, ``heldout2`` or ``heldout3`` (any ``heldout*``) are refused: held-out reports never tune
anything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coding.candidates import find_candidates
from coding.codeset import undotted
from coding.embedding import default_retriever
from coding.evaluation import DatasetError, Prediction, read_dataset, score, severity_critical
from coding.learned import FEATURES, WEIGHTS_FILE, RankerWeights, features, fit
from coding.ranking import AdapterRanker
from coding.rules import apply_rules
from coding.setting import coding_setting

THRESHOLDS = [round(0.05 + 0.025 * i, 3) for i in range(37)]


class Command(BaseCommand):
    help = "Fit the coding candidate ranker on labelled development reports (never held-out ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="evaluate_coding data set of dev reports")
        parser.add_argument("--out", default=str(WEIGHTS_FILE))
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--l2", type=float, default=1.0)
        parser.add_argument("--family-credit", type=float, default=0.0)
        parser.add_argument("--target-precision", type=float, default=0.6)
        parser.add_argument(
            "--no-embeddings", action="store_true", help="never use the embedding index (as evaluate_coding)"
        )

    def handle(self, *args, **options) -> None:
        try:
            examples = [e for e in read_dataset(options["dataset"]) if e.codes is not None]
        except (OSError, DatasetError) as exc:
            raise CommandError(str(exc)) from None
        if any(e.split.startswith("heldout") for e in examples):
            raise CommandError(
                "the data set holds held-out reports; build it with coding_dataset --split dev"
            )
        try:
            adapter = AdapterRanker()
        except Exception as exc:  # noqa: BLE001 - report why the runtime is unusable
            raise CommandError(f"The coding adapter runtime is not usable: {exc}") from None
        # The same candidates as production: the embedding index joins in when it is built.
        retriever = None if options["no_embeddings"] else default_retriever()
        notes = []
        for example in examples:
            candidates = find_candidates(example.text, coding_setting(example.text), retriever=retriever)
            probabilities = adapter.probabilities(candidates, example.text)
            rows = [features(c, p) for c, p in zip(candidates, probabilities, strict=True)]
            gold = {undotted(code) for code in example.codes}
            labels = [
                1.0
                if undotted(c.code) in gold
                else options["family_credit"]
                if undotted(c.code)[:3] in {g[:3] for g in gold}
                else 0.0
                for c in candidates
            ]
            notes.append(
                (
                    example,
                    candidates,
                    np.array(rows) if rows else np.zeros((0, len(FEATURES))),
                    np.array(labels),
                )
            )
        if not any(len(n[1]) for n in notes):
            raise CommandError("no candidates found in the data set")
        fold_of = [int(hashlib.sha1(e.id.encode()).hexdigest(), 16) % options["folds"] for e, *_ in notes]
        predictions: dict[float, dict[str, list[Prediction]]] = {t: {} for t in THRESHOLDS}
        for fold in range(options["folds"]):
            train = [n for n, f in zip(notes, fold_of, strict=True) if f != fold and len(n[1])]
            weights = fit(
                np.vstack([n[2] for n in train]), np.concatenate([n[3] for n in train]), options["l2"]
            )
            for (example, candidates, rows, _), f in zip(notes, fold_of, strict=True):
                if f != fold:
                    continue
                self._predict(example, candidates, rows, weights, predictions)
        cv = {t: score(examples, predictions[t], severity_critical) for t in THRESHOLDS}
        eligible = [t for t in THRESHOLDS if cv[t].precision >= options["target_precision"]]
        threshold = min(eligible) if eligible else max(THRESHOLDS, key=lambda t: cv[t].precision)
        rows = np.vstack([n[2] for n in notes if len(n[1])])
        labels = np.concatenate([n[3] for n in notes if len(n[1])])
        weights = fit(rows, labels, options["l2"])
        chosen = cv[threshold]
        meta = {
            "fitted": hashlib.sha256(np.round(weights, 6).tobytes()).hexdigest()[:12],
            "trained_on": f"{len(examples)} reports of {Path(options['dataset']).name} (dev split)",
            "embeddings": retriever is not None,
            "candidates": int(rows.shape[0]),
            "l2": options["l2"],
            "family_credit": options["family_credit"],
            "target_precision": options["target_precision"],
            "cross_validated": {
                "folds": options["folds"],
                "threshold": threshold,
                "exact_match_recall": round(chosen.exact_recall, 4),
                "family_match_recall": round(chosen.family_recall, 4),
                "critical_miss_rate": round(chosen.critical_miss_rate, 4),
                "precision": round(chosen.precision, 4),
            },
        }
        RankerWeights(weights, threshold, adapter.version, meta).save(options["out"])
        for t in THRESHOLDS[::4]:
            m = cv[t]
            self.stdout.write(
                f"threshold {t:.3f}: exact {m.exact_recall:.3f} family {m.family_recall:.3f} "
                f"critical {m.critical_miss_rate:.3f} precision {m.precision:.3f}"
            )
        self.stdout.write(f"chosen {json.dumps(meta['cross_validated'])}; wrote {options['out']}")

    @staticmethod
    def _predict(example, candidates, rows, weights, predictions) -> None:  # noqa: ANN001
        from dataclasses import replace

        if len(candidates):
            probability = 1.0 / (1.0 + np.exp(-(rows @ weights)))
            candidates = [replace(c, score=float(p)) for c, p in zip(candidates, probability, strict=True)]
        for threshold in THRESHOLDS:
            predictions[threshold][example.id] = [
                Prediction(s.code, s.score) for s in apply_rules(candidates, example.text, threshold)
            ]
