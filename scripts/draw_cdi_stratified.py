"""Draw a stratified blind batch of the unlabelled MTSamples reports, and estimate from it.

    python scripts/draw_cdi_stratified.py draw --seed 1010 --flagged 60 --unflagged 40 \
        --out var/batch10/names.txt --sealed cdi/labels/batch10-strata.json
    python scripts/draw_cdi_stratified.py estimate --dataset var/eval/extra-test_batch10.jsonl \
        --predictions var/eval/pred-batch10.jsonl --sealed cdi/labels/batch10-strata.json [--json]
    python scripts/draw_cdi_stratified.py draw-more --seed 1111 --unflagged 150 \
        --from-sealed cdi/labels/batch10-strata.json --out var/batch11/names.txt \
        --sealed cdi/labels/batch11-strata.json
    python scripts/draw_cdi_stratified.py estimate \
        --dataset var/eval/extra-batch10.jsonl --predictions var/eval/pred-batch10.jsonl \
        --sealed cdi/labels/batch10-strata.json \
        --dataset var/eval/extra-batch11.jsonl --predictions var/eval/pred-batch11.jsonl \
        --sealed cdi/labels/batch11-strata.json [--json]

Why: batches 4-9 were first looks at strata of note types, each small (44 gaps in all), and the
blind-batch strata of `scripts/draw_cdi_batch.py` are exhausted. What is left is the pool of
MTSamples reports in no CDI label file (neither cdi-dev nor cdi-extra). Labelling a plain random
sample of it would find almost no predictions (the rules flag ~3 % of it), so precision would stay
unmeasured; so the pool is split by the current rules into two strata:

* F (flagged): `detect()` with the rules only (no model, the kb in the tree) predicts at least one gap;
* U (unflagged): it predicts none.

`draw` takes all of F (or a seeded sample of `--flagged` of it if F is larger) and a seeded random
sample of `--unflagged` reports of U, shuffles them together and writes ONLY the mixed list of
file names to `--out`, so that the labeller reads each report without knowing its stratum or any
prediction. The stratum of each name and the stratum sizes go to `--sealed`, a file the labeller does
not open until the labels are committed. Nothing is printed but the number of names drawn: no
prediction, no stratum, no note text.

`estimate` joins the labelled batch (an `evaluate_cdi` data set), the predictions of one
`evaluate_cdi` run on it and the sealed strata, and prints per-stratum TP / FP / FN and the
stratified estimates. With stratum weights w_F = |F| / n_F and w_U = |U| / n_U (population size
over sample size):

    precision = (w_F TP_F + w_U TP_U) / (w_F (TP_F + FP_F) + w_U (TP_U + FP_U))
    recall    = (w_F TP_F + w_U TP_U) / (w_F (TP_F + FN_F) + w_U (TP_U + FN_U))

(U holds no rules prediction by construction, so TP_U = FP_U = 0 for the rules and recall is
w_F TP_F / (w_F (TP_F + FN_F) + w_U FN_U): every gap the sample of U holds stands for w_U gaps of
the pool.) The false-alarm rate on gap-free notes is weighted the same way. 95 % intervals: a
bootstrap over reports within each stratum (percentiles), and a Wilson interval on the unweighted
precision. The bootstrap says nothing about U when U's sample holds no gap (every resample holds
none), so where all of F was drawn (a census: its TP and FN are exact for the pool) the recall
interval is also given as `recall95_census_f`: U's missed gaps bounded by an exact Poisson interval
on its sample's count, scaled by |U| / n_U. The note text is never written anywhere.

`draw-more` (batch 11) draws a further seeded random sample of an earlier draw's U, to tighten the
recall bound. The stratum is exactly the earlier one: it is rebuilt from the earlier sealed file and
the label files, never by running the rules again (a newer knowledge base would define another U).
The earlier pool is every MTSamples report in neither cdi-dev nor the cdi-extra splits labelled
before that draw (splits `train`, `test` and `test_batchN` with N below the earlier batch's number),
checked against the sealed pool size; U is that pool minus the sealed F names (all of F was drawn,
so U is known exactly), checked against the sealed |U|. The reports the earlier draw took from U,
and any labelled since, are left out; the sample is drawn from the rest and its names are written
sorted (every one is in U, so there is nothing to hide from the labeller but the predictions). Its
sealed file names the earlier one (`parent`) and holds U's size, the number already drawn from U
and the names drawn now. Any number of further samples can follow (batch 12: `draw-more --seed 1212
--unflagged 150 --from-sealed cdi/labels/batch10-strata.json`): each is drawn from batch 10's seal,
and every earlier further sample is left out because it is labelled (`left_out`). With the same seed
and a population much larger than n (1,565 and n <= 150 here), a larger n only adds names
(`random.sample` picks one by one from a set), so a seal can be widened before labelling; this is
not true in general (for n near the population size `random.sample` switches method), so check it.

`estimate` takes several labelled batches (`--dataset`, `--predictions` and `--sealed` repeated, in
the same order): their U samples are pooled into one. Drawing n_1 reports of U, then n_2 of the
rest, both without replacement and by seed, gives a simple random sample of n_1 + n_2 reports of U,
so the pooled weight is |U| / (n_1 + n_2). The batches must agree on the stratum sizes and share no
report; a stratum census (F) may come from one batch only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/data")


# --- drawing -------------------------------------------------------------------------------


def split_strata(flags: dict[str, bool]) -> tuple[list[str], list[str]]:
    """(F, U): the names the rules flag and those they do not, each sorted."""
    flagged = sorted(n for n, f in flags.items() if f)
    unflagged = sorted(n for n, f in flags.items() if not f)
    return flagged, unflagged


def draw(
    flagged: Sequence[str], unflagged: Sequence[str], n_flagged: int, n_unflagged: int, seed: int
) -> tuple[list[str], dict[str, str]]:
    """The shuffled mix of all of F (or n_flagged of it) and n_unflagged of U, and each name's stratum."""
    rng = random.Random(seed)
    f = list(flagged) if len(flagged) <= n_flagged else rng.sample(list(flagged), n_flagged)
    u = rng.sample(list(unflagged), min(n_unflagged, len(unflagged)))
    mixed = f + u
    rng.shuffle(mixed)
    strata = dict.fromkeys(f, "F") | dict.fromkeys(u, "U")
    return mixed, strata


