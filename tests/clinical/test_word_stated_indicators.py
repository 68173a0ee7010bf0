"""Indicators written in words, treatments told in prose, and the edges of each new criterion."""

from __future__ import annotations

import pytest

from cdi.clinical.detection import detect
from cdi.clinical.facts import NoteFacts
from tests.clinical.notes import note, pairs

THROMBOCYTOPENIA = ("undocumented_diagnosis", "thrombocytopenia")
HYPONATREMIA = ("undocumented_diagnosis", "hyponatremia")
HYPERKALEMIA = ("undocumented_diagnosis", "hyperkalemia")
ENCEPHALOPATHY = ("undocumented_diagnosis", "encephalopathy")
ABLA = ("undocumented_diagnosis", "acute_blood_loss_anemia")
AKI = ("undocumented_diagnosis", "acute_kidney_injury")
KIDNEY = ("acuity", "kidney_disease")
HEART_FAILURE = ("acuity", "heart_failure")
BACTEREMIA = ("organism", "other_infection")
BRONCHITIS = ("acuity", "other_acuity")

FILLER = " She remained on telemetry and was seen by physical therapy." * 12  # > 600 characters


def test_low_counts_in_words_with_a_platelet_transfusion_are_a_thrombocytopenia_gap():
    text = note(
        assessment="Small cell lung cancer. Low blood counts this week requiring platelet transfusion."
    )
    assert THROMBOCYTOPENIA in pairs(detect(text))


def test_low_counts_in_words_without_a_specific_treatment_are_no_gap():
    text = note(assessment="Small cell lung cancer. Low blood counts this week; recheck next visit.")
    assert THROMBOCYTOPENIA not in pairs(detect(text))


def test_a_platelet_transfusion_without_a_low_count_is_no_gap():
    text = note(assessment="Small cell lung cancer.", plan="Platelet transfusion before the procedure.")
    assert THROMBOCYTOPENIA not in pairs(detect(text))


def test_a_documented_thrombocytopenia_closes_the_word_stated_gap():
    text = note(
        assessment="Chemotherapy-induced thrombocytopenia; low platelets needing platelet transfusion."
    )
    assert THROMBOCYTOPENIA not in pairs(detect(text))


@pytest.mark.parametrize(("sodium", "expected"), [(129, True), (130, False)])
def test_marked_hyponatremia_counts_iv_fluids_given_anywhere(sodium, expected):
    text = note(
        labs=f"Sodium {sodium}, potassium 4.1.",
        hpi="Hypotensive in the emergency room." + FILLER + " He received multiple IV fluid boluses.",
        assessment="Pneumonia.",
    )
    assert (HYPONATREMIA in pairs(detect(text))) is expected


def test_a_potassium_stated_as_risen_with_the_ace_inhibitor_stopped_is_a_hyperkalemia_gap():
    text = note(
        hpi="On admission her potassium had risen slightly to 5.5, and her ACE inhibitor was discontinued."
    )
    assert HYPERKALEMIA in pairs(detect(text))


def sepsis_ros(ros: str) -> str:
    return (
        "REASON FOR CONSULT: Septic shock.\n\nHISTORY OF PRESENT ILLNESS: A 53-year-old man with cirrhosis."
        + FILLER
        + f"\n\nREVIEW OF SYSTEMS: {ros}\n\nPLAN: Vancomycin and Zosyn. Thiamine.\n"
    )


def test_confusion_seen_in_the_review_of_systems_is_altered_mentation():
    assert ENCEPHALOPATHY in pairs(
        detect(sepsis_ros("Not obtainable as the patient is drowsy and confused."))
    )


def test_confusion_denied_in_the_review_of_systems_is_not():
    assert ENCEPHALOPATHY not in pairs(detect(sepsis_ros("Denies confusion, headache or fever.")))


def test_not_oriented_does_not_negate_the_confusion_after_it():
    text = note(
        hpi="Fevers for three days.",
        labs="On examination she is awake but is not oriented and is quite confused.",
        assessment="Multilobar pneumonia.",
        plan="Zosyn IV.",
    )
    assert ENCEPHALOPATHY in pairs(detect(text))


@pytest.mark.parametrize(("glucose", "expected"), [(69, True), (70, False)])
def test_hypoglycemia_by_value_is_a_metabolic_cause(glucose, expected):
    text = note(
        hpi=f"Found with a decrease in mental alertness; glucose of {glucose}.",
        plan="Dextrose given with a glucose supplement.",
    )
    assert (ENCEPHALOPATHY in pairs(detect(text))) is expected


def test_unarousable_after_medications_reversed_with_narcan_is_toxic_mentation():
    text = note(
        hpi="The nurse was unable to arouse her. There was concern she took pain medications from home. "
        "She was given Narcan and came around."
    )
    assert ENCEPHALOPATHY in pairs(detect(text))


