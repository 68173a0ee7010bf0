"""Round-2 criteria: acuity indicators beyond one lab threshold, treatments as classes,
hemoglobin restated without its name, operations as blood loss, and a drug given for
another stated purpose. Each criterion is tested at its edges."""

from __future__ import annotations

import pytest

from cdi.clinical.detection import detect
from cdi.clinical.facts import NoteFacts
from cdi.clinical.values import extract_measurements
from tests.clinical.notes import note, pairs

OTHER_ACUITY = ("acuity", "other_acuity")
ABLA = ("undocumented_diagnosis", "acute_blood_loss_anemia")
ENCEPHALOPATHY = ("undocumented_diagnosis", "encephalopathy")


# --- cholecystitis: Tokyo Guidelines 2018 local signs, systemic signs and imaging ------------


def test_cholecystitis_with_right_upper_quadrant_tenderness_and_iv_antibiotics_is_an_acuity_gap():
    text = note(
        hpi="Right upper quadrant pain since yesterday; tender in the right upper quadrant.",
        assessment="Cholecystitis.",
        plan="Admit, IV antibiotics, surgery consult.",
    )
    assert OTHER_ACUITY in pairs(detect(text))


def test_cholecystitis_with_a_hida_scan_and_cholecystectomy_is_an_acuity_gap():
    text = note(
        hpi="HIDA scan showed nonvisualization of the gallbladder.",
        assessment="Cholecystitis.",
        plan="Laparoscopic cholecystectomy this evening.",
    )
    assert OTHER_ACUITY in pairs(detect(text))


@pytest.mark.parametrize(("wbc", "expected"), [("10.6", True), ("10.0", False)])
def test_cholecystitis_white_count_edge_is_ten(wbc, expected):
    text = note(labs=f"WBC {wbc}.", assessment="Cholecystitis.", plan="Start Zosyn.")
    assert (OTHER_ACUITY in pairs(detect(text))) is expected


@pytest.mark.parametrize(("temperature", "expected"), [("100.6", True), ("100.4", False), ("38.4", True)])
def test_cholecystitis_temperature_edge_is_38_celsius_in_either_scale(temperature, expected):
    text = note(labs=f"Temperature {temperature}.", assessment="Cholecystitis.", plan="Start Zosyn.")
    assert (OTHER_ACUITY in pairs(detect(text))) is expected


def test_cholecystitis_indicators_without_treatment_are_no_gap():
    text = note(hpi="Tender in the right upper quadrant.", assessment="Cholecystitis.", plan="Follow up.")
    assert OTHER_ACUITY not in pairs(detect(text))


def test_acute_cholecystitis_is_already_specific():
    text = note(hpi="Right upper quadrant pain.", assessment="Acute cholecystitis.", plan="IV antibiotics.")
    assert OTHER_ACUITY not in pairs(detect(text))


def test_negated_cholecystitis_is_no_gap():
    text = note(
        hpi="Right upper quadrant pain.",
        assessment="Biliary colic, no cholecystitis.",
        plan="Laparoscopic cholecystectomy.",
    )
    assert OTHER_ACUITY not in pairs(detect(text))


# --- bronchitis: symptoms with any treatment of the class -------------------------------------


@pytest.mark.parametrize(
    "treatment",
    ["Nebulizer treatments every 4 hours.", "Zithromax for 5 days.", "Prednisone 40 mg daily."],
)
def test_bronchitis_with_cough_and_any_treatment_class_is_an_acuity_gap(treatment):
    text = note(hpi="Productive cough for a week.", assessment="Bronchitis.", plan=treatment)
    assert OTHER_ACUITY in pairs(detect(text))


def test_bronchitis_with_a_bronchodilator_but_no_symptom_or_sign_is_no_gap():
    text = note(assessment="Bronchitis.", plan="Albuterol inhaler.")
    assert OTHER_ACUITY not in pairs(detect(text))


def test_chronic_bronchitis_is_already_specific():
    text = note(hpi="Productive cough.", assessment="Chronic bronchitis.", plan="DuoNeb nebulizers.")
    assert OTHER_ACUITY not in pairs(detect(text))


def test_the_bronchodilator_class_names_agents_and_routes():
    facts = NoteFacts("PLAN: Combivent nebulizer every four hours and Xopenex as needed.\n")
    assert {t.text.lower() for t in facts.given(("bronchodilator",))} >= {"combivent", "nebulizer", "xopenex"}


# --- pancreatitis: Revised Atlanta pain and imaging -------------------------------------------