def earlier_pool(
    all_names: Iterable[str], dev_ids: Iterable[str], extra_splits: dict[str, list[str]], batch: int
) -> list[str]:
    """The unlabelled pool as it was when batch `batch` was drawn: every report in neither cdi-dev
    nor a cdi-extra split labelled before that batch (`train`, `test`, `test_batchN` with N < batch)."""
    before: set[str] = set(dev_ids)
    for split, names in extra_splits.items():
        number = split.removeprefix("test_batch")
        if split.startswith("test_batch") and number.isdigit() and int(number) >= batch:
            continue
        before.update(names)
    return sorted(n for n in all_names if n not in before)


def unflagged_of(pool: Sequence[str], seal: dict) -> list[str]:
    """U of an earlier draw whose F was a census: its pool minus its sealed F names; the sizes are
    checked against the seal, so a changed label file or pool cannot silently change the stratum."""
    if len(pool) != seal["pool"]:
        raise SystemExit(f"the rebuilt pool holds {len(pool)} reports, the seal {seal['pool']}")
    flagged = {n for n, s in seal["strata"].items() if s == "F"}
    if len(flagged) != seal["sizes"]["F"]:
        raise SystemExit("the earlier draw did not take all of F: its U cannot be rebuilt without the rules")
    unflagged = sorted(set(pool) - flagged)
    if len(unflagged) != seal["sizes"]["U"]:
        raise SystemExit(f"the rebuilt U holds {len(unflagged)} reports, the seal {seal['sizes']['U']}")
    return unflagged


def left_out(unflagged: Sequence[str], seal: dict, labelled: Iterable[str]) -> tuple[set[str], set[str]]:
    """What a further draw of U must not take: the U reports the sealed draw took, and every U report
    labelled since (any number of earlier further samples, e.g. batches 11 and 12, in the label file).
    Returns (taken by the seal, labelled since and not in the seal)."""
    taken = {n for n, s in seal["strata"].items() if s == "U"}
    since = set(labelled) & set(unflagged)
    return taken, since - taken


def draw_more(unflagged: Sequence[str], taken: Iterable[str], n: int, seed: int) -> list[str]:
    """A seeded random sample of n reports of U not yet taken, sorted."""
    taken = set(taken)
    rest = sorted(set(unflagged) - taken)
    return sorted(random.Random(seed).sample(rest, min(n, len(rest))))


# --- estimating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    stratum: str
    tp: int
    fp: int
    fn: int

    @property
    def gap_free(self) -> bool:
        return self.tp + self.fn == 0

    @property
    def false_alarm(self) -> bool:
        return self.gap_free and self.fp > 0


