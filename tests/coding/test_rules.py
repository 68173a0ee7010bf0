from __future__ import annotations

from coding import codeset
from coding.candidates import Candidate, Evidence
from coding.rules import (
    apply_combinations,
    apply_rules,
    ensure_billable,
    keep_partners_together,
    prefer_specific,
    resolve_excludes1,
    sequence,
)


def cand(code: str, score: float = 0.9, key: tuple = (4, 0, 0), start: int = 0) -> Candidate:
    return Candidate(
        code=code,
        title=codeset.title(code),
        score=score,
        evidence=[Evidence(start, start + 3, "abc", "assessment")],
        why="test",
        principal_key=key,
    )


def codes(candidates: list[Candidate]) -> list[str]:
    return [c.code for c in candidates]


def test_it_knows_billable_codes_from_categories():
    assert codeset.is_billable("E11.22")
    assert codeset.is_billable("E1122")
    assert not codeset.is_billable("E11")
    assert not codeset.is_billable("I50")
    assert not codeset.is_billable("S72.001")  # needs its 7th character
    assert codeset.is_billable("S72.001A")


def test_it_drops_non_billable_codes_without_a_single_reading():
    assert codes(ensure_billable([cand("I50"), cand("J18.9")])) == ["J18.9"]


def test_it_adds_the_seventh_character_with_placeholders():
    assert codeset.needs_seventh_character("S72.001")
    assert codeset.with_seventh_character("S02.0") == "S02.0XXA"
    assert codeset.with_seventh_character("T38.0X5") == "T38.0X5A"
    fixed = ensure_billable([cand("S72.001")])
    assert codes(fixed) == ["S72.001A"]
    assert "7th character A" in fixed[0].notes[0]


def test_it_reads_excludes1_pairs_from_the_code_and_its_ancestors():
    # E11 excludes1 type 1 diabetes (E10.-); the note is on the category, not the leaf.
    assert codeset.excludes_each_other("E11.9", "E10.9")
    assert codeset.excludes_each_other("E10.9", "E11.65")
    assert not codeset.excludes_each_other("E11.9", "I10")


def test_it_never_suggests_an_excludes1_pair_together():
    kept = resolve_excludes1([cand("E10.9", 0.6), cand("E11.9", 0.9), cand("I10", 0.8)])
    assert codes(kept) == ["E11.9", "I10"]


def test_it_prefers_diabetes_with_ckd_as_a_combination_code():
    combined = apply_combinations([cand("E11.9"), cand("N18.30"), cand("J18.9")])
    assert sorted(codes(combined)) == ["E11.22", "J18.9", "N18.30"]
    e1122 = next(c for c in combined if c.code == "E11.22")
    assert e1122.why.startswith("combination")
    assert e1122.evidence  # keeps the evidence of the diabetes mention


def test_it_combines_hypertension_with_heart_failure():
    assert sorted(codes(apply_combinations([cand("I10"), cand("I50.9")]))) == ["I11.0", "I50.9"]


def test_it_combines_hypertension_with_ckd_and_heart_failure():
    assert sorted(codes(apply_combinations([cand("I10"), cand("I50.20"), cand("N18.4")]))) == [
        "I13.0",
        "I50.20",
        "N18.4",
    ]
    assert sorted(codes(apply_combinations([cand("I10"), cand("N18.6")]))) == ["I12.0", "N18.6"]
    assert sorted(codes(apply_combinations([cand("I10"), cand("N18.9")]))) == ["I12.9", "N18.9"]


def test_it_reads_code_first_and_use_additional_notes():
    assert any(r.contains("I11.0") for r in codeset.code_first("I50.9"))
    assert any(r.contains("N18.4") for r in codeset.use_additional("E11.22"))
    assert not any(r.contains("N18.9") for r in codeset.use_additional("E11.22"))


def test_it_keeps_a_use_additional_partner_with_its_code():
    # The CKD stage found in the note, though weakly, is kept with E11.22.
    lifted = keep_partners_together([cand("E11.22", 0.9), cand("N18.4", 0.3), cand("J18.9", 0.3)], 0.5)
    scores = {c.code: c.score for c in lifted}
    assert scores["N18.4"] == 0.5
    assert scores["J18.9"] == 0.3


