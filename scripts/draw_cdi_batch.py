"""Draw a blind batch of MTSamples reports to label for CDI gap detection.

    python scripts/draw_cdi_batch.py --seed 5 --stay 18 --consults 12 [--er 0] [--admitted 0] [--signs 0] [--signs-consults 0] [--mtsamples DIR]

Candidates: inpatient-type reports by file name, minus clearly outpatient specialties,
minus every report already in a label file (cdi-dev, coding-dev, cdi-extra). Two strata,
drawn with one seeded generator: A = discharge/death summaries, admissions, H&Ps, progress
notes; B = consults (many MTSamples consults are office visits, so A is drawn heavier); C (only with
--er) = emergency-room reports, where inpatient gaps can already be documented (patients admitted
from the ER); D (only with --admitted) = any other report whose text says the patient is or was
admitted or hospitalised, minus operative, procedure, imaging, test and delivery reports (by name
and by an operative/procedure header). Once stratum A is exhausted (batch 7), draw with --stay 0.
E (only with --signs; added for batch 9, when D had 2 reports left) = the reports in no other
stratum whose text holds a generic sign of hospital care or of a work-up a query could cite, any of:
a hospital-stay sign (ICU, intensive care, inpatient, hospital day or stay, "in the hospital",
telemetry, transferred to a unit/the floor/the ICU, rapid response, code blue), a laboratory or
data section header (LABORATORY/LABS/LAB DATA/DIAGNOSTIC DATA...:), a culture, or an IV treatment
(IV, intravenous, a drip); minus D's procedure exclusions and a wider set of them, by file name
(operations, endoscopies, injections and blocks, imaging, tests and studies, simulations, templates,
letters, therapy and rating reports, routine examinations such as well-child checks and sports
physicals) and by header (pre/postoperative diagnosis, procedure, operation, anesthesia, exam,
technique, findings, indications for a procedure). --signs-consults N draws, after E, from the
consults of stratum B not drawn in this run that pass the same signs and exclusions (batch 9's
second part, when E, all 44 reports of it, held 4 gaps). The signs are read with regular expressions
only, never with the detector. Prints the drawn file names, one per line, in draw order. The note
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
# Stratum E: generic signs of hospital care or of a work-up, and a wider procedure/test exclusion.
STAY_SIGN = re.compile(
    r"\b(ICU|intensive care|inpatient|in-patient|hospital (day|stay|course)|in the hospital"
    r"|telemetry|transferred (to|from) (the )?(floor|ICU|unit|ward|intensive)|rapid response|code blue)\b",
    re.I,
)
LABS_HEADER = re.compile(
    r"^\s*(LABORATORY( DATA| STUDIES| VALUES| RESULTS| FINDINGS)?|LABS|LAB DATA|LAB RESULTS"
    r"|PERTINENT LABS|DIAGNOSTIC DATA|DATA)\s*:",
    re.I | re.M,
)
CULTURE = re.compile(r"\bcultures?\b", re.I)
IV_TREATMENT = re.compile(r"\b(IV|I\.V\.|intravenous(ly)?|drips?)\b")
PROCEDURE_NAME_WIDE = re.compile(
    r"ectomy|otom(y|ies)|ostomy|plasty|oscopy|graphy|gram(-|\.|$)|scan|injection|block|insertion"
    r"|repair|biopsy|simulation|implantation|template|bypass|excision|fistula|cabg|ablation|aspira"
    r"|puncture|closure|drain|line|cath|doppler|study|polysomnogram|report|ultrasound|x-?ray|echo"
    r"|ekg|eeg|emg|pft|radiation|therapy|physical|exam|letter|mayoview|rating|lif\.|buckle|phaco"
    r"|window|resection|dissection|reduction|release|lysis|debridement|tube|halo|ligation|conduction"
    r"|ivp|hct-|mri|lumpectomy|graft|preop|well-child|sports|records-review"
)
PROCEDURE_HEADER_WIDE = re.compile(
    r"^\s*(POST-?OPERATIVE DIAGNOS[IE]S|PRE-?OPERATIVE DIAGNOS[IE]S|PROCEDURES?|OPERATIONS?|ANESTHESIA"
    r"|EXAM|EXAMINATION|TECHNIQUE|FINDINGS|INDICATIONS? FOR (THE )?(PROCEDURE|OPERATION|STUDY|EXAM))\s*:",
    re.I | re.M,
)
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


def _signs(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    if PROCEDURE_HEADER.search(text) or PROCEDURE_HEADER_WIDE.search(text):
        return False
    return any(r.search(text) for r in (STAY_SIGN, LABS_HEADER, CULTURE, IV_TREATMENT))


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
        "--signs",
        type=int,
        default=0,
        help="how many from stratum E (signs of hospital care or work-up; -1 = all of it)",
    )
    parser.add_argument(
        "--signs-consults",
        type=int,
        default=0,
        help="how many consults (stratum B, not drawn here) with E's signs, drawn last (-1 = all)",
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
    taken = set(stay) | set(consults) | set(emergency)
    admitted = [
        n
        for n in pool
        if n not in taken and not PROCEDURE_NAME.search(n) and _admitted(Path(args.mtsamples) / n)
    ]
    if args.admitted:
        drawn += rng.sample(admitted, args.admitted)
    if args.signs:  # drawn last, so earlier seeds' draws are unchanged
        taken |= set(admitted)
        signs = [
            n
            for n in pool
            if n not in taken
            and not PROCEDURE_NAME.search(n)
            and not PROCEDURE_NAME_WIDE.search(n)
            and _signs(Path(args.mtsamples) / n)
        ]
        count = len(signs) if args.signs < 0 else args.signs
        drawn += rng.sample(signs, count)
    if args.signs_consults:  # drawn after E, so a first part is unchanged
        signed = [
            n
            for n in consults
            if n not in drawn
            and not PROCEDURE_NAME.search(n)
            and not PROCEDURE_NAME_WIDE.search(n)
            and _signs(Path(args.mtsamples) / n)
        ]
        count = len(signed) if args.signs_consults < 0 else args.signs_consults
        drawn += rng.sample(signed, count)
    for name in drawn:
        print(name)


if __name__ == "__main__":
    main()
