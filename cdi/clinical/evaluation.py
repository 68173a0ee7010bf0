"""The evaluation contract of ../shared/spec/evaluation.md for CDI gaps.

Reads JSON Lines `{id, text, gaps?}`, predicts with the production `detect()`, and
scores micro precision/recall/F1 on (category, condition) pairs per note, overall and
per category, plus the false-positive rate on notes whose gold `gaps` is empty.
Lines without `gaps` are predicted but not scored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cdi.clinical.detection import GapFinding


class DatasetError(ValueError):
    """A data set line that does not follow the contract (the message names the line)."""


@dataclass(frozen=True)
class EvalRecord:
    id: str
    text: str
    gaps: tuple[tuple[str, str], ...] | None  # None: unlabelled


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return type(self)(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self, digits: int = 4) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, digits),
            "recall": round(self.recall, digits),
            "f1": round(self.f1, digits),
        }


@dataclass
class Metrics:
    overall: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=dict)
    notes: int = 0
    scored_notes: int = 0
    gap_free_notes: int = 0
    gap_free_with_false_alarm: int = 0

    @property
    def false_positive_rate(self) -> float:
        return self.gap_free_with_false_alarm / self.gap_free_notes if self.gap_free_notes else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            **self.overall.as_dict(),
            "per_category": {name: counts.as_dict() for name, counts in sorted(self.per_category.items())},
            "notes": self.notes,
            "scored_notes": self.scored_notes,
            "gap_free_notes": self.gap_free_notes,
            "gap_free_notes_with_false_alarm": self.gap_free_with_false_alarm,
            "false_positive_rate": round(self.false_positive_rate, 4),
        }


def _require(condition: bool, line: int, message: str) -> None:
    if not condition:
        raise DatasetError(f"line {line}: {message}")


def parse_line(raw: str, line: int) -> EvalRecord:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise DatasetError(f"line {line}: not valid JSON ({error.msg})") from None
    _require(isinstance(data, dict), line, "expected a JSON object")
    _require(
        isinstance(data.get("id"), str | int) and not isinstance(data.get("id"), bool),
        line,
        "'id' must be a string",
    )
    _require(isinstance(data.get("text"), str), line, "'text' must be a string")
    gaps = data.get("gaps")
    parsed: tuple[tuple[str, str], ...] | None = None
    if gaps is not None:
        _require(isinstance(gaps, list), line, "'gaps' must be a list")
        pairs = []
        for index, gap in enumerate(gaps):
            _require(isinstance(gap, dict), line, f"gaps[{index}] must be an object")
            category, condition = gap.get("category"), gap.get("condition")
            _require(
                isinstance(category, str) and isinstance(condition, str),
                line,
                f"gaps[{index}] needs string 'category' and 'condition'",
            )
            pairs.append((category, condition))
        parsed = tuple(pairs)
    return EvalRecord(str(data["id"]), data["text"], parsed)


def load_dataset(path: Path | str) -> list[EvalRecord]:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    records = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    records.append(parse_line(raw, number))
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None
    return records


def score(gold: Sequence[EvalRecord], predicted: dict[str, set[tuple[str, str]]]) -> Metrics:
    """Micro counts per (category, condition) pair, each pair once per note."""
    metrics = Metrics(notes=len(gold))
    for record in gold:
        if record.gaps is None:
            continue
        metrics.scored_notes += 1
        truth = set(record.gaps)
        guess = predicted.get(record.id, set())
        for category in {c for c, _ in truth | guess}:
            metrics.per_category.setdefault(category, Counts())
        for pair in guess:
            counts = metrics.per_category[pair[0]]
            if pair in truth:
                metrics.overall.tp += 1
                counts.tp += 1
            else:
                metrics.overall.fp += 1
                counts.fp += 1
        for pair in truth - guess:
            metrics.overall.fn += 1
            metrics.per_category[pair[0]].fn += 1
        if not truth:
            metrics.gap_free_notes += 1
            if guess:
                metrics.gap_free_with_false_alarm += 1
    return metrics


def prediction_line(record_id: str, findings: Iterable[GapFinding]) -> dict[str, object]:
    return {
        "id": record_id,
        "gaps": [
            {
                "category": f.category,
                "condition": f.condition,
                "confidence": f.confidence,
                "evidence": [asdict(span) for span in f.evidence],
            }
            for f in findings
        ],
    }


def evaluate(
    records: Sequence[EvalRecord], predict: Callable[[str], list[GapFinding]]
) -> tuple[list[dict[str, object]], Metrics]:
    lines = []
    predicted: dict[str, set[tuple[str, str]]] = {}
    for record in records:
        findings = predict(record.text)
        lines.append(prediction_line(record.id, findings))
        predicted[record.id] = {(f.category, f.condition) for f in findings}
    return lines, score(records, predicted)


def format_table(metrics: Metrics) -> str:
    rows = [("overall", metrics.overall)] + sorted(metrics.per_category.items())
    out = [f"{'category':<24} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
    for name, c in rows:
        out.append(
            f"{name:<24} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f} {c.tp:>4} {c.fp:>4} {c.fn:>4}"
        )
    out.append(
        f"false alarms on gap-free notes: {metrics.gap_free_with_false_alarm}/{metrics.gap_free_notes} "
        f"({metrics.false_positive_rate:.3f}); scored notes {metrics.scored_notes} of {metrics.notes}"
    )
    return "\n".join(out)


# --- joining labels with report text (labels never hold the text) --------------------


def read_labels(path: Path | str) -> list[dict[str, object]]:
    records = []
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    records.append(json.loads(raw))
                except json.JSONDecodeError as error:
                    raise DatasetError(f"{path} line {number}: not valid JSON ({error.msg})") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None
    return records


def join_labels(
    labels: Iterable[dict[str, object]], reports_dir: Path | str, ids: set[str] | None = None
) -> list[dict[str, object]]:
    """Evaluation lines `{id, text, gaps}` from labels keyed by report file name."""
    reports_dir = Path(reports_dir)
    lines = []
    for label in labels:
        report_id = str(label["id"])
        if ids is not None and report_id not in ids:
            continue
        path = reports_dir / report_id
        if not path.is_file():
            raise DatasetError(f"report {report_id} not found in {reports_dir}")
        gaps = [{"category": g["category"], "condition": g["condition"]} for g in label.get("gaps", [])]  # type: ignore[union-attr]
        lines.append({"id": report_id, "text": path.read_text(encoding="utf-8"), "gaps": gaps})
    return lines
