"""Round 5 (knowledge base 2026.11.8): Sepsis-3 / SOFA organ dysfunction read from the note's
values (creatinine, platelets, bilirubin at the SOFA 2-point thresholds, kept in kb.json with their
sources), and a BMI calculated from a stated height and weight where the note gives no BMI."""

from __future__ import annotations

from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from tests.clinical.notes import note, pairs

SEPSIS = ("undocumented_diagnosis", "sepsis")


def test_the_knowledge_base_is_the_round_5_version():
    assert tuple(map(int, default_knowledge().version.split("."))) >= (2026, 11, 8)  # numeric: 11.10 > 11.9


def test_the_sofa_thresholds_are_data_with_their_sources():
    k = default_knowledge().get("undocumented_diagnosis", "sepsis")
    sofa = {(c.indicator, c.op, c.value) for c in k.criteria if c.indicator in k.extra["sofa_indicators"]}
    # round 6 (2026.11.9) added the respiration and CNS components (tests/clinical/test_round_6_...)
    assert sofa >= {("creatinine", ">=", 2.0), ("platelets", "<", 100), ("bilirubin", ">=", 2.0)}
    assert all("Singer" in c.source for c in k.criteria if c.indicator in k.extra["sofa_indicators"])


def infected(labs: str, pmh: str = "", vitals: str = "Temperature 38.6. Heart rate 112.") -> str:
    # two SIRS criteria (temperature, heart rate): a sepsis query at 0.7 without organ dysfunction
    return note(
        hpi="He has pneumonia. " + vitals,
        labs=labs,
        pmh=pmh,
        assessment="Community-acquired pneumonia.",
        plan="Ceftriaxone and azithromycin.",
    )


def sepsis_confidence(text: str) -> float | None:
    return next((f.confidence for f in detect(text) if (f.category, f.condition) == SEPSIS), None)


WITHOUT_ORGAN_DYSFUNCTION = 0.7
WITH_ORGAN_DYSFUNCTION = 0.85


def test_two_sirs_criteria_without_organ_dysfunction_are_the_plain_query():
    assert sepsis_confidence(infected("Creatinine 1.0. Platelets 250.")) == WITHOUT_ORGAN_DYSFUNCTION


def test_creatinine_at_2_0_is_renal_organ_dysfunction():
    assert sepsis_confidence(infected("Creatinine 2.0. Platelets 250.")) == WITH_ORGAN_DYSFUNCTION


def test_creatinine_at_1_9_is_below_the_sofa_threshold():
    assert sepsis_confidence(infected("Creatinine 1.9. Platelets 250.")) == WITHOUT_ORGAN_DYSFUNCTION


def test_platelets_at_99_are_coagulation_organ_dysfunction():
    assert sepsis_confidence(infected("Creatinine 1.0. Platelets 99.")) == WITH_ORGAN_DYSFUNCTION


def test_platelets_at_100_are_below_the_sofa_threshold():
    assert sepsis_confidence(infected("Creatinine 1.0. Platelets 100.")) == WITHOUT_ORGAN_DYSFUNCTION


def test_bilirubin_at_2_0_is_liver_organ_dysfunction_and_1_9_is_not():
    assert sepsis_confidence(infected("Total bilirubin 2.0.")) == WITH_ORGAN_DYSFUNCTION
    assert sepsis_confidence(infected("Total bilirubin 1.9.")) == WITHOUT_ORGAN_DYSFUNCTION


def test_a_creatinine_rise_to_2_or_more_counts():
    assert sepsis_confidence(infected("Creatinine 1.1, increased to 2.3.")) == WITH_ORGAN_DYSFUNCTION


def test_a_high_creatinine_with_documented_ckd_is_not_acute_organ_dysfunction():
    text = infected("Creatinine 2.4.", pmh="Chronic kidney disease stage 3.")
    assert sepsis_confidence(text) == WITHOUT_ORGAN_DYSFUNCTION


def test_low_platelets_with_documented_cirrhosis_are_not_acute_organ_dysfunction():
    assert sepsis_confidence(infected("Platelets 80.", pmh="Cirrhosis.")) == WITHOUT_ORGAN_DYSFUNCTION


def test_organ_dysfunction_beside_one_sirs_criterion_is_no_query_by_the_rules():
    assert sepsis_confidence(infected("Creatinine 2.5. Platelets 60.", vitals="Temperature 38.6.")) is None


def test_organ_dysfunction_without_antibiotics_is_no_sepsis_query():
    text = note(
        hpi="He has pneumonia. Temperature 38.6. Heart rate 112.", labs="Creatinine 2.5.", plan="Rest."
    )
    assert SEPSIS not in pairs(detect(text))


def test_the_organ_value_is_cited_as_evidence():
    finding = next(f for f in detect(infected("Creatinine 2.0.")) if (f.category, f.condition) == SEPSIS)
    assert any(i.name == "creatinine" and i.value == 2.0 for i in finding.indicators)
    assert "Creatinine 2.0" in {s.text for s in finding.evidence}


