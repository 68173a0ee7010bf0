"""Reading coding data sets and scoring predictions (``../shared/spec/evaluation.md``, Coding).

- exact: recall of gold codes matched character for character (dots ignored);
- family: recall of gold codes whose first 3 characters appear among the predictions;
- critical miss rate: share of gold codes that are the principal diagnosis (first code) or
  a CC/MCC and whose family is missing from the predictions;
- precision: share of predicted codes that match a gold code exactly.
Only lines with a ``codes`` list are scored; lines without it are predicted, not scored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import tsv
from .codeset import undotted


class DatasetError(ValueError):
    """A data set line that cannot be used; the message names the line, never the note text."""


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    codes: list[str] | None  # None: unlabelled
    line: int
    split: str = ""  # optional "split" key of the line (dev / heldout): metrics are also given per split


@dataclass(frozen=True)
class Prediction:
    code: str
    confidence: float


@dataclass
class Metrics:
    notes: int = 0
    scored_notes: int = 0
    gold_codes: int = 0
    predicted_codes: int = 0
    exact_hits: int = 0
    family_hits: int = 0
    critical_codes: int = 0
    critical_misses: int = 0
    correct_predictions: int = 0
    missed: dict[str, int] = field(default_factory=dict)

    @property
    def exact_recall(self) -> float:
        return self.exact_hits / self.gold_codes if self.gold_codes else 0.0

    @property
    def family_recall(self) -> float:
        return self.family_hits / self.gold_codes if self.gold_codes else 0.0

    @property
    def critical_miss_rate(self) -> float:
        """Over all gold codes, as the contract defines it ("share of gold codes")."""
        return self.critical_misses / self.gold_codes if self.gold_codes else 0.0

    @property
    def critical_miss_share_of_critical(self) -> float:
        """The same misses over the critical codes only (the stricter reading)."""
        return self.critical_misses / self.critical_codes if self.critical_codes else 0.0

    @property
    def precision(self) -> float:
        return self.correct_predictions / self.predicted_codes if self.predicted_codes else 0.0

    def as_dict(self) -> dict:
        return {
            "notes": self.notes,
            "scored_notes": self.scored_notes,
            "gold_codes": self.gold_codes,
            "predicted_codes": self.predicted_codes,
            "exact_match_recall": round(self.exact_recall, 4),
            "family_match_recall": round(self.family_recall, 4),
            "critical_codes": self.critical_codes,
            "critical_misses": self.critical_misses,
            "critical_miss_rate": round(self.critical_miss_rate, 4),
            "critical_miss_share_of_critical": round(self.critical_miss_share_of_critical, 4),
            "precision": round(self.precision, 4),
        }


def _validate_codes(value: object, line: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) and code.strip() for code in value):
        raise DatasetError(f"line {line}: 'codes' must be a list of ICD-10-CM code strings")
    return [code.strip().upper() for code in value]


def parse_line(raw: str, line: int) -> Example | None:
    """One data set line; ``None`` for a blank line; ``DatasetError`` for anything unusable."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"line {line}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"line {line}: expected a JSON object")
    note_id = data.get("id")
    if not isinstance(note_id, str | int) or isinstance(note_id, bool) or str(note_id) == "":
        raise DatasetError(f"line {line}: 'id' is missing or not a string")
    text = data.get("text")
    if not isinstance(text, str):
        raise DatasetError(f"line {line} (id {note_id}): 'text' is missing or not a string")
    codes = _validate_codes(data["codes"], line) if "codes" in data and data["codes"] is not None else None
    split = data.get("split")
    if split is not None and not isinstance(split, str):
        raise DatasetError(f"line {line} (id {note_id}): 'split' must be a string")
    return Example(str(note_id), text, codes, line, split or "")


def read_dataset(path: str | Path) -> list[Example]:
    """All examples of a JSON Lines file; duplicate ids are refused so predictions stay unambiguous."""
    examples: list[Example] = []
    seen: set[str] = set()
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                example = parse_line(raw, number)
                if example is None:
                    continue
                if example.id in seen:
                    raise DatasetError(f"line {number}: duplicate id {example.id!r}")
                seen.add(example.id)
                examples.append(example)
    except UnicodeDecodeError:
        raise DatasetError("not UTF-8 text") from None
    return examples


def score(
    examples: Iterable[Example],
    predictions: dict[str, list[Prediction]],
    is_critical: Callable[[str, str | None], bool],
) -> Metrics:
    """``is_critical(code, principal)`` says whether a secondary code is a CC or MCC."""
    metrics = Metrics()
    for example in examples:
        metrics.notes += 1
        predicted = predictions.get(example.id, [])
        if example.codes is None:
            continue
        metrics.scored_notes += 1
        predicted_exact = {undotted(p.code) for p in predicted}
        predicted_families = {code[:3] for code in predicted_exact}
        gold = list(dict.fromkeys(undotted(code) for code in example.codes))
        metrics.gold_codes += len(gold)
        metrics.predicted_codes += len(predicted_exact)
        metrics.correct_predictions += len(predicted_exact & set(gold))
        principal = gold[0] if gold else None
        for index, code in enumerate(gold):
            exact = code in predicted_exact
            in_family = code[:3] in predicted_families
            metrics.exact_hits += exact
            metrics.family_hits += in_family
            critical = index == 0 or is_critical(code, principal)
            if critical:
                metrics.critical_codes += 1
                if not in_family:
                    metrics.critical_misses += 1
            if not exact:
                metrics.missed[code] = metrics.missed.get(code, 0) + 1
    return metrics


def score_by_split(
    examples: list[Example],
    predictions: dict[str, list[Prediction]],
    is_critical: Callable[[str, str | None], bool],
) -> dict[str, Metrics]:
    """Metrics per ``split`` value, for data sets whose lines name one (empty when none does)."""
    names = list(dict.fromkeys(example.split for example in examples if example.split))
    return {name: score([e for e in examples if e.split == name], predictions, is_critical) for name in names}


def read_splits(path: str | Path) -> dict[str, str]:
    """``id<TAB>split[<TAB>...]`` lines (``#`` comments): which labelled reports tune and which measure."""
    return {name: split for name, split, *_ in tsv.rows(path)}


def severity_critical(code: str, principal: str | None) -> bool:
    """CC or MCC under the FY2026 tables (``cdi.impact.code_severity``); unknown codes are not."""
    from cdi.impact import code_severity

    try:
        return code_severity(code, principal) in ("cc", "mcc")
    except Exception:  # noqa: BLE001 - a gold code the grouper tables do not know is simply not a CC
        return False