def test_it_sequences_the_code_first_code_before_its_partner():
    # Heart failure is the principal mention, but I50 says "code first" hypertensive heart disease.
    ordered = sequence([cand("I50.9", 0.9, key=(0, 0, 0)), cand("I11.0", 0.8, key=(2, 0, 10)), cand("J44.9")])
    assert codes(ordered)[:2] == ["I11.0", "I50.9"]


def test_it_puts_the_principal_diagnosis_first():
    ordered = sequence(
        [cand("J44.9", 0.95, key=(2, 0, 50)), cand("J18.9", 0.7, key=(0, 0, 10)), cand("Z79.4")]
    )
    assert codes(ordered)[0] == "J18.9"


def test_it_replaces_an_unspecified_code_with_a_specific_sibling():
    assert codes(prefer_specific([cand("I50.9"), cand("I50.21")])) == ["I50.21"]


def test_apply_rules_runs_them_together():
    text = "Diabetes on insulin."
    result = apply_rules([cand("E11.9", key=(0, 0, 0)), cand("N18.4"), cand("E10.9", 0.55)], text, 0.5)
    assert codes(result)[0] == "E11.22"
    assert "N18.4" in codes(result)
    assert "E10.9" not in codes(result)  # Excludes1 with E11.22
    assert "Z79.4" in codes(result)  # use additional code: insulin
    for suggestion in result:
        assert codeset.is_billable(suggestion.code)


def test_it_takes_the_respiratory_failure_type_from_the_note_unless_negated():
    from coding.rules import add_respiratory_failure_type

    assert codes(add_respiratory_failure_type([cand("J96.00")], "She was hypoxic on 4 L.")) == ["J96.01"]
    assert codes(add_respiratory_failure_type([cand("J96.90")], "pCO2 high: hypercapnia.")) == ["J96.92"]
    assert codes(add_respiratory_failure_type([cand("J96.00")], "There was no hypoxia.")) == ["J96.00"]


def test_it_codes_dementia_with_alzheimer_disease_as_f02():
    from coding.rules import add_alzheimer_dementia

    assert sorted(codes(add_alzheimer_dementia([cand("G30.9"), cand("F03.90")]))) == ["F02.80", "G30.9"]
    assert codes(add_alzheimer_dementia([cand("F03.90")])) == ["F03.90"]


def test_it_finds_the_sibling_for_a_documented_side():
    assert codeset.lateral_variant("C50.919", "right") == "C50.911"
    assert codeset.lateral_variant("M25.519", "left") == "M25.512"
    assert codeset.lateral_variant("I10", "left") is None


def test_it_combines_coronary_atherosclerosis_with_angina():
    assert codes(apply_combinations([cand("I25.10"), cand("I20.9")])) == ["I25.119"]
    assert codes(apply_combinations([cand("I25.10"), cand("I20.0")])) == ["I25.110"]
    assert codes(apply_combinations([cand("I25.10")])) == ["I25.10"]


def test_a_newborns_sepsis_and_jaundice_take_perinatal_codes():
    from coding.rules import apply_newborn_codes

    newborn = "This is a 3-week-old boy admitted to rule out sepsis."
    assert codes(apply_newborn_codes([cand("A41.9"), cand("R17")], newborn)) == ["P36.9", "P59.9"]
    adult = "This is a 63-year-old man with sepsis."
    assert codes(apply_newborn_codes([cand("A41.9")], adult)) == ["A41.9"]
    assert codes(apply_newborn_codes([cand("A41.9")], "Sepsis.")) == ["A41.9"]  # no age: as written


def test_it_adds_bmi_with_obesity_and_receptor_status_with_breast_cancer():
    from coding.rules import add_status_codes

    text = "A 45-year-old woman, BMI of 42.3, morbid obesity. Breast cancer, ER positive, PR negative."
    found = codes(add_status_codes([cand("E66.01"), cand("C50.911")], text))
    assert "Z68.41" in found and "Z17.0" in found
    assert codes(add_status_codes([cand("I10")], text)) == ["I10"]  # no obesity, no cancer: no Z code
    child = "A 12-year-old with obesity, BMI 31."
    assert "Z68.31" not in codes(add_status_codes([cand("E66.9")], child))  # adult BMI codes only