def test_a_low_platelet_count_of_the_past_medical_history_is_no_organ_dysfunction():
    text = infected("Platelets 250.", pmh="Thrombocytopenia with platelets of 60 in 2015, resolved.")
    assert sepsis_confidence(text) == WITHOUT_ORGAN_DYSFUNCTION


def test_an_earlier_high_creatinine_beside_a_normal_one_is_no_organ_dysfunction():
    assert sepsis_confidence(infected("Creatinine 1.0 (was 2.5 in 2019).")) == WITHOUT_ORGAN_DYSFUNCTION


def test_organ_dysfunction_counts_only_for_an_infection_that_is_a_current_problem():
    text = note(
        hpi="She had pneumonia treated with ceftriaxone. Temperature 38.6. Heart rate 112.",
        labs="Platelets 80.",
        assessment="Chronic fatigue.",
    )
    assert sepsis_confidence(text) == WITHOUT_ORGAN_DYSFUNCTION


MORBID_OBESITY = ("undocumented_diagnosis", "morbid_obesity")
MALNUTRITION = ("undocumented_diagnosis", "malnutrition")


def bmi_of(text: str):
    from cdi.clinical.facts import NoteFacts

    return NoteFacts(text).values("bmi")


def obese(vitals: str) -> str:
    return note(hpi=vitals, assessment="Knee sprain.", plan="Ice and rest.")  # no comorbidity


def test_bmi_40_0_calculated_from_height_and_weight_is_a_morbid_obesity_query():
    assert MORBID_OBESITY in pairs(detect(obese("Height 170 cm, weight 115.6 kg.")))


def test_bmi_39_9_calculated_from_height_and_weight_is_not():
    assert MORBID_OBESITY not in pairs(detect(obese("Height 1.70 m, weight 115.3 kg.")))


def test_the_calculated_bmi_is_a_structured_indicator_with_its_derivation_and_both_spans():
    text = obese("Height 170 cm, weight 115.6 kg.")
    finding = next(f for f in detect(text) if (f.category, f.condition) == MORBID_OBESITY)
    bmi = next(i for i in finding.indicators if i.name == "bmi")
    assert (bmi.value, bmi.unit) == (40.0, "kg/m2")
    assert bmi.derivation == "calculated from height 170 cm and weight 115.6 kg"
    spans = {s.text for s in finding.evidence}
    assert {"Height 170 cm", "weight 115.6 kg."} <= spans


def test_feet_inches_and_pounds_are_converted():
    assert [m.value for m in bmi_of("Height: 5'7\" Weight: 256 lbs")] == [40.1]
    assert [m.value for m in bmi_of("He is 5 feet 7 inches tall and weighs 254 pounds.")] == [39.8]
    assert [m.value for m in bmi_of("Height 67 inches. Weight 116 kg.")] == [40.1]


def test_a_stated_bmi_is_not_replaced_by_a_calculated_one():
    assert [m.value for m in bmi_of("Height 170 cm, weight 115.6 kg, BMI 38.")] == [38]


def test_a_past_or_usual_weight_gives_no_bmi():
    assert bmi_of("Height 170 cm. He weighed 300 lb before his gastric bypass.") == []
    assert bmi_of("Height 170 cm. Usual weight 120 kg.") == []
    assert bmi_of("Weight loss of 20 lb. Height 170 cm.") == []


def test_height_or_weight_alone_or_without_units_gives_no_bmi():
    assert bmi_of("Weight 115 kg.") == []
    assert bmi_of("Height 170, weight 115.") == []


def test_a_child_gets_no_calculated_bmi():
    assert bmi_of("A 12-year-old boy. Height 150 cm, weight 95 kg.") == []


def test_a_calculated_bmi_under_18_5_feeds_the_malnutrition_criteria():
    text = note(
        hpi="Height 5 ft 10 in, weight 120 lb.",
        assessment="Poor oral intake.",
        plan="Dietitian consult; Ensure supplements three times daily.",
    )
    finding = next(f for f in detect(text) if (f.category, f.condition) == MALNUTRITION)
    assert any(i.name == "bmi" and i.value == 17.2 for i in finding.indicators)


def test_feet_and_inches_joined_by_and_are_read():
    assert [m.value for m in bmi_of("He weighs 260 pounds and is 5 feet and 10 inches tall.")] == [37.3]


def test_a_calculated_bmi_of_35_to_40_with_a_comorbidity_is_only_a_candidate():
    text = note(hpi="Height 170 cm, weight 110 kg.", assessment="Obstructive sleep apnea.", plan="CPAP.")
    assert MORBID_OBESITY not in pairs(detect(text))


def test_a_stated_bmi_of_35_to_40_with_a_comorbidity_is_still_a_query():
    text = note(hpi="BMI 38.1.", assessment="Obstructive sleep apnea.", plan="CPAP.")
    assert MORBID_OBESITY in pairs(detect(text))
