"""Synthetic notes with known gaps, for training and for checking generalisation.

Each note is assembled from a few clinical scenarios, each written in one of several
phrasings (many deliberately outside the rule lexicon), with random values that
straddle the thresholds, plus distractors: negated, historical, family and
hypothetical mentions, and documented diagnoses that close a gap. The gold gaps are
known by construction. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

Gap = tuple[str, str]


@dataclass
class SyntheticNote:
    id: str
    text: str
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class _Part:
    hpi: list[str] = field(default_factory=list)
    labs: list[str] = field(default_factory=list)
    assessment: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    pmh: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    meds: list[str] = field(default_factory=list)
    vitals: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def _sodium(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["gap", "gap", "normal", "documented", "untreated", "edge"])
    if kind == "normal":
        value = rng.randint(135, 144)
    elif kind == "edge":
        value = rng.choice([134, 135])
    else:
        value = rng.randint(118, 133)
    lab = _pick(
        rng, f"Sodium {value}", f"Na {value}", f"serum sodium of {value} mmol/L", f"sodium was {value}"
    )
    p.labs.append(lab)
    treated = kind in ("gap", "documented") or (kind == "edge" and rng.random() < 0.7)
    if treated:
        p.plan.append(
            _pick(
                rng,
                "Fluid restriction to 1.2 L per day.",
                "Restrict free water; recheck sodium in the morning.",
                "Started tolvaptan 15 mg daily.",
                "Gentle normal saline and repeat sodium every 6 hours.",
                "Salt tablets 1 g t.i.d.",
            )
        )
    if kind == "documented":
        p.assessment.append(_pick(rng, "Hyponatremia, likely SIADH.", "Hypovolemic hyponatremia."))
    if value < 135 and treated and kind != "documented":
        p.gaps.append(("undocumented_diagnosis", "hyponatremia"))


def _potassium(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["low", "low", "high", "normal", "documented", "low_untreated"])
    if kind in ("low", "low_untreated", "documented"):
        value = rng.choice([2.6, 2.9, 3.1, 3.2, 3.3, 3.4])
    elif kind == "high":
        value = rng.choice([5.4, 5.7, 6.1, 6.5])
    else:
        value = rng.choice([3.5, 3.8, 4.2, 5.0, 5.2])
    p.labs.append(_pick(rng, f"Potassium {value}", f"K {value}", f"potassium of {value}", f"K+ {value}"))
    if kind in ("low", "documented"):
        p.plan.append(
            _pick(
                rng,
                "KCl 40 mEq p.o. x2.",
                "Potassium replaced IV.",
                "Replete potassium per protocol.",
                "K-Dur 20 mEq b.i.d.",
            )
        )
    if kind == "high":
        p.plan.append(
            _pick(
                rng,
                "Kayexalate 30 g given.",
                "Insulin and dextrose given, calcium gluconate 1 g IV.",
                "Held lisinopril; low potassium diet.",
            )
        )
        p.gaps.append(("undocumented_diagnosis", "hyperkalemia"))
    if kind == "documented":
        p.assessment.append("Hypokalemia, replaced.")
    if kind == "low":
        p.gaps.append(("undocumented_diagnosis", "hypokalemia"))


def _heart_failure(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["gap", "gap", "specific", "family", "no_indicator"])
    name = _pick(rng, "congestive heart failure", "CHF", "heart failure", "cardiac failure")
    if kind == "family":
        p.family.append(f"{_pick(rng, 'Mother', 'Father', 'Brother')} had {name}.")
        return
    if kind == "specific":
        p.assessment.append(
            _pick(
                rng,
                "Acute on chronic systolic heart failure.",
                "Chronic diastolic congestive heart failure, compensated.",
            )
        )
    else:
        p.assessment.append(f"{name[0].upper()}{name[1:]}.")
    if kind == "no_indicator":
        return
    ef = rng.choice([15, 20, 25, 30, 35, 40, 55, 60])
    p.labs.append(
        _pick(
            rng,
            f"Echo shows EF {ef}%.",
            f"Ejection fraction of {ef}% on echocardiogram.",
            f"LVEF estimated at {ef}%.",
        )
    )
    if rng.random() < 0.6:
        p.labs.append(
            _pick(
                rng, f"BNP {rng.randint(400, 4000)}.", f"B-type natriuretic peptide {rng.randint(300, 2500)}."
            )
        )
    p.plan.append(
        _pick(
            rng,
            "Lasix 40 mg IV b.i.d.",
            "IV furosemide, strict I/O, daily weights.",
            "Diuresed with Bumex IV.",
        )
    )
    if kind == "gap":
        p.gaps.append(("acuity", "heart_failure"))


def _infection(rng: random.Random, p: _Part) -> None:
    site = rng.choice(["pneumonia", "urinary tract infection", "cellulitis of the left leg"])
    kind = rng.choice(["sepsis", "sepsis", "documented_sepsis", "mild", "negated"])
    if kind == "negated":
        p.assessment.append(_pick(rng, f"No evidence of {site}.", f"{site.capitalize()} was ruled out."))
        p.vitals.append(f"Temperature {rng.choice([98.1, 98.6, 99.0])}, heart rate {rng.randint(70, 88)}.")
        return
    p.assessment.append(f"{site.capitalize()}.")
    abx = _pick(
        rng, "ceftriaxone 1 g IV daily", "IV vancomycin and Zosyn", "levofloxacin 750 mg IV", "cefazolin"
    )
    p.plan.append(f"Continue {abx}.")
    if kind == "mild":
        p.vitals.append(
            f"Temperature {rng.choice([98.4, 99.1, 99.6])}, pulse {rng.randint(72, 90)}, respirations 16."
        )
        p.labs.append(f"WBC {rng.choice([7.2, 8.9, 10.4, 11.9])}.")
        return
    temp = rng.choice([101.8, 102.4, 103.1, 38.9, 39.4, 96.1])
    p.vitals.append(
        _pick(
            rng,
            f"T {temp}, HR {rng.randint(104, 128)}, RR {rng.randint(22, 30)}.",
            f"Febrile to {temp}, tachycardic to {rng.randint(105, 130)}.",
        )
    )
    p.labs.append(
        _pick(
            rng,
            f"White count {rng.choice([14.2, 16.8, 19.5, 23.1])}.",
            f"WBC {rng.choice([13.1, 17.4, 21.0])} with bandemia.",
        )
    )
    if kind == "documented_sepsis":
        p.assessment.append(f"Sepsis secondary to {site}.")
    else:
        p.gaps.append(("undocumented_diagnosis", "sepsis"))
    if site == "pneumonia" and rng.random() < 0.6:
        organism = rng.choice(["Streptococcus pneumoniae", "Pseudomonas aeruginosa", "MRSA", "Klebsiella"])
        if rng.random() < 0.5:
            p.labs.append(f"Sputum culture grew {organism}.")
            p.gaps.append(("organism", "pneumonia"))
        else:
            p.assessment.append(f"{organism} pneumonia.")


def _creatinine(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["aki", "aki", "stable", "documented", "renal_failure"])
    base = rng.choice([0.8, 0.9, 1.0, 1.1, 1.2])
    if kind == "stable":
        p.labs.append(f"Creatinine {base}, stable.")
        return
    rise = rng.choice([0.3, 0.5, 0.9, 1.4])
    new = round(base + rise, 1)
    p.labs.append(
        _pick(
            rng,
            f"Creatinine {new}, up from {base} yesterday.",
            f"creatinine {base} -> {new}",
            f"Cr rose from {base} to {new}.",
        )
    )
    p.plan.append(
        _pick(
            rng,
            "IV fluids, hold lisinopril, renal ultrasound.",
            "Nephrology consulted; avoid nephrotoxins.",
            "Monitor renal function daily.",
        )
    )
    if kind == "documented":
        p.assessment.append("Acute kidney injury, prerenal.")
    elif kind == "renal_failure":
        p.assessment.append(_pick(rng, "Renal insufficiency.", "Renal failure."))
        p.gaps.append(("acuity", "kidney_disease"))
    else:
        p.gaps.append(("undocumented_diagnosis", "acute_kidney_injury"))


def _anemia(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["gap", "documented", "no_bleeding"])
    first = rng.choice([11.8, 12.4, 13.0])
    last = round(first - rng.choice([2.1, 3.0, 3.8]), 1)
    p.labs.append(_pick(rng, f"Hemoglobin {first} -> {last}.", f"Hgb dropped from {first} to {last}."))
    if kind != "no_bleeding":
        p.hpi.append(
            _pick(
                rng,
                "Presented with melena for two days.",
                "Admitted with an upper GI bleed.",
                "Hematemesis at home.",
            )
        )
    p.plan.append(
        _pick(
            rng, "Transfused 2 units PRBC.", "Serial H&H every 6 hours.", "Transfuse for hemoglobin under 7."
        )
    )
    if kind == "documented":
        p.assessment.append("Acute blood loss anemia.")
    elif kind == "gap":
        p.gaps.append(("undocumented_diagnosis", "acute_blood_loss_anemia"))


def _obesity(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["gap", "documented", "low"])
    bmi = rng.choice([41.3, 44.0, 48.2, 52.6]) if kind != "low" else rng.choice([27.5, 31.2, 34.0])
    p.vitals.append(
        _pick(rng, f"BMI {bmi}.", f"Body mass index {bmi} kg/m2.", f"Weight 290 lbs, BMI of {bmi}.")
    )
    if kind == "documented":
        p.assessment.append(_pick(rng, "Morbid obesity.", "Class III obesity."))
    elif kind == "gap":
        p.gaps.append(("undocumented_diagnosis", "morbid_obesity"))


def _history_distractors(rng: random.Random, p: _Part) -> None:
    p.pmh.append(
        _pick(
            rng,
            "History of pneumonia in 2015, resolved.",
            "Remote history of sepsis years ago.",
            "Hypertension. Hyperlipidemia.",
            "Hypothyroidism on levothyroxine.",
        )
    )
    p.family.append(
        _pick(rng, "Father with kidney failure on dialysis.", "Mother had sepsis.", "Noncontributory.")
    )
    p.plan.append(
        _pick(
            rng,
            "Return if fever or shortness of breath.",
            "Watch for signs of infection.",
            "Follow up in clinic.",
        )
    )


def _respiratory(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["unspecified", "specific", "support"])
    sat = rng.choice([82, 85, 87, 89])
    p.vitals.append(
        _pick(rng, f"SpO2 {sat}% on room air.", f"O2 saturation {sat}% on RA.", f"{sat}% on room air")
    )
    p.plan.append(
        _pick(
            rng,
            "Placed on BiPAP.",
            "Intubated and mechanically ventilated.",
            "High-flow nasal cannula at 40 L.",
        )
    )
    if kind == "unspecified":
        p.assessment.append("Respiratory failure.")
        p.gaps.append(("acuity", "respiratory_failure"))
    elif kind == "specific":
        p.assessment.append("Acute hypoxic respiratory failure.")
    else:
        p.gaps.append(("undocumented_diagnosis", "acute_respiratory_failure"))


def _platelets(rng: random.Random, p: _Part) -> None:
    kind = rng.choice(["gap", "normal", "documented"])
    value = rng.choice([48, 62, 88, 104]) if kind != "normal" else rng.choice([150, 210, 310])
    p.labs.append(_pick(rng, f"Platelets {value},000.", f"Platelet count {value}.", f"plt {value}"))
    if kind != "normal":
        p.plan.append(
            _pick(
                rng,
                "Hold heparin; HIT antibody sent.",
                "Repeat platelets in the morning.",
                "Platelet transfusion given.",
            )
        )
    if kind == "documented":
        p.assessment.append("Thrombocytopenia.")
    elif kind == "gap":
        p.gaps.append(("undocumented_diagnosis", "thrombocytopenia"))


SCENARIOS: tuple[Callable[[random.Random, _Part], None], ...] = (
    _sodium,
    _potassium,
    _heart_failure,
    _infection,
    _creatinine,
    _anemia,
    _obesity,
    _respiratory,
    _platelets,
)


def _render(rng: random.Random, p: _Part, age: int) -> str:
    sex = rng.choice(["male", "female", "man", "woman"])
    header_hpi = rng.choice(["HISTORY OF PRESENT ILLNESS:", "HPI:", "HISTORY:"])
    header_labs = rng.choice(["LABORATORY DATA:", "LABS:", "DIAGNOSTIC DATA:"])
    header_ap = rng.choice(["ASSESSMENT AND PLAN:", "IMPRESSION:", "ASSESSMENT:"])
    hpi = f"The patient is a {age}-year-old {sex} admitted for evaluation. " + " ".join(p.hpi)
    lines = [f"{header_hpi} {hpi}".strip()]
    lines.append("PAST MEDICAL HISTORY: " + (" ".join(p.pmh) or "Noncontributory."))
    lines.append("FAMILY HISTORY: " + (" ".join(p.family) or "Noncontributory."))
    if p.meds:
        lines.append("MEDICATIONS: " + ", ".join(p.meds) + ".")
    lines.append("PHYSICAL EXAMINATION: VITAL SIGNS: " + (" ".join(p.vitals) or "Stable."))
    labs = "; ".join(item.rstrip(".") for item in p.labs)
    lines.append(f"{header_labs} " + (labs or "Unremarkable") + ".")
    items = p.assessment or ["Stable."]
    lines.append(header_ap + "\n" + "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1)))
    if p.plan:
        lines.append("PLAN: " + " ".join(p.plan))
    return "\n\n".join(lines) + "\n"


def generate(count: int, seed: int = 0) -> list[SyntheticNote]:
    """`count` notes, each with 1-3 scenarios and distractors; same seed, same notes."""
    rng = random.Random(seed)
    notes = []
    for index in range(count):
        part = _Part()
        for scenario in rng.sample(SCENARIOS, rng.randint(1, 3)):
            scenario(rng, part)
        if rng.random() < 0.6:
            _history_distractors(rng, part)
        text = _render(rng, part, rng.randint(34, 91))
        gaps = sorted(set(part.gaps))
        notes.append(SyntheticNote(f"synthetic-{seed}-{index:05d}", text, gaps))
    return notes
