"""The classification's rules, applied to candidate codes in a fixed order.

1. only billable codes (the 7th character added where the category requires one);
2. combination codes: diabetes with CKD (E11.22 + N18.x), hypertension with heart
   failure and/or CKD (I11 / I12 / I13 with I50.x and N18.x);
   coronary atherosclerosis with angina (I25.11x);
3. BPH with urinary symptoms, the documented type of respiratory failure, dementia with
   Alzheimer disease, the medication status codes diabetes notes ask for, BMI (Z68) with
   obesity, estrogen receptor status (Z17) with breast cancer, and the perinatal codes of a
   newborn's sepsis or jaundice;
4. "code first" / "use additional code" partners found in the note are kept together;
5. the threshold, then a specific code replaces the unspecified code of its category;
6. Excludes1 pairs are never suggested together (the weaker one goes);
7. sequencing: the principal diagnosis first, each "code first" code before its partner.

Each function takes and returns a list of ``Candidate``; nothing here reads Django.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from cdi.clinical.context import ClinicalText

from . import codeset, tsv
from .candidates import Candidate, Evidence
from .lexicon import default_lexicon

DEFAULT_SEVENTH = "A"  # initial encounter: the coder confirms it from the episode of care


def _merge(into: Candidate, others: list[Candidate]) -> Candidate:
    evidence = list(into.evidence)
    seen = {(e.start, e.end) for e in evidence}
    for other in others:
        for item in other.evidence:
            if (item.start, item.end) not in seen:
                evidence.append(item)
                seen.add((item.start, item.end))
    keys = [into.principal_key, *(o.principal_key for o in others)]
    score = max([into.score, *(o.score for o in others)])
    return replace(into, evidence=evidence, principal_key=min(keys), score=score)


def _merge_same_codes(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per code, in first-seen order; a refinement that lands on a code already
    suggested merges its evidence into that one."""
    merged: dict[str, Candidate] = {}
    for candidate in candidates:
        found = merged.get(candidate.code)
        merged[candidate.code] = candidate if found is None else _merge(found, [candidate])
    return list(merged.values())


def ensure_billable(candidates: list[Candidate]) -> list[Candidate]:
    out = []
    for candidate in candidates:
        if codeset.is_billable(candidate.code):
            out.append(candidate)
            continue
        full = codeset.with_seventh_character(candidate.code, DEFAULT_SEVENTH)
        if full is None:
            continue  # a category or subcategory with no single billable reading: never suggested
        out.append(
            replace(
                candidate,
                code=full,
                title=codeset.title(full),
                notes=[*candidate.notes, f"7th character {DEFAULT_SEVENTH} (initial encounter) assumed"],
            )
        )
    return out


_is_unspecified = codeset.is_unspecified


def _with_for_without(code: str) -> str | None:
    """The sibling whose title says "with" where this one says "without" (K29.70 -> K29.71)."""
    title = codeset.title(code)
    if " without " not in title:
        return None
    wanted = title.replace(" without ", " with ").lower()
    return next(
        (c for c in codeset.family_codes(codeset.family(code)) if codeset.title(c).lower() == wanted), None
    )


def prefer_specific(candidates: list[Candidate]) -> list[Candidate]:
    """Drop an unspecified code when the note also supports a specific code of its category."""
    by_family: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_family.setdefault(candidate.family, []).append(candidate)
    out = []
    for candidate in candidates:
        siblings = [c for c in by_family[candidate.family] if c.code != candidate.code]
        # "Gastritis, unspecified, without bleeding" beside "..., with bleeding": the note stated it.
        if any(_with_for_without(candidate.code) == c.code for c in siblings):
            continue
        specific = [c for c in siblings if not _is_unspecified(c.code)]
        if _is_unspecified(candidate.code) and specific:
            continue
        if not _is_unspecified(candidate.code):
            absorbed = [c for c in siblings if _is_unspecified(c.code)]
            candidate = _merge(candidate, absorbed)
        out.append(candidate)
    return out


def _first(candidates: list[Candidate], *families: str) -> Candidate | None:
    for candidate in candidates:
        if candidate.family in families:
            return candidate
    return None