def test_mentation_the_provider_attributes_to_a_non_cause_is_no_gap():
    text = note(
        hpi="Pneumonia treated with antibiotics.",
        assessment="Altered mental status, likely secondary to medications.",
        plan="Ceftriaxone IV.",
    )
    assert ENCEPHALOPATHY not in pairs(detect(text))


def test_red_cells_transfused_for_a_bleed_without_a_value_are_a_blood_loss_anemia_gap():
    text = note(hpi="Acute lower GI bleed; transferred to the ICU and transfused packed red blood cells.")
    assert ABLA in pairs(detect(text))


def test_consent_talk_about_bleeding_and_transfusion_is_not_a_transfusion():
    text = note(
        hpi="We discussed the risks, benefits and alternatives, including bleeding and blood transfusion."
    )
    assert ABLA not in pairs(detect(text))


def test_a_normal_hemoglobin_in_the_note_means_no_value_less_anemia_gap():
    text = note(hpi="Gross hematuria; he received blood transfusions.", labs="Hemoglobin 12.1.")
    assert ABLA not in pairs(detect(text))


@pytest.mark.parametrize(("first", "expected"), [(1.4, True), (1.2, False)])
def test_a_recovering_creatinine_meets_kdigo_backwards(first, expected):
    text = note(
        pmh="Chronic renal insufficiency.",
        labs=f"Creatinine of {first}. During the hospitalization it was decreased to 0.8.",
        plan="Lasix to improve his urine output.",
    )
    assert (AKI in pairs(detect(text))) is expected


def test_chronic_renal_insufficiency_does_not_document_an_aki():
    text = note(
        assessment="Chronic renal insufficiency.", labs="Creatinine 1.5 up from 1.1.", plan="IV fluids."
    )
    assert AKI in pairs(detect(text))
    documented = note(
        assessment="Acute renal insufficiency.", labs="Creatinine 1.5 up from 1.1.", plan="IV fluids."
    )
    assert AKI not in pairs(detect(documented))


def test_renal_insufficiency_with_renal_function_improving_on_fluids_is_an_acuity_gap():
    text = note(
        assessment="Renal insufficiency. Improvement in her febrile status and renal status after rehydration."
    )
    assert KIDNEY in pairs(detect(text))


def test_renal_function_in_words_without_management_is_no_acuity_gap():
    text = note(assessment="Renal insufficiency. Renal function improved.")
    assert KIDNEY not in pairs(detect(text))


def test_chf_with_a_dilated_cardiomyopathy_and_medication_changes_is_a_type_gap():
    text = note(
        assessment="Congestive heart failure with dilated cardiomyopathy.",
        plan="Cardiology advised to reduce the lisinopril to 5 mg daily; Coreg was held.",
    )
    assert HEART_FAILURE in pairs(detect(text))


def test_chf_with_a_cardiomyopathy_but_no_echo_or_medication_change_is_no_gap():
    text = note(
        assessment="Congestive heart failure with dilated cardiomyopathy.", plan="Continue home medicines."
    )
    assert HEART_FAILURE not in pairs(detect(text))


def bacteremia(result: str, gap: str = " ") -> str:
    return note(
        assessment="Gram-negative bacteremia. She spiked a fever and was started on cefepime and vancomycin."
        + " Cultures were drawn peripherally and from the port."
        + " She remained afebrile on IV antibiotics for the rest of the stay." * 5
        + gap
        + result
    )


def test_a_culture_result_in_the_same_paragraph_names_the_organism():
    assert BACTEREMIA in pairs(detect(bacteremia("Both cultures eventually grew out Proteus mirabilis.")))


def test_a_culture_result_in_another_paragraph_does_not():
    text = bacteremia(
        "Both cultures eventually grew out Proteus mirabilis.", gap="\n\nSOCIAL HISTORY: Lives alone. "
    )
    assert BACTEREMIA not in pairs(detect(text))


def test_an_organism_sentence_that_names_no_culture_is_not_a_result_for_the_paragraph():
    assert BACTEREMIA not in pairs(detect(bacteremia("It was found that Proteus was sensitive to Cipro.")))


def test_was_treated_in_a_hospital_course_is_this_stay():
    course = "HOSPITAL COURSE: She was thought to have bronchitis as well and was treated with antibiotics.\n"
    text = course + "\nDISCHARGE MEDICATIONS: Prednisone 20 mg daily.\n"
    facts = NoteFacts(text)
    assert [t.text for t in facts.given(("antibiotic",))] == ["antibiotics"]
    assert BRONCHITIS in pairs(detect(text))


def test_was_treated_in_the_past_medical_history_stays_past():
    text = "PAST MEDICAL HISTORY: Bronchitis, was treated with antibiotics in 2005.\n\nPLAN: Prednisone.\n"
    assert NoteFacts(text).given(("antibiotic",)) == []
    assert BRONCHITIS not in pairs(detect(text))
