"""Round-4 criteria (knowledge base 2026.11.6), taken from batch 7's misses and the spec as
classes: values dictated before their analyte or after a word of state ("a 15,000 white count",
"desaturated to 82%", "spiked to 39.4"), hypoxemia on room air with signs of distress as the
clinical criteria of respiratory failure, pediatric growth indicators of malnutrition, and an
assessed problem or an admission as the evidence that a finding mattered (UHDDS). Each is tested
at its edges: the look-alike that must not read, the indicator without that evidence."""

from __future__ import annotations

import pytest

from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from cdi.clinical.values import extract_measurements
from tests.clinical.notes import note, pairs

SEPSIS = ("undocumented_diagnosis", "sepsis")
RESPIRATORY = ("undocumented_diagnosis", "acute_respiratory_failure")
MALNUTRITION = ("undocumented_diagnosis", "malnutrition")
ENCEPHALOPATHY = ("undocumented_diagnosis", "encephalopathy")


def read(text: str) -> list[tuple[str, float]]:
    return [(m.name, m.value) for m in extract_measurements(text)]


def test_the_knowledge_base_is_round_4():
    assert tuple(map(int, default_knowledge().version.split("."))) >= (2026, 11, 6)  # numeric: 11.10 > 11.9


# --- values before their analyte, or after a word of state -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Outside results: 17.9 for WBC and 131 for sodium.", [("wbc", 17.9), ("sodium", 131)]),
        ("He arrived with a 16,000 white count.", [("wbc", 16.0)]),
        ("A 75K platelet count was noted.", [("platelets", 75.0)]),
        ("The child had a 103.1 fever at home.", [("temperature", 103.1)]),
        ("She ran a 39.6-degree fever.", [("temperature", 39.6)]),
        ("Overnight he spiked to 101.9.", [("temperature", 101.9)]),
        ("She was febrile up to 102.2.", [("temperature", 102.2)]),
        ("Tachycardic in the 140s.", [("heart_rate", 140)]),
        ("He desaturated to 83% while walking.", [("spo2", 83)]),
        ("Oxygen saturation dropped to the mid 80s on room air.", [("spo2", 85)]),
    ],
)
def test_a_value_before_its_analyte_or_after_a_word_of_state_is_read(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Cerebrospinal fluid: 3 RBC, 1WBC, protein 30.",  # a cell count, not the blood count
        "Urinalysis with 10 WBC/hpf.",
        "Urine 5-10 WBC per high power field.",
        "Hypoxic, on 2 liters by nasal cannula.",  # a saturation needs its percent sign
        "Desaturations 4 times overnight.",
        "He remained afebrile at 98.6.",
        "Febrile illness 2 weeks ago.",
        "Tachycardic, 3 episodes overnight.",
    ],
)
def test_look_alikes_of_these_forms_are_no_value(text):
    assert [name for name, _ in read(text) if name in ("wbc", "spo2", "temperature", "heart_rate")] == []


def test_a_heart_rate_that_spiked_is_not_a_temperature():
    assert read("Heart rate spiked to 104.") == [("heart_rate", 104)]


def test_a_white_count_dictated_after_its_value_completes_the_sirs_criteria():
    text = note(
        hpi="Cellulitis of the thigh. Temperature 102.6 in the emergency room.",
        labs="Transfer labs: 16.4 for WBC.",
        assessment="Cellulitis.",
        plan="IV clindamycin.",
    )
    assert SEPSIS in pairs(detect(text))


# --- respiratory failure: hypoxemia on room air with distress --------------------------------

DISTRESSED = "Moderate respiratory distress, speaking in short sentences."


def test_hypoxemia_on_room_air_with_two_signs_of_distress_is_respiratory_failure_not_documented():
    text = note(hpi=DISTRESSED, labs="Pulse oximetry 84% on room air.", assessment="Dyspnea.")
    assert RESPIRATORY in pairs(detect(text))


def test_hypoxemia_with_one_sign_of_distress_and_no_support_is_no_gap():
    text = note(
        hpi="Mild respiratory distress.", labs="Pulse oximetry 84% on room air.", assessment="Dyspnea."
    )
    assert RESPIRATORY not in pairs(detect(text))


def test_a_saturation_measured_on_oxygen_with_distress_and_no_support_is_no_gap():
    text = note(hpi=DISTRESSED, labs="Pulse oximetry 89% on 2 liters.", assessment="Dyspnea.")
    assert RESPIRATORY not in pairs(detect(text))


def test_distress_with_a_normal_saturation_is_no_gap():
    text = note(hpi=DISTRESSED, labs="Pulse oximetry 95% on room air.", assessment="Dyspnea.")
    assert RESPIRATORY not in pairs(detect(text))


def test_a_child_with_hypoxemia_and_distress_but_no_support_is_left_to_the_support_rule():
    text = (
        "HISTORY OF PRESENT ILLNESS: A 4-year-old boy with wheezing. " + DISTRESSED + "\n\n"
        "LABORATORY DATA: Pulse oximetry 88% on room air.\n\nASSESSMENT: Asthma.\n"
    )
    assert RESPIRATORY not in pairs(detect(text))


def test_respiratory_failure_documented_closes_the_distress_class():
    text = note(
        hpi=DISTRESSED,
        labs="Pulse oximetry 84% on room air.",
        assessment="Acute hypoxic respiratory failure.",
    )
    assert RESPIRATORY not in pairs(detect(text))


