"""Round 5 (knowledge base 2026.11.8): Sepsis-3 / SOFA organ dysfunction read from the note's
values (creatinine, platelets, bilirubin at the SOFA 2-point thresholds, kept in kb.json with their
sources), and a BMI calculated from a stated height and weight where the note gives no BMI."""

from __future__ import annotations

from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from tests.clinical.notes import note, pairs

SEPSIS = ("undocumented_diagnosis", "sepsis")


def test_the_knowledge_base_is_the_round_5_version():
    assert default_knowledge().version == "2026.11.8"


def test_the_sofa_thresholds_are_data_with_their_sources():
    k = default_knowledge().get("undocumented_diagnosis", "sepsis")
    sofa = {(c.indicator, c.op, c.value) for c in k.criteria if c.indicator in k.extra["sofa_indicators"]}
    assert sofa == {("creatinine", ">=", 2.0), ("platelets", "<", 100), ("bilirubin", ">=", 2.0)}
    assert all("Singer" in c.source for c in k.criteria if c.indicator in k.extra["sofa_indicators"])


def infected(labs: str, pmh: str = "") -> str:
    # one SIRS criterion (temperature) only: without organ dysfunction this is no sepsis query
    return note(
        hpi="He has pneumonia. Temperature 38.6.",
        labs=labs,
        pmh=pmh,
        assessment="Community-acquired pneumonia.",
        plan="Ceftriaxone and azithromycin.",
    )


def test_one_sirs_criterion_alone_is_no_sepsis_query():
    assert SEPSIS not in pairs(detect(infected("Creatinine 1.0. Platelets 250.")))


def test_creatinine_at_2_0_is_renal_organ_dysfunction():
    assert SEPSIS in pairs(detect(infected("Creatinine 2.0. Platelets 250.")))


def test_creatinine_at_1_9_is_below_the_sofa_threshold():
    assert SEPSIS not in pairs(detect(infected("Creatinine 1.9. Platelets 250.")))


def test_platelets_at_99_are_coagulation_organ_dysfunction():
    assert SEPSIS in pairs(detect(infected("Creatinine 1.0. Platelets 99.")))


def test_platelets_at_100_are_below_the_sofa_threshold():
    assert SEPSIS not in pairs(detect(infected("Creatinine 1.0. Platelets 100.")))


def test_bilirubin_at_2_0_is_liver_organ_dysfunction_and_1_9_is_not():
    assert SEPSIS in pairs(detect(infected("Total bilirubin 2.0.")))
    assert SEPSIS not in pairs(detect(infected("Total bilirubin 1.9.")))


def test_a_creatinine_rise_to_2_or_more_counts():
    assert SEPSIS in pairs(detect(infected("Creatinine 1.1, increased to 2.3.")))


def test_a_high_creatinine_with_documented_ckd_is_not_acute_organ_dysfunction():
    text = infected("Creatinine 2.4.", pmh="Chronic kidney disease stage 3.")
    assert SEPSIS not in pairs(detect(text))


def test_low_platelets_with_documented_cirrhosis_are_not_acute_organ_dysfunction():
    assert SEPSIS not in pairs(detect(infected("Platelets 80.", pmh="Cirrhosis.")))


def test_organ_dysfunction_without_antibiotics_is_no_sepsis_query():
    text = note(hpi="He has pneumonia. Temperature 38.6.", labs="Creatinine 2.5.", plan="Follow up.")
    assert SEPSIS not in pairs(detect(text))


def test_organ_dysfunction_without_any_sirs_criterion_is_no_sepsis_query():
    text = note(hpi="He has pneumonia.", labs="Creatinine 2.5.", plan="Ceftriaxone.")
    assert SEPSIS not in pairs(detect(text))


def test_the_organ_value_is_cited_as_evidence():
    finding = next(f for f in detect(infected("Creatinine 2.0.")) if (f.category, f.condition) == SEPSIS)
    assert any("2.0" in str(i) for i in finding.indicators)
