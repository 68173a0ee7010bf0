"""Draw a blind batch of MTSamples reports to label for CDI gap detection.

    python scripts/draw_cdi_batch.py --seed 5 --stay 18 --consults 12 [--er 0] [--admitted 0] [--mtsamples DIR]

Candidates: inpatient-type reports by file name, minus clearly outpatient specialties,
minus every report already in a label file (cdi-dev, coding-dev, cdi-extra). Two strata,
drawn with one seeded generator: A = discharge/death summaries, admissions, H&Ps, progress
notes; B = consults (many MTSamples consults are office visits, so A is drawn heavier); C (only with
--er) = emergency-room reports, where inpatient gaps can already be documented (patients admitted
from the ER); D (only with --admitted) = any other report whose text says the patient is or was
admitted or hospitalised, minus operative, procedure, imaging, test and delivery reports (by name
and by an operative/procedure header). Once stratum A is exhausted (batch 7), draw with --stay 0. Prints the drawn file
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
# Stratum D: other reports whose text mentions an admission, minus procedures, imaging and tests.
ADMITTED = re.compile(r"\b(admitted|admission|hospital course|hospitalized|hospitalised)\b", re.I)
PROCEDURE_NAME = re.compile(
    r"^(mri|ct)-|delivery|c-section|catheterization|echocardiogram|stress-test|orif|kyphoplasty"
    r"|placement|cardioversion|angiogram|thoracoscopy|tracheostomy|endoscopy|interrogation"
    r"|exploration|fixation|autopsy"
)
PROCEDURE_HEADER = re.compile(
    r"^\s*(PREOPERATIVE DIAGNOSIS|PROCEDURES? PERFORMED|OPERATIONS? PERFORMED"
    r"|DESCRIPTION OF (THE )?PROCEDURE|TECHNIQUE)\s*:",
    re.I | re.M,
)
# Stratum C: emergency-room reports (not an emergency operation such as a C-section).
EMERGENCY = re.compile(r"(^|-)er-(visit|report)|^er-|emergency-visit")
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


def _admitted(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return bool(ADMITTED.search(text)) and not PROCEDURE_HEADER.search(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--stay", type=int, default=18, help="how many from stratum A")
    parser.add_argument("--consults", type=int, default=12, help="how many from stratum B")
    parser.add_argument("--er", type=int, default=0, help="how many from stratum C (ER reports)")
    parser.add_argument(
        "--admitted", type=int, default=0, help="how many from stratum D (other admitted patients)"
    )
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
    emergency = [n for n in pool if EMERGENCY.search(n) and n not in stay and n not in consults]
    rng = random.Random(args.seed)
    drawn = rng.sample(stay, args.stay) + rng.sample(consults, args.consults)
    if args.er:  # drawn after A and B, so earlier seeds' draws are unchanged
        drawn += rng.sample(emergency, args.er)
    if args.admitted:
        taken = set(stay) | set(consults) | set(emergency)
        admitted = [
            n
            for n in pool
            if n not in taken and not PROCEDURE_NAME.search(n) and _admitted(Path(args.mtsamples) / n)
        ]
        drawn += rng.sample(admitted, args.admitted)
    for name in drawn:
        print(name)


if __name__ == "__main__":
    main()