def _combined(code: str, parts: list[Candidate], why: str) -> Candidate:
    base = Candidate(
        code=code,
        title=codeset.title(code),
        score=0.0,
        evidence=[],
        why=why,
        source="combination",
        principal_key=(9, 9, 0),
    )
    return _merge(base, parts)


def apply_combinations(candidates: list[Candidate]) -> list[Candidate]:
    """Combination codes the guidelines presume (I.C.4.a.2 diabetes-CKD, I.C.9.a hypertension)."""
    out = list(candidates)
    ckd = _first(out, "N18")
    # Diabetes with CKD: the "with" convention links them unless the note says otherwise;
    # E1x.22 also replaces diabetic nephropathy (E1x.21) and other kidney complications.
    if ckd is not None:
        for dm_family in ("E10", "E11"):
            diabetes = [c for c in out if c.family == dm_family]
            if not diabetes or any(c.code == f"{dm_family}.22" for c in out):
                continue
            replaced = [
                c for c in diabetes if c.code in (f"{dm_family}.9", f"{dm_family}.21", f"{dm_family}.29")
            ]
            for c in replaced:
                out.remove(c)
            out.append(
                _combined(
                    f"{dm_family}.22",
                    replaced or diabetes[:1],
                    "combination: diabetes with chronic kidney disease",
                )
            )
    heart_failure = _first(out, "I50")
    hypertension = _first(out, "I10", "I11", "I12", "I13")
    if hypertension is not None and (heart_failure is not None or ckd is not None):
        stage_five = ckd is not None and ckd.code in ("N18.5", "N18.6")
        if heart_failure is not None and ckd is not None:
            code, why = ("I13.2" if stage_five else "I13.0"), "hypertension with heart failure and CKD"
        elif heart_failure is not None:
            code, why = "I11.0", "hypertension with heart failure"
        else:
            code, why = ("I12.0" if stage_five else "I12.9"), "hypertension with CKD"
        replaced = [c for c in out if c.family in ("I10", "I11", "I12", "I13")]
        for c in replaced:
            out.remove(c)
        out.append(_combined(code, replaced, f"combination: {why}"))
    # Coronary atherosclerosis with angina (I.C.9.b: the "with" convention links them): I25.11x.
    angina = [c for c in out if c.code in ("I20.9", "I20.8", "I20.0", "I20.89")]
    native = [c for c in out if c.code == "I25.10"]
    if angina and native:
        unstable = any(c.code == "I20.0" for c in angina)
        for c in [*angina, *native]:
            out.remove(c)
        out.append(
            _combined(
                "I25.110" if unstable else "I25.119",
                [*native, *angina],
                "combination: coronary atherosclerosis with angina",
            )
        )
    # COPD with an acute lower respiratory infection (J44.0, with the infection coded too).
    copd = [c for c in out if c.family == "J44" and c.code != "J44.0"]
    infection = _first(out, "J18", "J15", "J13", "J14", "J12", "J16", "J20", "J22", "J69")
    if copd and infection is not None and not any(c.code == "J44.0" for c in out):
        unspecified = [c for c in copd if c.code == "J44.9"]
        for c in unspecified:
            out.remove(c)
        out.append(
            _combined(
                "J44.0", unspecified or copd[:1], "combination: COPD with acute lower respiratory infection"
            )
        )
    return out


DIABETES_WITH_FILE = Path(__file__).parent / "data" / "diabetes_with.tsv"
DIABETES_FAMILIES = ("E08", "E09", "E10", "E11", "E13")


@lru_cache(maxsize=1)
def diabetes_with() -> dict[str, str]:
    """Condition code -> the ending of the diabetes code the index gives "with" it (``data/diabetes_with.tsv``)."""
    return {code: ending for code, ending, *_ in tsv.rows(DIABETES_WITH_FILE)}


# Where a condition written apart from the diabetes list ("hypoglycemia managed with ..." in the
# course) is this encounter's: not reviews of systems, exams, labs or past histories.
DIABETES_WITH_SECTIONS = frozenset(
    ["assessment", "chief_complaint", "indication", "hospital_course", "hpi", "plan"]
)