def test_pancreatitis_with_peripancreatic_stranding_and_iv_fluids_is_an_acuity_gap():
    text = note(hpi="CT shows peripancreatic stranding.", assessment="Pancreatitis.", plan="IV fluids, NPO.")
    assert OTHER_ACUITY in pairs(detect(text))


def test_pancreatitis_imaging_without_fluids_is_no_gap():
    text = note(hpi="CT shows peripancreatic stranding.", assessment="Pancreatitis.", plan="Follow up.")
    assert OTHER_ACUITY not in pairs(detect(text))


# --- iron as a class ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase", ["iron 325 mg p.o. t.i.d.", "started on oral iron", "iron tablets twice daily", "Injectafer"]
)
def test_iron_written_as_a_dose_a_form_or_a_brand_is_iron_therapy(phrase):
    facts = NoteFacts(f"PLAN: Discharged home; {phrase}.\n")
    assert facts.given(("iron_therapy",))


def test_iron_in_a_list_of_home_supplements_is_not_iron_therapy():
    assert not NoteFacts("MEDICATIONS: She is taking vitamins and iron.\n").given(("iron_therapy",))


@pytest.mark.parametrize(("plan", "expected"), [("Iron 325 mg p.o. t.i.d.", True), ("Regular diet.", False)])
def test_postoperative_low_hemoglobin_with_iron_is_a_blood_loss_anemia_gap(plan, expected):
    text = note(hpi="Postoperatively she did well.", labs="Hemoglobin 8.9.", assessment="Stable.", plan=plan)
    assert (ABLA in pairs(detect(text))) is expected


# --- hemoglobin restated without its name -----------------------------------------------------


def test_a_value_a_trend_word_introduces_in_an_anemia_sentence_is_a_hemoglobin():
    found = extract_measurements("He did have some anemia and he had dropped down in to the low 9 by day 3.")
    assert [(m.name, m.value) for m in found] == [("hemoglobin", 9.0)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Chronic anemia, stable. Down to 3 days a week of therapy.",  # another sentence
        "Anemia; his weight fell to 9 kg.",  # a unit of another quantity
        "Anemia; dialysis went down to 2 times weekly.",
        "Anemia; the dose dropped to 25 mg.",
        "Anemia, seen on 06/11/2008.",  # no trend word
    ],
)
def test_numbers_that_are_not_a_restated_hemoglobin(sentence):
    assert [m for m in extract_measurements(sentence) if m.name == "hemoglobin"] == []


def test_a_restated_hemoglobin_after_orif_with_iron_is_a_blood_loss_anemia_gap():
    text = note(
        hpi="Transferred after ORIF of a left tibial plateau fracture. He had some anemia initially and "
        "dropped down to the low 9, which responded to iron treatment.",
        assessment="Multiple fractures.",
    )
    assert ABLA in pairs(detect(text))


# --- operations and injuries that lose blood --------------------------------------------------


def test_an_orif_this_stay_counts_as_surgery_for_blood_loss_anemia():
    text = note(hpi="Underwent ORIF of the right hip.", labs="Hemoglobin 8.7.", plan="Transfuse 1 unit PRBC.")
    assert ABLA in pairs(detect(text))


def test_an_old_orif_in_the_past_history_does_not():
    text = note(pmh="ORIF of the right hip in 1999.", labs="Hemoglobin 8.7.", plan="Recheck CBC tomorrow.")
    assert ABLA not in pairs(detect(text))


def test_a_transfusion_after_an_operation_with_no_value_is_not_a_bleed_by_itself():
    text = note(hpi="Underwent arthroplasty of the left knee.", plan="Transfused 2 units.")
    assert ABLA not in pairs(detect(text))


# --- a drug given for another stated purpose -------------------------------------------------


def test_an_antipsychotic_for_agitation_treats_confusion_from_alcohol():
    text = note(hpi="He was confused from alcohol withdrawal and was given Haldol for agitation.")
    assert ENCEPHALOPATHY in pairs(detect(text))


def test_an_antipsychotic_for_insomnia_does_not_treat_the_confusion_anywhere_in_the_note():
    text = note(
        hpi="He was confused initially, related to alcohol. He was placed on Seroquel to help with "
        "insomnia and his moods.",
        plan="Seroquel 25 mg at bedtime.",
    )
    assert ENCEPHALOPATHY not in pairs(detect(text))


def test_bronchitis_treated_with_two_classes_needs_no_named_symptom():
    text = note(assessment="Bronchitis.", plan="Zithromax for 5 days and a prednisone burst.")
    assert OTHER_ACUITY in pairs(detect(text))
