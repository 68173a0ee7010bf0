"""Round-3 criteria (knowledge base 2026.11.4): organisms as classes (any genus of the data
list, abbreviated binomials, Gram-stain results, cultures positive before the organism is
named), malnutrition indicators and nutrition support in ASPEN's terms, and treatment
classes completed. Each criterion is tested at its edges: negated, historical, threshold,
indicator without treatment."""

from __future__ import annotations

import pytest

from cdi.clinical.context import ClinicalText, assert_mention
from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from cdi.clinical.treatments import extract_treatments
from cdi.clinical.values import extract_measurements, extract_organisms
from tests.clinical.notes import note, pairs

OTHER_INFECTION = ("organism", "other_infection")
SEPSIS_ORGANISM = ("organism", "sepsis")
MALNUTRITION = ("undocumented_diagnosis", "malnutrition")
RESPIRATORY = ("undocumented_diagnosis", "acute_respiratory_failure")


def organisms(text: str) -> list[tuple[str, str, str, bool]]:
    return [(o.organism, o.text, o.kind, o.negative) for o in extract_organisms(text)]


def kinds(text: str) -> set[str]:
    return {t.kind for t in extract_treatments(text)}


def test_the_knowledge_base_is_round_3_with_the_batch_7_fixes():
    assert tuple(map(int, default_knowledge().version.split("."))) >= (2026, 11, 5)  # numeric: 11.10 > 11.9


# --- the organism extractor: classes, not phrases ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "organism", "span"),
    [
        ("Wound cultures grew Clostridium septicum.", "clostridium", "Clostridium septicum"),
        ("Wound cultures grew Clostridium species.", "clostridium", "Clostridium species"),
        ("The wound grew out different species of Clostridium.", "clostridium", "Clostridium"),
        (
            "Sputum culture grew Stenotrophomonas maltophilia.",
            "stenotrophomonas",
            "Stenotrophomonas maltophilia",
        ),
        ("Urine culture grew E. cloacae.", "enterobacter", "E. cloacae"),
        ("Blood culture grew Candida glabrata.", "candida", "Candida glabrata"),
    ],
)
def test_any_genus_of_the_data_list_or_its_abbreviated_binomial_is_an_organism(text, organism, span):
    assert (organism, span, "culture", False) in organisms(text)


def test_a_named_alias_still_wins_over_its_genus():
    assert (
        organisms("Stool was positive for Clostridium difficile toxin.")[0][0] == "clostridioides_difficile"
    )


@pytest.mark.parametrize(
    ("text", "key", "span"),
    [
        ("Blood cultures: Gram-negative rod.", "gram_negative", "Gram-negative rod"),
        (
            "Gram stain showed gram-positive cocci in clusters.",
            "gram_positive",
            "gram-positive cocci in clusters",
        ),
        ("Gram stain: gram negative anaerobic bacilli.", "gram_negative", "gram negative anaerobic bacilli"),
    ],
)
def test_a_gram_stain_result_is_an_organism_class_and_its_own_word_negative_is_no_negation(text, key, span):
    assert (key, span, "culture", False) in organisms(text)


def test_a_culture_negative_for_a_gram_stain_class_is_negative():
    [(_, _, _, negative)] = organisms("Blood cultures negative for gram-positive cocci.")
    assert negative


@pytest.mark.parametrize(
    "text",
    [
        "Two positive blood\ncultures so far.",
        "Blood cultures were positive.",
        "Final identification still pending.",
    ],
)
def test_a_culture_positive_before_the_organism_is_named_is_an_unidentified_result(text):
    [(key, _, kind, negative)] = organisms(text)
    assert (key, kind, negative) == ("unidentified", "culture", False)


def test_a_culture_that_is_itself_pending_is_no_result():
    assert organisms("Blood cultures pending.") == []


# --- the organism gap with these classes -------------------------------------------------------


def test_an_abscess_with_positive_blood_cultures_and_no_organism_named_is_an_organism_gap():
    text = note(
        hpi="A perirectal abscess was drained at the bedside.",
        labs="Two positive blood cultures so far.",
        assessment="Perirectal abscess.",
        plan="IV vancomycin.",
    )
    assert OTHER_INFECTION in pairs(detect(text))


def test_an_abscess_with_negative_blood_cultures_is_no_organism_gap():
    text = note(labs="Blood cultures were negative.", assessment="Perirectal abscess.", plan="IV vancomycin.")
    assert OTHER_INFECTION not in pairs(detect(text))


def test_positive_cultures_from_an_earlier_episode_are_no_organism_gap():
    text = note(
        hpi="Positive blood cultures on a previous admission.",
        assessment="Perirectal abscess.",
        plan="Vancomycin.",
    )
    assert OTHER_INFECTION not in pairs(detect(text))


