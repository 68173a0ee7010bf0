"""Fitting and judging the model's decision policy on labelled notes, candidate by candidate.

Every rule candidate of a labelled note (kept by the rules or not) is one row: its rule
confidence, the CDI adapter's probability and whether the note's gold gaps hold its
(category, condition). From rows, `fit` picks the `DecisionPolicy` (veto and raise
thresholds) with the best micro F1, `cross_validate` fits it leaving one labelled set out at a
time, and `ranking` gives a score's candidate-level AUC and log loss. Gold gaps with no
candidate count as misses for every policy (the model only sees rule candidates).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from cdi.clinical import evaluation
from cdi.clinical.detection import RULE_THRESHOLD, DecisionPolicy, Scorer, candidate_pairs, detect_candidates
from cdi.clinical.evaluation import EvalRecord

VETO_GRID = tuple(round(0.05 * i, 2) for i in range(0, 20))  # 0 = never veto
RAISE_GRID: tuple[float | None, ...] = (None, *(round(0.5 + 0.05 * i, 2) for i in range(0, 10)))


@dataclass(frozen=True)
class Candidate:
    dataset: str
    note: str
    category: str
    condition: str
    rule_confidence: float
    probability: float
    gold: bool
    has_evidence: bool = True


@dataclass(frozen=True)
class LabelledSet:
    name: str
    candidates: tuple[Candidate, ...]
    gold_pairs: int  # every gold (category, condition) of the set, with a candidate or not
    notes: frozenset[str] = frozenset()  # ids of the labelled notes


class Counts(evaluation.Counts):
    """The evaluation's counts, summed over sets and reported to 3 decimals."""

    def as_dict(self, digits: int = 3) -> dict[str, float | int]:
        return super().as_dict(digits)


RULES_ONLY = DecisionPolicy()


def collect(name: str, records: Iterable[EvalRecord], scorer: Scorer | None) -> LabelledSet:
    """Rows for one labelled set (`load_dataset` records); probability 0 without a scorer."""
    rows: list[Candidate] = []
    gold_pairs = 0
    notes: set[str] = set()
    for record in records:
        if record.gaps is None:  # unlabelled: nothing to fit or judge
            continue
        notes.add(record.id)
        gold = set(record.gaps)
        gold_pairs += len(gold)
        text = record.text
        candidates = detect_candidates(text)
        probabilities = list(scorer(candidate_pairs(text, candidates))) if scorer and candidates else []
        for index, finding in enumerate(candidates):
            rows.append(
                Candidate(
                    name,
                    record.id,
                    finding.category,
                    finding.condition,
                    finding.rule_confidence,
                    float(probabilities[index]) if probabilities else 0.0,
                    (finding.category, finding.condition) in gold,
                    bool(finding.evidence),
                )
            )
    return LabelledSet(name, tuple(rows), gold_pairs, frozenset(notes))


def counts(labelled: LabelledSet, policy: DecisionPolicy) -> Counts:
    tp = fp = 0
    for c in labelled.candidates:
        if policy.keeps(c.rule_confidence, c.probability, c.has_evidence):
            tp += c.gold
            fp += not c.gold
    return Counts(tp, fp, labelled.gold_pairs - tp)


def pooled(sets: Sequence[LabelledSet], policy: DecisionPolicy) -> Counts:
    total = Counts()
    for labelled in sets:
        total = total + counts(labelled, policy)
    return total


def fit(sets: Sequence[LabelledSet], strong_rule: float | None = None) -> DecisionPolicy:
    """The grid policy with the best pooled micro F1 on `sets`; ties go to the policy that changes
    the rules least (lowest veto, then highest raise threshold or none), so with no evidence
    either way the rules stand."""
    options = {} if strong_rule is None else {"strong_rule": strong_rule}
    best, best_key = RULES_ONLY, None
    for raise_index, raise_from in enumerate(RAISE_GRID):
        for veto_below in VETO_GRID:
            policy = DecisionPolicy(veto_below=veto_below, raise_from=raise_from, **options)
            f1 = round(pooled(sets, policy).f1, 9)
            # lower veto first; then "never raise" (index 0), then the highest raise threshold
            conservative = (-veto_below, 0 if raise_from is None else -(len(RAISE_GRID) - raise_index))
            key = (f1, conservative)
            if best_key is None or key > best_key:
                best, best_key = policy, key
    return best


@dataclass(frozen=True)
class Fold:
    held_out: str
    policy: DecisionPolicy
    rules: Counts
    fitted: Counts


def cross_validate(sets: Sequence[LabelledSet]) -> list[Fold]:
    """Leave one labelled set out: fit on the others, count on it."""
    folds = []
    for index, held in enumerate(sets):
        policy = fit([s for i, s in enumerate(sets) if i != index])
        folds.append(Fold(held.name, policy, counts(held, RULES_ONLY), counts(held, policy)))
    return folds


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Mann-Whitney AUC with ties counted half; None without both classes."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def log_loss(probabilities: Sequence[float], labels: Sequence[bool], eps: float = 1e-6) -> float | None:
    if not probabilities:
        return None
    total = 0.0
    for p, y in zip(probabilities, labels, strict=True):
        p = min(max(p, eps), 1 - eps)
        total -= math.log(p) if y else math.log(1 - p)
    return total / len(probabilities)


def ranking(
    candidates: Sequence[Candidate], score: Callable[[Candidate], float]
) -> dict[str, float | int | None]:
    labels = [c.gold for c in candidates]
    scores = [score(c) for c in candidates]
    loss = log_loss(scores, labels)
    value = auc(scores, labels)
    return {
        "candidates": len(candidates),
        "gold": sum(labels),
        "auc": None if value is None else round(value, 3),
        "log_loss": None if loss is None else round(loss, 3),
    }


def above_rule_threshold(c: Candidate) -> bool:
    return c.rule_confidence >= RULE_THRESHOLD


def _squash(text: str) -> str:
    return " ".join(text.split())


def quote_in_context(quote: str, context: str, chunk: int = 25) -> str:
    """Where a labeller's quoted evidence is in the context the model scores: "whole", "part" (a
    `chunk`-character piece of it) or "none". Whitespace is ignored, as `candidate_pairs` folds it."""
    quote, context = _squash(quote), _squash(context)
    if quote in context:
        return "whole"
    step = max(1, chunk // 5)
    if any(quote[i : i + chunk] in context for i in range(0, max(1, len(quote) - chunk + 1), step)):
        return "part"
    return "none"


def context_coverage(
    records: Iterable[EvalRecord], quotes: dict[tuple[str, str, str], str]
) -> dict[str, int]:
    """For every gold rule candidate with a quote in `quotes` ((id, category, condition) -> text):
    whether the quote lies in the candidate's scored context (`candidate_pairs`)."""
    result = {"gold_candidates": 0, "whole": 0, "part": 0, "none": 0, "no_quote": 0}
    for record in records:
        if not record.gaps:
            continue
        candidates = [f for f in detect_candidates(record.text) if (f.category, f.condition) in record.gaps]
        for finding, (_, context) in zip(candidates, candidate_pairs(record.text, candidates), strict=True):
            result["gold_candidates"] += 1
            quote = quotes.get((record.id, finding.category, finding.condition))
            if not quote:
                result["no_quote"] += 1
                continue
            result[quote_in_context(quote, context)] += 1
    return result