def test_cyanosis_in_a_cardiac_arrest_on_the_ventilator_is_no_distress_sign_for_the_support_rule():
    text = note(hpi="Found cyanotic and pulseless; intubated in the field.", assessment="Cardiac arrest.")
    assert RESPIRATORY not in pairs(detect(text))


# --- malnutrition: an assessed growth or nutrition problem and a second indicator ---------------


def infant(hpi: str, exam: str, assessment: str) -> str:
    return (
        f"CHIEF COMPLAINT: Poor feeding.\n\nHISTORY OF PRESENT ILLNESS: A 3-month-old girl. {hpi}\n\n"
        f"PHYSICAL EXAMINATION: {exam}\n\nASSESSMENT: {assessment}\n"
    )


@pytest.mark.parametrize(
    ("exam", "assessment"),
    [
        ("Scant subcutaneous fat.", "1. Failure to thrive."),
        ("Diminished fat stores.", "1. Failure-to-thrive."),
        ("Weight is below the 3rd percentile.", "1. Poor weight gain."),
        ("Weight-for-length z-score of -2.4.", "1. Growth failure."),
        ("She has fallen off her growth curve.", "1. Failure to thrive."),
    ],
)
def test_an_assessed_growth_problem_with_a_second_indicator_is_malnutrition_not_documented(exam, assessment):
    assert MALNUTRITION in pairs(detect(infant("Mother is worried.", exam, assessment)))


def test_an_assessed_growth_problem_alone_is_no_gap():
    assert MALNUTRITION not in pairs(
        detect(infant("Mother is worried.", "Well appearing.", "1. Poor weight gain."))
    )


def test_two_indicators_none_assessed_are_no_gap_without_nutrition_support():
    text = infant("Poor weight gain per mother.", "Scant subcutaneous fat.", "1. Viral syndrome.")
    assert MALNUTRITION not in pairs(detect(text))


def test_a_weight_at_the_50th_percentile_is_no_growth_indicator():
    text = infant("Mother is worried.", "Weight at the 50th percentile.", "1. Poor weight gain.")
    assert MALNUTRITION not in pairs(detect(text))


def test_malnutrition_documented_closes_the_growth_class():
    text = infant("Mother is worried.", "Scant subcutaneous fat.", "1. Failure to thrive. 2. Malnutrition.")
    assert MALNUTRITION not in pairs(detect(text))


# --- encephalopathy: the altered mentation and its cause as the reason for the stay -------------


def test_admitted_with_hyponatremia_and_mental_status_changes_is_encephalopathy_not_documented():
    text = note(
        hpi="She was admitted three weeks ago with severe hyponatremia and mental status changes.",
        assessment="Goals of care discussed.",
    )
    assert ENCEPHALOPATHY in pairs(detect(text))


def test_admitted_with_confusion_and_no_cause_in_that_statement_is_no_gap():
    text = note(hpi="She was admitted with confusion after a fall.", assessment="Goals of care discussed.")
    assert ENCEPHALOPATHY not in pairs(detect(text))


def test_confusion_and_a_cause_outside_the_reason_for_admission_need_a_treatment():
    text = note(hpi="Chronic hyponatremia on prior visits. She is confused today.", assessment="Dementia.")
    assert ENCEPHALOPATHY not in pairs(detect(text))


def test_a_negated_altered_mentation_in_the_admission_statement_is_no_gap():
    text = note(hpi="She was admitted with hyponatremia and no confusion.", assessment="Hyponatremia.")
    assert ENCEPHALOPATHY not in pairs(detect(text))


def test_hyponatremic_confusion_treated_with_saline_is_encephalopathy_not_documented():
    text = note(hpi="Confused and hyponatremic on arrival.", labs="Sodium 121.", plan="Hypertonic saline.")
    assert ENCEPHALOPATHY in pairs(detect(text))


def test_a_desaturation_nadir_with_cpap_titration_is_no_respiratory_failure():
    text = note(
        hpi="Overnight polysomnography: oxygen desaturation down to 86% during REM sleep.",
        plan="CPAP titrated to 9 cm of water.",
        assessment="Obstructive sleep apnea.",
    )
    assert RESPIRATORY not in pairs(detect(text))


def test_a_desaturation_on_room_air_with_bipap_is_respiratory_failure_not_documented():
    text = note(hpi="She desaturated to 82% on room air.", plan="Placed on BiPAP.", assessment="COPD.")
    assert RESPIRATORY in pairs(detect(text))


# --- sepsis: treated hypotension as organ dysfunction ------------------------------------------


def test_a_blood_pressure_is_read_as_its_systolic_value():
    assert read("BP 86/44 on arrival.") == [("sbp", 86)]
    assert read("2/6 systolic murmur.") == []


def test_pneumonia_with_one_sirs_criterion_and_hypotension_given_fluid_boluses_is_sepsis_not_documented():
    text = note(
        hpi="Temperature 38.7. Blood pressure 84/46, given two fluid boluses.",
        assessment="Pneumonia.",
        plan="IV ceftriaxone.",
    )
    assert SEPSIS in pairs(detect(text))


def test_hypotension_without_fluids_or_pressors_is_no_organ_dysfunction():
    text = note(
        hpi="Temperature 38.7. Blood pressure 84/46.", assessment="Pneumonia.", plan="IV ceftriaxone."
    )
    assert SEPSIS not in pairs(detect(text))


def test_treated_hypotension_without_a_sirs_criterion_is_no_sepsis_gap():
    text = note(
        hpi="Temperature 37.0. Blood pressure 84/46, given two fluid boluses.",
        assessment="Pneumonia.",
        plan="IV ceftriaxone.",
    )
    assert SEPSIS not in pairs(detect(text))