def test_plural_abscesses_with_a_genus_grown_in_the_same_paragraph_are_an_organism_gap():
    text = note(
        assessment="Two abscesses of the forearm, opened and packed. Vancomycin and cefepime were given while"
        " the wounds were packed twice daily and slowly closed over the week. Several Clostridium species"
        " were isolated from the debrided tissue.",
        plan="Continue antibiotics.",
    )
    assert OTHER_INFECTION in pairs(detect(text))


def test_an_abscess_whose_diagnosis_names_the_genus_is_no_organism_gap():
    text = note(
        labs="Wound culture grew Clostridium septicum.",
        assessment="Clostridium septicum abscess of the thigh.",
        plan="Penicillin.",
    )
    assert OTHER_INFECTION not in pairs(detect(text))


def test_a_gram_stain_class_in_the_diagnosis_does_not_name_the_organism():
    text = note(
        assessment="Bacteremia with a gram-negative rod; speciation and sensitivities are still pending.",
        plan="Levofloxacin.",
    )
    assert OTHER_INFECTION in pairs(detect(text))


def test_with_sepsis_documented_the_bloodstream_organism_query_is_the_sepsis_one():
    text = note(
        assessment="Sepsis. Bacteremia with a gram-negative rod; speciation and sensitivities are still pending.",
        plan="Levofloxacin.",
    )
    found = pairs(detect(text))
    assert SEPSIS_ORGANISM in found and OTHER_INFECTION not in found


def test_a_suspected_deep_infection_is_no_organism_gap():
    text = note(
        hpi="There is suspicion of endocarditis; echo ordered.",
        labs="Blood cultures grew Enterococcus faecalis.",
        plan="Ampicillin; transesophageal echocardiogram.",
    )
    assert OTHER_INFECTION not in pairs(detect(text))


def test_suspicion_of_is_an_uncertainty_cue():
    text = "There is suspicion of endocarditis; echo ordered."
    start = text.index("endocarditis")
    assert assert_mention(ClinicalText(text), start, start + len("endocarditis")).uncertain


@pytest.mark.parametrize(
    "text",
    [
        "Empiric vancomycin for presumed MRSA.",
        "Daptomycin, active against MRSA.",
        "Vancomycin for MRSA coverage.",
    ],
)
def test_therapy_aimed_at_an_organism_is_coverage(text):
    assert organisms(text)[0][2] == "coverage"


# --- malnutrition: ASPEN indicators in words, nutrition support as a class ----------------------


def test_decreased_nutrition_treated_through_a_feeding_tube_is_a_malnutrition_gap():
    text = note(
        hpi="Poor nutrition for a month while caring for his wife.",
        plan="Nasoduodenal tube feeds through a feeding tube.",
    )
    assert MALNUTRITION in pairs(detect(text))


def test_nutrition_indicators_without_nutrition_support_are_no_gap():
    text = note(hpi="Poor nutritional status and loss of subcutaneous fat.", plan="Follow up in clinic.")
    assert MALNUTRITION not in pairs(detect(text))


def test_a_negated_nutrition_indicator_is_no_gap():
    text = note(hpi="No loss of subcutaneous fat.", plan="Tube feeds continued after the stroke.")
    assert MALNUTRITION not in pairs(detect(text))


def test_low_albumin_with_a_dietitian_visit_alone_is_no_gap():
    text = note(labs="Hypoalbuminemia.", plan="Dietitian consult for diabetic teaching.")
    assert MALNUTRITION not in pairs(detect(text))


def test_low_albumin_with_tube_feeding_is_a_gap():
    text = note(labs="Hypoalbuminemia.", plan="Start tube feeds.")
    assert MALNUTRITION in pairs(detect(text))


@pytest.mark.parametrize(
    ("albumin", "expected"), [("2.4", True), ("2.9", True), ("3.0", False), ("3.4", False)]
)
def test_the_albumin_value_edge_is_below_3_with_parenteral_nutrition(albumin, expected):
    text = note(labs=f"Albumin {albumin}.", plan="Start TPN.")
    assert (MALNUTRITION in pairs(detect(text))) is expected


def test_documented_malnutrition_is_no_undocumented_gap():
    text = note(
        hpi="Decreased nutrition.", assessment="Moderate protein-calorie malnutrition.", plan="Tube feeds."
    )
    assert MALNUTRITION not in pairs(detect(text))


def test_a_nasogastric_tube_placed_for_surgery_is_not_nutrition_support():
    assert "nutrition_support" not in kinds("Nasogastric tube placement before the incision.")
    text = note(hpi="Anorexia for a week.", plan="Nasogastric tube placement before the incision.")
    assert MALNUTRITION not in pairs(detect(text))


@pytest.mark.parametrize(
    "text",
    [
        "PEG tube placed.",
        "Gastrostomy tube placement.",
        "Dobhoff tube feeds.",
        "Start PPN.",
        "Nutrition support.",
    ],
)
def test_feeding_routes_are_nutrition_support(text):
    assert "nutrition_support" in kinds(text)