def _stated_conditions(text: str, codes: set[str]) -> dict[str, list[Evidence]]:
    """Mentions of ``codes`` (lexicon phrases) asserted in this encounter's sections of the note."""
    doc = ClinicalText(text)
    found: dict[str, list[Evidence]] = {}
    for entry, start, end in default_lexicon().scan(text):
        section = doc.sections.at(start).kind
        if entry.code not in codes or section not in DIABETES_WITH_SECTIONS:
            continue
        context = doc.context(start, end)
        if (
            context.negated
            or context.historical
            or context.family
            or context.hypothetical
            or context.uncertain
        ):
            continue
        found.setdefault(entry.code, []).append(Evidence(start, end, text[start:end], section))
    return found


def apply_diabetes_with(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Diabetes with hyperglycemia, hypoglycemia, gastroparesis...: the combination code (E11.65) in
    place of the condition's own code (R73.9) and of the plain diabetes code (E11.9); a condition
    whose "code first" note names the combination code (gastroparesis, K31.84) keeps its own code."""
    out = list(candidates)
    families = [f for f in DIABETES_FAMILIES if any(c.family == f for c in out)]
    if not families:
        return out
    stated = _stated_conditions(text, set(diabetes_with()))
    for dm_family in families:
        diabetes = [c for c in out if c.family == dm_family]
        for condition_code, ending in diabetes_with().items():
            code = dm_family + ending
            condition = [c for c in out if c.code == condition_code]
            evidence = [e for c in condition for e in c.evidence] + stated.get(condition_code, [])
            if not evidence or not codeset.is_billable(code):
                continue
            plain = [c for c in out if c.code == f"{dm_family}.9"]
            # Gastroparesis (K31.84) says "code first ... diabetes (E11.43)": both are coded.
            kept = any(r.contains(code) for r in codeset.code_first(condition_code))
            for c in [*plain, *([] if kept else condition)]:
                out.remove(c)
            found = next((c for c in out if c.code == code), None)
            if found is None:
                why = f"combination: diabetes {codeset.title(code).split(' with ', 1)[-1].lower()}"
                found = _combined(code, plain or diabetes[:1], why)
                out.append(found)
            merged = _merge(found, [*([] if kept else condition), *plain])
            seen = {(e.start, e.end) for e in merged.evidence}
            extra = [e for e in evidence if (e.start, e.end) not in seen]
            out[out.index(found)] = replace(merged, evidence=[*merged.evidence, *extra])
    return out


_HYPOXIA = re.compile(r"\bhypox\w*|\bhypoxem\w*|\bdesaturat\w*", re.I)
_HYPERCAPNIA = re.compile(r"\bhypercapn\w*|\bhypercarb\w*|\bco2 retention\b", re.I)


def add_respiratory_failure_type(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Respiratory failure "unspecified whether with hypoxia or hypercapnia" takes the type the note documents."""
    if not any(c.family == "J96" and c.code.endswith("0") for c in candidates):
        return candidates
    doc = ClinicalText(text)

    def asserted(pattern: re.Pattern[str]) -> re.Match[str] | None:
        for match in pattern.finditer(text):
            if not doc.context(match.start(), match.end()).negated:
                return match
        return None

    out = []
    for candidate in candidates:
        if candidate.family == "J96" and candidate.code.endswith("0"):
            hypoxia, hypercapnia = asserted(_HYPOXIA), asserted(_HYPERCAPNIA)
            last = "3" if hypoxia and hypercapnia else "1" if hypoxia else "2" if hypercapnia else ""
            if last:
                code = candidate.code[:-1] + last
                found = hypoxia or hypercapnia
                evidence = Evidence(found.start(), found.end(), found.group(0), "note")
                candidate = replace(
                    candidate,
                    code=code,
                    title=codeset.title(code),
                    evidence=[*candidate.evidence, evidence],
                    notes=[
                        *candidate.notes,
                        "type of respiratory failure from the documented blood gas finding",
                    ],
                )
        out.append(candidate)
    return out


def add_alzheimer_dementia(candidates: list[Candidate]) -> list[Candidate]:
    """Alzheimer disease (G30) with dementia: F02.8x, not F03 ("use additional code" on G30)."""
    if not any(c.family == "G30" for c in candidates):
        return candidates
    dementia = [c for c in candidates if c.family == "F03"]
    out = [c for c in candidates if c.family != "F03"]
    if dementia and not any(c.family == "F02" for c in out):
        out.append(_combined("F02.80", dementia, "combination: dementia in Alzheimer disease"))
    return out


_LUTS = re.compile(
    r"\b(?:nocturia|urinary frequency|frequency|urgency|hesitancy|weak (?:urinary )?stream|retention|"
    r"incomplete (?:bladder )?emptying|lower urinary tract symptoms|luts|outlet obstruction|dribbling)\b",
    re.I,
)


def add_bph_symptoms(candidates: list[Candidate], text: str) -> list[Candidate]:
    """BPH with lower urinary tract symptoms is N40.1 (N40.0 is without them)."""
    bph = next((c for c in candidates if c.code == "N40.0"), None)
    if bph is None or _LUTS.search(text) is None:
        return candidates
    out = [c for c in candidates if c is not bph]
    upgraded = replace(bph, code="N40.1", title=codeset.title("N40.1"))
    upgraded.notes = [*bph.notes, "lower urinary tract symptoms documented"]
    return [*out, upgraded]


def add_associated_symptoms(candidates: list[Candidate], text: str) -> list[Candidate]:
    """The symptoms a diagnosis's "use additional code for associated symptoms" note lists, where
    the note states them anywhere (history, review of systems, course) and not negated, historical
    or about a relative: "BPH with LUTS" (N40.1) asks for the urinary frequency and nocturia the
    history describes. Symptom codes are otherwise taken only from where a diagnosis is stated."""
    wanting = [c for c in candidates if codeset.associated_symptoms(c.code)]
    if not wanting:
        return candidates
    out = list(candidates)
    present = {c.code for c in out}
    doc = ClinicalText(text)
    for entry, start, end in default_lexicon().scan(text):
        if entry.code in present:
            continue
        parent = next(
            (c for c in wanting if any(r.contains(entry.code) for r in codeset.associated_symptoms(c.code))),
            None,
        )
        if parent is None:
            continue
        context = doc.context(start, end)
        if context.negated or context.historical or context.family or context.hypothetical:
            continue
        evidence = Evidence(start, end, text[start:end], doc.sections.at(start).kind)
        why = f"use additional code: symptom associated with {parent.code}"
        out.append(
            Candidate(
                entry.code,
                codeset.title(entry.code),
                parent.score - 0.05,
                [evidence],
                why,
                "rule",
                principal_key=(9, 9, start),
            )
        )
        present.add(entry.code)
    return out


_INSULIN = re.compile(
    r"\b(?:insulin|lantus|humalog|novolog|levemir|nph|glargine|lispro|aspart|detemir)\b", re.I
)
_ORAL_HYPOGLYCEMIC = re.compile(
    r"\b(?:metformin|glucophage|glipizide|glucotrol|glyburide|glimepiride|amaryl|pioglitazone|actos|"
    r"sitagliptin|januvia|rosiglitazone|avandia|glucovance|janumet)\b",
    re.I,
)


def add_medication_status(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Z79.4 / Z79.84 for diabetes treated with insulin / oral drugs (the E11 "use additional code")."""
    diabetes = [c for c in candidates if c.family in ("E11", "E13")]
    if not diabetes:
        return candidates
    out = list(candidates)
    score = max(c.score for c in diabetes) - 0.05
    for code, pattern, why in (
        ("Z79.4", _INSULIN, "use additional code: long-term insulin use"),
        ("Z79.84", _ORAL_HYPOGLYCEMIC, "use additional code: long-term oral hypoglycemic use"),
    ):
        if any(c.code == code for c in out):
            continue
        match = pattern.search(text)
        if match is None:
            continue
        evidence = Evidence(match.start(), match.end(), text[match.start() : match.end()], "medications")
        out.append(
            Candidate(
                code, codeset.title(code), score, [evidence], why, "rule", principal_key=(9, 9, match.start())
            )
        )
    return out


_AGE = re.compile(r"\b(\d{1,3})[- ](day|week|month|year)s?[- ]old\b", re.I)
# A condition of a newborn (first 28 days) is coded in chapter 16 (P codes), not as in an adult.
NEWBORN_CODES = {
    "A41.9": "P36.9",
    "A41.89": "P36.8",
    "R17": "P59.9",
    "E80.7": "P59.9",
    "R06.03": "P22.9",
    "J96.90": "P28.5",
    "E16.2": "P70.4",
}


def age_in_days(text: str) -> int | None:
    """The patient's age from the first "N-day/week/month/year-old" of the note, in days."""
    match = _AGE.search(text)
    if match is None:
        return None
    per_unit = {"day": 1, "week": 7, "month": 30, "year": 365}
    return int(match.group(1)) * per_unit[match.group(2).lower()]


def apply_newborn_codes(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Sepsis, jaundice, respiratory distress... of a newborn take their perinatal (P) code."""
    age = age_in_days(text)
    if age is None or age > 28:
        return candidates
    out = []
    for candidate in candidates:
        code = NEWBORN_CODES.get(candidate.code)
        if code is not None and not any(c.code == code for c in out):
            candidate = replace(
                candidate,
                code=code,
                title=codeset.title(code),
                notes=[*candidate.notes, "newborn (28 days or younger): perinatal chapter"],
            )
        elif code is not None:
            continue
        out.append(candidate)
    return out


_BMI = re.compile(r"\b(?:BMI|body mass index)\b[^0-9\n]{0,20}(\d{2}(?:\.\d)?)", re.I)


def _bmi_code(bmi: float) -> str | None:
    if bmi < 20:
        return "Z68.1"
    if bmi < 40:
        return f"Z68.{int(bmi)}"
    for upper, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44")):
        if bmi < upper:
            return code
    return "Z68.45"


_RECEPTOR = re.compile(
    r"\b(?:ER|estrogen[- ]receptor)(?:[- ]?(?:and|/)[- ]?(?:PR|progesterone[- ]receptor))?"
    r"[- ]?(?:status )?(?:is )?(positive|negative|\+|-)",
    re.I,
)


def add_status_codes(candidates: list[Candidate], text: str) -> list[Candidate]:
    """The Z codes an instructional note asks for: Z68 (BMI) with obesity, Z17 with breast cancer."""
    out = list(candidates)
    obesity = [c for c in out if c.family == "E66"]
    bmi = _BMI.search(text)
    age = age_in_days(text)
    if obesity and bmi and (age is None or age >= 20 * 365) and not any(c.family == "Z68" for c in out):
        code = _bmi_code(float(bmi.group(1)))
        if code and codeset.is_billable(code):
            out.append(_status(code, obesity, bmi, text, "use additional code: body mass index"))
    cancer = [c for c in out if c.family == "C50"]
    receptor = _RECEPTOR.search(text)
    if cancer and receptor and not any(c.family == "Z17" for c in out):
        code = "Z17.0" if receptor.group(1).lower() in ("positive", "+") else "Z17.1"
        out.append(_status(code, cancer, receptor, text, "use additional code: estrogen receptor status"))
    return out


def _status(code: str, parts: list[Candidate], match: re.Match[str], text: str, why: str) -> Candidate:
    evidence = Evidence(match.start(), match.end(), text[match.start() : match.end()], "note")
    score = max(c.score for c in parts) - 0.05
    return Candidate(
        code, codeset.title(code), score, [evidence], why, "rule", principal_key=(9, 9, match.start())
    )


def keep_partners_together(candidates: list[Candidate], floor: float) -> list[Candidate]:
    """A "code first" / "use additional code" partner found in the note stays with its code.

    ``floor`` is the suggestion threshold: a partner under it is lifted to it, so the two
    are shown (or dropped) together.
    """
    present = {c.code: c for c in candidates}
    lifted: dict[str, float] = {}
    for candidate in candidates:
        if candidate.score < floor:
            continue
        for partner_range in (*codeset.code_first(candidate.code), *codeset.use_additional(candidate.code)):
            for code, partner in present.items():
                if code != candidate.code and partner_range.contains(code) and partner.score < floor:
                    lifted[code] = floor
    return [replace(c, score=lifted[c.code]) if c.code in lifted else c for c in candidates]


def resolve_excludes1(candidates: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        clash = next((k for k in kept if codeset.excludes_each_other(k.code, candidate.code)), None)
        if clash is None:
            kept.append(candidate)
    order = {id(c): i for i, c in enumerate(candidates)}
    return sorted(kept, key=lambda c: order[id(c)])


def sequence(candidates: list[Candidate]) -> list[Candidate]:
    """Principal diagnosis first, then by confidence; a "code first" code moves before its partner."""
    if not candidates:
        return []
    eligible = [c for c in candidates if not c.code.startswith("Z")] or candidates
    principal = min(eligible, key=lambda c: (c.principal_key, -c.score))
    rest = sorted((c for c in candidates if c is not principal), key=lambda c: -c.score)
    ordered = [principal, *rest]
    for _ in range(len(ordered)):
        moved = False
        for index, candidate in enumerate(ordered):
            for earlier_range in codeset.code_first(candidate.code):
                later = next(
                    (j for j in range(index + 1, len(ordered)) if earlier_range.contains(ordered[j].code)),
                    None,
                )
                if later is not None:
                    ordered.insert(index, ordered.pop(later))
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return ordered


# An unspecified manifestation the note ties to a drug has a drug-induced code:
# (code after antineoplastic chemotherapy, code after any other drug or None).
DRUG_MANIFESTATIONS = {
    "D64.9": ("D64.81", None),
    "G62.9": ("G62.0", "G62.0"),
    "D70.9": ("D70.1", "D70.2"),
    "D61.818": ("D61.810", "D61.811"),
    "D69.6": ("D69.59", "D69.59"),
    "I42.9": ("I42.7", "I42.7"),
    "E16.2": ("E16.0", "E16.0"),
}
_SAME_STATEMENT = 120  # characters between the manifestation and the drug it is blamed on
_STATEMENT_BREAK = re.compile(r"\n\s*\n|\n\s*\d{1,2}[.)]\s|[.;]\s")


def apply_drug_manifestations(candidates: list[Candidate], text: str) -> list[Candidate]:
    """ "Anemia secondary to chemotherapy": D64.81 beside T45.1X5A, not D64.9."""
    effects = [c for c in candidates if c.code.startswith("T") and len(c.code) == 8 and c.code[6] == "5"]
    if not effects:
        return candidates
    out = []
    for candidate in candidates:
        codes = DRUG_MANIFESTATIONS.get(candidate.code)
        near = [
            e
            for e in effects
            if codes
            and any(
                abs(a.start - b.start) <= _SAME_STATEMENT
                and not _STATEMENT_BREAK.search(text, min(a.start, b.start), max(a.end, b.end))
                for a in candidate.evidence
                for b in e.evidence
            )
        ]
        if not near:
            out.append(candidate)
            continue
        chemo = any(e.code.startswith("T45.1X") for e in near)
        code = codes[0] if chemo else codes[1]
        if code is None:
            out.append(candidate)
            continue
        out.append(
            replace(
                candidate,
                code=code,
                title=codeset.title(code),
                notes=[*candidate.notes, f"drug-induced: tied to {near[0].code} in the same statement"],
            )
        )
    return _merge_same_codes(out)


# A pleural effusion the note ties, in one statement, to a condition classified elsewhere ("CHF
# with pleural effusion", "effusion from pneumonia") is J91.8, "Pleural effusion in other conditions
# classified elsewhere" (J90 is "not elsewhere classified"; J91.8: code first the underlying disease).
EFFUSION_CAUSES = ("I50", "I11", "I13", "J12", "J13", "J14", "J15", "J16", "J17", "J18")


def _same_statement(text: str, a: Candidate, b: Candidate) -> bool:
    return any(
        abs(x.start - y.start) <= _SAME_STATEMENT
        and not _STATEMENT_BREAK.search(text, min(x.start, y.start), max(x.end, y.end))
        for x in a.evidence
        for y in b.evidence
    )


def apply_effusion_in_other_conditions(candidates: list[Candidate], text: str) -> list[Candidate]:
    causes = [c for c in candidates if c.family in EFFUSION_CAUSES]
    out = []
    for candidate in candidates:
        if candidate.code == "J90" and any(_same_statement(text, candidate, c) for c in causes):
            candidate = replace(
                candidate,
                code="J91.8",
                title=codeset.title("J91.8"),
                notes=[
                    *candidate.notes,
                    "effusion of a condition classified elsewhere, in the same statement",
                ],
            )
        out.append(candidate)
    return _merge_same_codes(out)


_HF_SYSTOLIC = re.compile(
    r"\bsystolic\b(?!\s+(?:ejection|murmur|blood|pressure|bp|function\s+(?:is\s+)?normal))", re.I
)
_HF_DIASTOLIC = re.compile(r"\bdiastolic\b(?!\s+(?:murmur|blood|pressure|bp))", re.I)
_HF_ACUITY = (
    ("3", re.compile(r"\bacute[- ]on[- ]chronic\b", re.I)),
    ("1", re.compile(r"\bacute\b", re.I)),
    ("2", re.compile(r"\bchronic\b", re.I)),
)
_STATEMENT_END = re.compile(r"\n\s*\n|\n\s*\d{1,2}[.)]\s|\.\s+[A-Z]")


def refine_heart_failure_type(candidates: list[Candidate], text: str) -> list[Candidate]:
    """ "Congestive heart failure ... possibly systolic": the type written later in the same statement
    (I50.2- systolic, I50.3- diastolic, I50.4- both), with its acuity, replaces I50.9."""
    out = []
    for candidate in candidates:
        if candidate.code != "I50.9":
            out.append(candidate)
            continue
        code = None
        for item in candidate.evidence:
            end = _STATEMENT_END.search(text, item.end, item.end + 150)
            statement = text[item.start : end.start() if end else item.end + 150]
            systolic, diastolic = _HF_SYSTOLIC.search(statement), _HF_DIASTOLIC.search(statement)
            if not (systolic or diastolic):
                continue
            kind = "4" if systolic and diastolic else "2" if systolic else "3"
            acuity = next((a for a, pattern in _HF_ACUITY if pattern.search(statement)), "0")
            code = f"I50.{kind}{acuity}"
            break
        if code is None or not codeset.is_billable(code):
            out.append(candidate)
            continue
        out.append(
            replace(
                candidate,
                code=code,
                title=codeset.title(code),
                notes=[*candidate.notes, "type from the statement"],
            )
        )
    return _merge_same_codes(out)


# What the rest of a statement says about an unspecified code: (code, pattern, specific code), first match wins.
STATEMENT_REFINEMENTS = (
    ("D64.9", re.compile(r"\bchronic blood loss\b", re.I), "D50.0"),
    (
        "D64.9",
        re.compile(r"\bblood loss\b|\b(?:secondary|due) to\b[^.;]{0,40}\b(?:bleed\w*|hemorrhag\w*)", re.I),
        "D62",
    ),
)


def refine_from_statement(candidates: list[Candidate], text: str) -> list[Candidate]:
    """ "Anemia due to operative blood loss": D62, not D64.9 (``STATEMENT_REFINEMENTS``)."""
    out = []
    for candidate in candidates:
        refined = None
        for code, pattern, specific in STATEMENT_REFINEMENTS:
            if candidate.code != code or refined:
                continue
            for item in candidate.evidence:
                end = _STATEMENT_END.search(text, item.end, item.end + 150)
                if pattern.search(text, item.start, end.start() if end else item.end + 150):
                    refined = specific
                    break
        if refined is None:
            out.append(candidate)
        else:
            note = f"{refined} from the statement"
            out.append(
                replace(candidate, code=refined, title=codeset.title(refined), notes=[*candidate.notes, note])
            )
    return _merge_same_codes(out)


def apply_rules(candidates: list[Candidate], text: str, threshold: float) -> list[Candidate]:
    """All the rules in order; returns the suggestions at or above ``threshold``, sequenced."""
    steps = ensure_billable(candidates)
    steps = refine_heart_failure_type(steps, text)
    steps = refine_from_statement(steps, text)
    steps = apply_combinations(steps)
    steps = apply_drug_manifestations(steps, text)
    steps = apply_diabetes_with(steps, text)
    steps = apply_effusion_in_other_conditions(steps, text)
    steps = add_bph_symptoms(steps, text)
    steps = add_associated_symptoms(steps, text)
    steps = add_respiratory_failure_type(steps, text)
    steps = add_alzheimer_dementia(steps)
    steps = add_medication_status(steps, text)
    steps = add_status_codes(steps, text)
    steps = apply_newborn_codes(steps, text)
    steps = keep_partners_together(steps, threshold)
    steps = [c for c in steps if c.score >= threshold]
    # Only a specific code that is itself suggested may replace the unspecified one.
    steps = prefer_specific(steps)
    steps = resolve_excludes1(steps)
    return sequence(steps)
