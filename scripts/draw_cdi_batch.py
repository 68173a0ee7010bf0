"""Draw a blind batch of MTSamples reports to label for CDI gap detection.

    python scripts/draw_cdi_batch.py --seed 5 --stay 18 --consults 12 [--mtsamples DIR]

Candidates: inpatient-type reports by file name, minus clearly outpatient specialties,
minus every report already in a label file (cdi-dev, coding-dev, cdi-extra). Two strata,
drawn with one seeded generator: A = discharge/death summaries, admissions, H&Ps, progress
notes; B = consults (many MTSamples consults are office visits, so A is drawn heavier). Prints the drawn file
names, one per line, in draw order. The note text is never written anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/data")
# Stratum A: summaries, admissions, H&Ps and progress notes; stratum B: consults.
STAY = re.compile(
    r"discharge|summary|(^|-)hp(-|\.)|history-physical|history-and-physical|admission"
    r"|progress-note|(^|-)icu(-|\.)|death"
)
CONSULT = re.compile(r"consult")
OUTPATIENT = re.compile(
    r"dietary|chiropractic|podiatry|ophthalmology|occupational|speech-therapy|pain-management"
    r"|psych|bariatric|breast-augmentation|ime-|vision|newborn-hp-template"
)


def labelled_ids(paths: list[Path]) -> set[str]:
    ids: set[str] = set()
    for path in paths:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    ids.add(json.loads(line)["id"])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--stay", type=int, default=18, help="how many from stratum A")
    parser.add_argument("--consults", type=int, default=12, help="how many from stratum B")
    parser.add_argument(
        "--shared-data", default=str(SHARED), help="the shared data folder (labels/, mtsamples/)"
    )
    parser.add_argument("--mtsamples", default=None)
    args = parser.parse_args()
    shared = Path(args.shared_data)
    args.mtsamples = args.mtsamples or str(shared / "mtsamples")
    done = labelled_ids(
        [
            shared / "labels" / "cdi-dev.jsonl",
            shared / "labels" / "coding-dev.jsonl",
            ROOT / "cdi" / "labels" / "cdi-extra.jsonl",
        ]
    )
    names = sorted(p.name for p in Path(args.mtsamples).glob("*.txt"))
    pool = [n for n in names if not OUTPATIENT.search(n) and n not in done]
    stay = [n for n in pool if STAY.search(n)]
    consults = [n for n in pool if CONSULT.search(n) and n not in stay]
    rng = random.Random(args.seed)
    for name in rng.sample(stay, args.stay) + rng.sample(consults, args.consults):
        print(name)


if __name__ == "__main__":
    main()