# --- treatment classes completed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Placed on HFNC.", "high_flow_oxygen"),
        ("Venturi mask at 50%.", "high_flow_oxygen"),
        ("Potassium riders given.", "potassium_replacement"),
        ("Mag sulfate 2 g IV.", "magnesium_replacement"),
        ("Lasix infusion started.", "iv_diuretic"),
        ("Ceftaroline 600 mg IV.", "antibiotic"),
        ("Cefdinir for 10 days.", "antibiotic"),
    ],
)
def test_a_treatment_is_matched_as_its_class(text, kind):
    assert kind in kinds(text)


def test_hypoxia_on_high_flow_nasal_cannula_is_respiratory_failure_not_documented():
    text = note(labs="SpO2 86% on room air.", plan="Placed on HFNC.")
    assert RESPIRATORY in pairs(detect(text))


def test_hypoxia_without_ventilatory_support_is_no_gap():
    text = note(labs="SpO2 86% on room air.", plan="Chest x-ray.")
    assert RESPIRATORY not in pairs(detect(text))


# --- more phrasings of the same classes --------------------------------------------------------

SEPSIS = ("undocumented_diagnosis", "sepsis")
ENCEPHALOPATHY = ("undocumented_diagnosis", "encephalopathy")


@pytest.mark.parametrize("infection", ["Cystitis", "Prostatitis", "Necrotizing fasciitis", "Cholecystitis"])
def test_other_treated_infections_with_two_sirs_criteria_are_sepsis_not_documented(infection):
    text = note(labs="Temperature 38.9. WBC 15.2.", assessment=f"{infection}.", plan="IV ceftriaxone.")
    assert SEPSIS in pairs(detect(text))


def test_a_ruled_out_infection_with_sirs_criteria_is_no_sepsis_gap():
    text = note(
        labs="Temperature 38.9. WBC 15.2.", assessment="No evidence of cystitis.", plan="IV ceftriaxone."
    )
    assert SEPSIS not in pairs(detect(text))


def test_altered_sensorium_with_a_metabolic_cause_treated_is_encephalopathy_not_documented():
    text = note(
        hpi="Altered sensorium on arrival.", labs="Ammonia 140.", assessment="Cirrhosis.", plan="Lactulose."
    )
    assert ENCEPHALOPATHY in pairs(detect(text))


def test_increased_work_of_breathing_on_bipap_is_respiratory_failure_not_documented():
    text = note(hpi="Increased work of breathing.", plan="Placed on BiPAP.")
    assert RESPIRATORY in pairs(detect(text))


def test_increased_work_of_breathing_without_ventilatory_support_is_no_gap():
    text = note(hpi="Increased work of breathing.", plan="Nebulizers.")
    assert RESPIRATORY not in pairs(detect(text))


# --- after the blind look at batch 7 (batch 7 is development material since) -------------------

HEART_FAILURE = ("acuity", "heart_failure")
ABLA = ("undocumented_diagnosis", "acute_blood_loss_anemia")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Echo shows a drop in the ejection fraction to about 30-35%.", 30.0),
        ("The ejection fraction has decreased to 25%.", 25.0),
        ("Ejection fraction was estimated to be 35%.", 35.0),
        ("An increase in creatinine to 2.1.", 2.1),
    ],
)
def test_a_value_after_a_trend_or_an_estimate_is_read(text, value):
    assert [m.value for m in extract_measurements(text)] == [value]


@pytest.mark.parametrize("text", ["Replete potassium to 4.0.", "Sodium to be checked in the morning."])
def test_a_target_or_a_plan_after_to_is_no_value(text):
    assert extract_measurements(text) == []


def test_end_stage_heart_failure_with_an_ef_stated_after_its_decline_and_a_loop_diuretic_is_an_acuity_gap():
    text = note(
        hpi="Echo last month showed a drop in the ejection fraction to about 20%.",
        assessment="End-stage congestive heart failure.",
        plan="Furosemide 40 mg twice daily.",
    )
    assert HEART_FAILURE in pairs(detect(text))


def test_bronchitis_on_iv_antibiotics_with_tachycardia_and_leukocytosis_is_sepsis_not_documented():
    text = note(labs="Heart rate 118. WBC 14.1.", assessment="Bronchitis.", plan="IV ceftriaxone.")
    assert SEPSIS in pairs(detect(text))


def test_bronchitis_with_one_sirs_criterion_is_no_sepsis_gap():
    text = note(labs="Heart rate 118. WBC 9.1.", assessment="Bronchitis.", plan="IV ceftriaxone.")
    assert SEPSIS not in pairs(detect(text))


def test_anemia_attributed_to_qualified_operative_blood_loss_is_documented():
    text = note(
        labs="Hemoglobin fell from 13.1 to 9.8 after surgery.",
        assessment="Status post right hip arthroplasty. Anemia due to expected surgical blood loss.",
        plan="No transfusion.",
    )
    assert ABLA not in pairs(detect(text))
