"""Draw a fresh held-out batch of MTSamples reports to label with ICD-10-CM codes.

    python scripts/draw_coding_batch.py --seed 2608 --stay 9 --office 9 [--shared-data DIR]

Candidates: reports whose file name marks a note that carries diagnoses, of 900-4,000
characters (labelling stays feasible; same bias towards shorter reports as coding-extra),
minus every report already in a label file (cdi-dev, coding-dev, coding-extra, cdi-extra).
Two strata drawn with one seeded generator: A = inpatient-type notes (discharge/death
summaries, admissions, H&Ps, progress notes, ER notes); B = office-type notes (consults,
follow-ups, office visits, SOAP notes). Prints the drawn file names in draw order; the note
text is never written anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/data")
STAY = re.compile(
    r"discharge|summary|(^|-)hp(-|\.|$)|history-physical|history-and-physical|admission"
    r"|progress-note|(^|-)icu(-|\.)|death|(^|-)er(-|\.)|emergency"
)
OFFICE = re.compile(r"consult|followup|follow-up|office|visit|soap|clinic")
EXCLUDED = re.compile(r"template|normal|letter|sample|ime-|chiropractic|speech-therapy|occupational")
MIN_CHARS, MAX_CHARS = 900, 4000


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
    parser.add_argument("--seed", type=int, default=2608)
    parser.add_argument("--stay", type=int, default=9, help="how many from stratum A")
    parser.add_argument("--office", type=int, default=9, help="how many from stratum B")
    parser.add_argument("--shared-data", default=str(SHARED))
    args = parser.parse_args()
    shared = Path(args.shared_data)
    done = labelled_ids(
        [
            shared / "labels" / "cdi-dev.jsonl",
            shared / "labels" / "coding-dev.jsonl",
            ROOT / "coding" / "labels" / "coding-extra.jsonl",
            ROOT / "cdi" / "labels" / "cdi-extra.jsonl",
        ]
    )
    reports = sorted((shared / "mtsamples").glob("*.txt"))
    pool = [
        p.name
        for p in reports
        if p.name not in done
        and not EXCLUDED.search(p.name)
        and MIN_CHARS <= len(p.read_text(encoding="utf-8", errors="replace")) <= MAX_CHARS
    ]
    stay = [n for n in pool if STAY.search(n)]
    office = [n for n in pool if OFFICE.search(n) and n not in stay]
    rng = random.Random(args.seed)
    for name in rng.sample(stay, args.stay) + rng.sample(office, args.office):
        print(name)


if __name__ == "__main__":
    main()