def score_report(
    gold: Iterable[tuple[str, str]], predicted: Iterable[tuple[str, str]], stratum: str
) -> Report:
    """TP / FP / FN of one report, each (category, condition) pair counted once (evaluation.md)."""
    g, p = set(gold), set(predicted)
    return Report(stratum, len(g & p), len(p - g), len(g - p))


def weights(sizes: dict[str, int], drawn: dict[str, int]) -> dict[str, float]:
    """w_s = population size / sample size of each stratum (0 for a stratum with no draw)."""
    return {s: (sizes[s] / drawn[s] if drawn.get(s) else 0.0) for s in sizes}


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def stratified(reports: Sequence[Report], w: dict[str, float]) -> dict[str, float]:
    """Weighted precision, recall and false-alarm rate (see the module docstring)."""
    tp = sum(w[r.stratum] * r.tp for r in reports)
    fp = sum(w[r.stratum] * r.fp for r in reports)
    fn = sum(w[r.stratum] * r.fn for r in reports)
    free = sum(w[r.stratum] for r in reports if r.gap_free)
    alarms = sum(w[r.stratum] for r in reports if r.false_alarm)
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "false_alarm_rate": _ratio(alarms, free),
        "gaps": tp + fn,
    }


def bootstrap(
    reports: Sequence[Report], w: dict[str, float], rounds: int = 2000, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """95 % percentile intervals, resampling reports with replacement within each stratum."""
    rng = random.Random(seed)
    by: dict[str, list[Report]] = {}
    for r in reports:
        by.setdefault(r.stratum, []).append(r)
    values: dict[str, list[float]] = {"precision": [], "recall": [], "false_alarm_rate": []}
    for _ in range(rounds):
        sample = [rng.choice(rs) for rs in by.values() for _ in rs]
        est = stratified(sample, w)
        for key, series in values.items():
            if not math.isnan(est[key]):
                series.append(est[key])
    out = {}
    for key, series in values.items():
        series.sort()
        if series:
            out[key] = (series[int(0.025 * (len(series) - 1))], series[int(0.975 * (len(series) - 1))])
        else:
            out[key] = (float("nan"), float("nan"))
    return out


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def poisson_upper(k: int, tail: float = 0.025) -> float:
    """Exact upper confidence bound of a Poisson mean after observing k events: the mean whose
    P(X <= k) equals `tail` (0.025: the upper end of a two-sided 95 % interval; 2.996 for k = 0
    at 0.05, the "rule of three")."""
    lo, hi = 0.0, 10.0 + 10.0 * k
    for _ in range(200):
        mid = (lo + hi) / 2
        term = cdf = math.exp(-mid)
        for i in range(1, k + 1):
            term *= mid / i
            cdf += term
        lo, hi = (mid, hi) if cdf > tail else (lo, mid)
    return (lo + hi) / 2


def poisson_lower(k: int, tail: float = 0.025) -> float:
    """Exact lower confidence bound of a Poisson mean after k events (0 for k = 0)."""
    if k == 0:
        return 0.0
    lo, hi = 0.0, float(k)
    for _ in range(200):
        mid = (lo + hi) / 2
        term = cdf = math.exp(-mid)
        for i in range(1, k):
            term *= mid / i
            cdf += term
        # P(X >= k) = 1 - P(X <= k - 1) rises with the mean
        lo, hi = (mid, hi) if 1 - cdf < tail else (lo, mid)
    return (lo + hi) / 2


def recall_interval_census_f(
    tp_f: int, fn_f: int, fn_u: int, n_u: int, size_u: int, tail: float = 0.025
) -> tuple[float, float]:
    """95 % interval of the pool's recall when all of F was labelled (a census: TP_F and FN_F are
    exact) and U was sampled: U's missed gaps are |U| / n_U times a Poisson count, bounded exactly.
    With no gap in U's sample the upper end is TP_F / (TP_F + FN_F) and the lower end is set by
    how many gaps U could hold unseen."""
    fn_u_low = size_u * poisson_lower(fn_u, tail) / n_u
    fn_u_high = size_u * poisson_upper(fn_u, tail) / n_u
    return (_ratio(tp_f, tp_f + fn_f + fn_u_high), _ratio(tp_f, tp_f + fn_f + fn_u_low))


def _pairs(gaps: Iterable[dict[str, object]]) -> set[tuple[str, str]]:
    return {(str(g["category"]), str(g["condition"])) for g in gaps}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def merge_seals(seals: Sequence[dict]) -> dict:
    """One seal for several batches drawn from the same strata: sizes must agree, no report may be
    in two batches, and the drawn counts add up (sequential samples without replacement of a stratum
    pool into one simple random sample of it)."""
    sizes = seals[0]["sizes"]
    strata: dict[str, str] = {}
    drawn: dict[str, int] = dict.fromkeys(sizes, 0)
    for seal in seals:
        if seal["sizes"] != sizes:
            raise SystemExit(f"the batches disagree on the stratum sizes: {seal['sizes']} vs {sizes}")
        twice = set(strata) & set(seal["strata"])
        if twice:
            raise SystemExit(f"{len(twice)} reports are in two batches")
        strata.update(seal["strata"])
        for s in sizes:
            drawn[s] += sum(1 for v in seal["strata"].values() if v == s)
    for s in sizes:
        if drawn[s] > sizes[s]:
            raise SystemExit(f"stratum {s}: {drawn[s]} drawn of {sizes[s]}")
    return {"sizes": sizes, "drawn": drawn, "strata": strata}


def estimate(
    datasets: Sequence[Path], predictions: Sequence[Path], sealed: Sequence[Path], rounds: int, seed: int
) -> dict[str, object]:
    if not (len(datasets) == len(predictions) == len(sealed)) or not datasets:
        raise SystemExit("give --dataset, --predictions and --sealed once per batch, in the same order")
    seals = [json.loads(p.read_text(encoding="utf-8")) for p in sealed]
    gold: dict[str, set[tuple[str, str]]] = {}
    pred: dict[str, set[tuple[str, str]]] = {}
    for dataset, prediction, one in zip(datasets, predictions, seals, strict=True):
        g = {line["id"]: _pairs(line.get("gaps", [])) for line in _read_jsonl(dataset)}
        missing = set(one["strata"]) ^ set(g)
        if missing:
            raise SystemExit(f"{dataset}: the data set and the sealed strata differ on {len(missing)} names")
        gold.update(g)
        pred.update({line["id"]: _pairs(line.get("gaps", [])) for line in _read_jsonl(prediction)})
    seal = merge_seals(seals)
    strata: dict[str, str] = seal["strata"]
    reports = [score_report(gold[n], pred.get(n, set()), strata[n]) for n in sorted(strata)]
    w = weights(seal["sizes"], seal["drawn"])
    per_stratum = {}
    for s in sorted(seal["sizes"]):
        rs = [r for r in reports if r.stratum == s]
        per_stratum[s] = {
            "population": seal["sizes"][s],
            "drawn": len(rs),
            "weight": w[s],
            "tp": sum(r.tp for r in rs),
            "fp": sum(r.fp for r in rs),
            "fn": sum(r.fn for r in rs),
            "reports_with_gaps": sum(1 for r in rs if not r.gap_free),
            "gap_free": sum(1 for r in rs if r.gap_free),
            "false_alarms": sum(1 for r in rs if r.false_alarm),
        }
    tp = sum(r.tp for r in reports)
    fp = sum(r.fp for r in reports)
    fn = sum(r.fn for r in reports)
    f, u = per_stratum.get("F", {}), per_stratum.get("U", {})
    census = bool(f) and f["drawn"] == f["population"] and u and u["tp"] == 0 and u["fp"] == 0
    return {
        "recall95_census_f": (
            recall_interval_census_f(f["tp"], f["fn"], u["fn"], u["drawn"], u["population"])
            if census
            else None
        ),
        "per_stratum": per_stratum,
        "unweighted": {
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
            "precision_wilson95": wilson(tp, tp + fp),
        },
        "stratified": stratified(reports, w),
        "bootstrap95": bootstrap(reports, w, rounds, seed),
    }


# --- command line --------------------------------------------------------------------------


def _labelled_ids(paths: Sequence[Path]) -> set[str]:
    ids: set[str] = set()
    for path in paths:
        for line in _read_jsonl(path):
            ids.add(line["id"])
    return ids


def _flags(names: Sequence[str], reports: Path) -> dict[str, bool]:
    sys.path.insert(0, str(ROOT))
    from cdi.clinical.detection import detect  # plain Python; rules only, the kb in the tree

    return {n: bool(detect((reports / n).read_text(encoding="utf-8"))) for n in names}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw")
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--flagged", type=int, default=60, help="the most reports drawn from F")
    d.add_argument("--unflagged", type=int, default=40, help="reports drawn from U")
    d.add_argument("--out", required=True, help="the mixed list of names (the only file to read)")
    d.add_argument(
        "--sealed", required=True, help="strata and sizes (not to be read before the labels are committed)"
    )
    d.add_argument("--shared-data", default=str(SHARED))
    e = sub.add_parser("estimate")
    e.add_argument("--dataset", required=True, action="append", help="once per batch")
    e.add_argument("--predictions", required=True, action="append", help="once per batch, same order")
    e.add_argument("--sealed", required=True, action="append", help="once per batch, same order")
    m = sub.add_parser("draw-more")
    m.add_argument("--seed", type=int, required=True)
    m.add_argument("--unflagged", type=int, required=True, help="reports drawn from the earlier U")
    m.add_argument("--from-sealed", required=True, help="the earlier draw's sealed file (its F a census)")
    m.add_argument("--out", required=True, help="the sorted list of names")
    m.add_argument("--sealed", required=True, help="this draw's seal, in the earlier seal's format")
    m.add_argument("--shared-data", default=str(SHARED))
    e.add_argument("--rounds", type=int, default=2000)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.command == "draw":
        shared = Path(args.shared_data)
        done = _labelled_ids(
            [shared / "labels" / "cdi-dev.jsonl", ROOT / "cdi" / "labels" / "cdi-extra.jsonl"]
        )
        reports = shared / "mtsamples"
        pool = sorted(p.name for p in reports.glob("*.txt") if p.name not in done)
        flagged, unflagged = split_strata(_flags(pool, reports))
        mixed, strata = draw(flagged, unflagged, args.flagged, args.unflagged, args.seed)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("".join(n + "\n" for n in mixed), encoding="utf-8")
        seal = {
            "seed": args.seed,
            "pool": len(pool),
            "sizes": {"F": len(flagged), "U": len(unflagged)},
            "drawn": {s: sum(1 for v in strata.values() if v == s) for s in ("F", "U")},
            "strata": dict(sorted(strata.items())),
        }
        Path(args.sealed).parent.mkdir(parents=True, exist_ok=True)
        Path(args.sealed).write_text(json.dumps(seal, indent=1) + "\n", encoding="utf-8")
        print(f"drew {len(mixed)} names to {args.out}")
    elif args.command == "draw-more":
        shared = Path(args.shared_data)
        parent = Path(args.from_sealed)
        seal = json.loads(parent.read_text(encoding="utf-8"))
        batch = int("".join(c for c in parent.name.split("-")[0] if c.isdigit()))
        splits = json.loads((ROOT / "cdi" / "labels" / "splits.json").read_text(encoding="utf-8"))
        names = sorted(p.name for p in (shared / "mtsamples").glob("*.txt"))
        dev = _labelled_ids([shared / "labels" / "cdi-dev.jsonl"])
        unflagged = unflagged_of(earlier_pool(names, dev, splits["cdi-extra"], batch), seal)
        taken, labelled_since = left_out(
            unflagged, seal, _labelled_ids([ROOT / "cdi" / "labels" / "cdi-extra.jsonl"])
        )
        drawn = draw_more(unflagged, taken | labelled_since, args.unflagged, args.seed)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("".join(n + "\n" for n in drawn), encoding="utf-8")
        out = {
            "seed": args.seed,
            "parent": parent.name,
            "pool": seal["pool"],
            "sizes": seal["sizes"],
            "drawn": {"F": 0, "U": len(drawn)},
            "already_drawn_from_u": len(taken),
            "labelled_since_left_out": len(labelled_since),
            "strata": dict.fromkeys(drawn, "U"),
        }
        Path(args.sealed).parent.mkdir(parents=True, exist_ok=True)
        Path(args.sealed).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"drew {len(drawn)} of the {len(unflagged) - len(taken | labelled_since)} reports left in U")
    else:
        result = estimate(
            [Path(p) for p in args.dataset],
            [Path(p) for p in args.predictions],
            [Path(p) for p in args.sealed],
            args.rounds,
            args.seed,
        )
        if args.json:
            print(json.dumps(result))
        else:
            for s, row in result["per_stratum"].items():
                print(s, row)
            for key in ("unweighted", "stratified", "bootstrap95", "recall95_census_f"):
                print(key, result[key])


if __name__ == "__main__":
    main()
