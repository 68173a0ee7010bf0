"""Candidate classes the diagnosis lexicon alone never finds: tobacco, adverse effects and
poisonings (T codes), injuries with their 7th character, statuses and histories (Z codes)."""

from __future__ import annotations

import pytest

from coding import adverse, codeset
from coding.candidates import find_candidates
from coding.lexicon import STATUS_FILE, injury_phrases, read_synonyms
from coding.setting import INPATIENT, OUTPATIENT


def codes(note: str, setting: str = OUTPATIENT) -> set[str]:
    return {c.code for c in find_candidates(note, setting)}


# Tobacco ---------------------------------------------------------------------------------


def test_current_cigarette_smoking_is_coded_with_the_product():
    assert "F17.210" in codes("SOCIAL HISTORY: He smokes one pack of cigarettes per day.\n")


def test_a_smoker_without_a_product_gets_the_unspecified_product_code():
    found = codes("SOCIAL HISTORY: She is an active smoker. No alcohol.\n")
    assert "F17.200" in found and "F17.210" not in found


def test_chewing_tobacco_is_its_own_product():
    assert "F17.220" in codes("SOCIAL HISTORY: He chews tobacco daily.\n")


@pytest.mark.parametrize(
    "social",
    [
        "She used to be a smoker, not anymore.",
        "Smoking history of 1 pack per day. Quit smoking a year ago.",
        "Former smoker.",
        "Mom smoked during the pregnancy.",
    ],
)
def test_former_use_or_someone_elses_smoking_is_not_nicotine_dependence(social):
    assert not {c for c in codes(f"SOCIAL HISTORY: {social}\n") if c.startswith("F17")}


def test_no_intention_of_quitting_is_still_current_use():
    assert "F17.210" in codes("SOCIAL HISTORY: He smokes one pack per day, no intention of quitting.\n")


# Adverse effects, poisoning, underdosing ---------------------------------------------------


def test_a_condition_secondary_to_a_drug_adds_the_adverse_effect_code():
    note = "ASSESSMENT:\n1. Rhabdomyolysis, most likely secondary to statins.\n"
    assert "T46.6X5A" in codes(note, INPATIENT)


def test_a_drug_induced_condition_adds_the_adverse_effect_code():
    assert "T38.0X5A" in codes("ASSESSMENT:\n1. Steroid-induced hyperglycemia.\n")


def test_an_accidental_ingestion_is_a_poisoning():
    assert "T43.221A" in codes("ASSESSMENT: Accidental ingestion of citalopram.\n")


def test_an_intentional_overdose_is_a_poisoning_by_self_harm():
    note = "ASSESSMENT: Digoxin toxicity secondary to intentional digoxin overuse.\n"
    found = codes(note, INPATIENT)
    assert "T46.0X2A" in found and "T46.0X5A" not in found


def test_running_out_of_a_drug_is_underdosing():
    assert "T46.4X6A" in codes("ASSESSMENT: Hypertension, uncontrolled. He ran out of his lisinopril.\n")


def test_a_drug_only_listed_or_negated_adds_nothing():
    note = "MEDICATIONS: Digoxin 0.25 mg, simvastatin 20 mg.\nASSESSMENT: No evidence of digoxin toxicity.\n"
    assert not {c for c in codes(note, INPATIENT) if c.startswith("T")}


def test_every_drug_category_resolves_to_billable_codes():
    for name, category in adverse.drug_table().items():
        if name == "heroin":
            assert adverse.t_code(category, adverse.ACCIDENTAL)
            continue
        for intent in (adverse.ADVERSE, adverse.ACCIDENTAL):
            code = adverse.t_code(category, intent)
            assert code and codeset.is_billable(code), (name, intent)


# Injuries ---------------------------------------------------------------------------------


def test_injury_titles_are_indexed_as_notes_write_them():
    phrases = injury_phrases(codeset.title("S31.21XA"))
    assert "penile laceration" in phrases and "laceration of penis" in phrases
    assert injury_phrases(codeset.title("S31.21XD")) == []  # subsequent encounters are not offered


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Scalp laceration.", "S01.01XA"),
        ("Right forearm contusion.", "S50.11XA"),
        ("Penile laceration.", "S31.21XA"),
        ("Open calcaneus fracture on the right.", "S92.001B"),
    ],
)
def test_an_injury_gets_site_side_and_initial_encounter(statement, code):
    assert code in codes(f"ASSESSMENT:\n1. {statement}\n")


def test_a_past_injury_is_not_coded():
    assert not {c for c in codes("PAST MEDICAL HISTORY: Scalp laceration years ago.\n") if c.startswith("S")}


# Statuses and histories -------------------------------------------------------------------


def test_a_history_of_pulmonary_embolism_is_a_status_code():
    assert "Z86.711" in codes("PAST MEDICAL HISTORY: History of pulmonary embolism.\n")


def test_a_transplant_is_a_status_even_in_the_surgical_history():
    assert "Z94.0" in codes("PAST SURGICAL HISTORY: Kidney transplant in 2001.\n")


def test_a_history_of_myocardial_infarction_is_an_old_mi():
    assert "I25.2" in codes("PAST MEDICAL HISTORY: Prior myocardial infarction.\n")


def test_negated_or_family_statuses_are_not_coded():
    note = "PAST MEDICAL HISTORY: No history of stroke.\nFAMILY HISTORY: Father had a kidney transplant.\n"
    found = codes(note)
    assert "Z86.73" not in found and "Z94.0" not in found


def test_every_status_code_is_billable():
    for term, status_codes in read_synonyms(STATUS_FILE):
        assert all(codeset.is_billable(code) for code in status_codes), term


# Abnormal findings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Increased transaminases.", "R74.01"),
        ("Elevated troponin.", "R79.89"),
        ("Abnormal EKG.", "R94.31"),
        ("Low albumin.", "E88.09"),
        ("Elevated PSA.", "R97.20"),
        ("Anasarca.", "R60.1"),
    ],
)
def test_an_abnormal_finding_in_the_assessment_is_coded(statement, code):
    assert code in codes(f"ASSESSMENT:\n1. {statement}\n")


def test_a_finding_only_in_the_labs_or_negated_is_not_coded():
    note = "LABORATORY DATA: Elevated troponin at 0.4.\nASSESSMENT:\n1. No elevated transaminases.\n"
    found = codes(note)
    assert "R79.89" not in found and "R74.01" not in found


def test_every_finding_code_is_billable():
    from coding.lexicon import finding_phrases

    assert all(codeset.is_billable(code) for _, code in finding_phrases())


# Drug-induced manifestations ----------------------------------------------------------------


def test_anemia_blamed_on_chemotherapy_is_the_chemotherapy_anemia_code():
    from coding.rules import apply_rules

    note = "ASSESSMENT:\n1. Anemia secondary to chronic renal failure and chemotherapy.\n"
    found = {c.code for c in apply_rules(find_candidates(note, OUTPATIENT), note, 0.0)}
    assert {"D64.81", "T45.1X5A"} <= found and "D64.9" not in found


def test_anemia_elsewhere_in_the_note_keeps_its_own_code():
    from coding.rules import apply_rules

    note = "ASSESSMENT:\n1. Anemia.\n\n2. Neuropathy secondary to chemotherapy.\n"
    found = {c.code for c in apply_rules(find_candidates(note, OUTPATIENT), note, 0.0)}
    assert "D64.9" in found and "G62.0" in found


# Metastases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Pancreatic cancer with liver metastases.", "C78.7"),
        ("Metastatic breast cancer to bone.", "C79.51"),
        ("Metastatic ovarian cancer.", "C79.9"),
    ],
)
def test_a_metastasis_gets_the_secondary_code_of_its_site(statement, code):
    assert code in codes(f"ASSESSMENT:\n1. {statement}\n")


def test_an_unknown_site_is_not_added_when_a_site_is_written():
    found = codes("ASSESSMENT:\n1. Metastatic pancreatic cancer.\n2. Liver metastases.\n")
    assert "C78.7" in found and "C79.9" not in found


def test_a_negated_metastasis_is_not_coded():
    found = codes("ASSESSMENT:\n1. Colon cancer. CT shows no evidence of liver metastasis.\n")
    assert "C78.7" not in found and "C79.9" not in found


def test_exercise_mets_are_not_metastases():
    assert "C79.9" not in codes("FINDINGS: He exercised to 4.6 METs.\nASSESSMENT:\n1. Normal stress test.\n")


# Laterality -------------------------------------------------------------------------------


def test_bilateral_without_a_bilateral_code_gives_the_right_and_the_left_code():
    found = codes("ASSESSMENT:\n1. Bilateral breast cancer.\n")
    assert {"C50.911", "C50.912"} <= found and "C50.919" not in found


def test_the_side_nearest_the_diagnosis_wins():
    found = codes("ASSESSMENT:\n1. Right knee pain and left hip osteoarthritis.\n")
    assert "M16.12" in found and "M16.11" not in found


def test_a_side_a_few_words_before_still_counts():
    assert "G56.03" in codes("ASSESSMENT:\n1. Bilateral mild-to-moderate carpal tunnel syndrome.\n")


# Heart failure type written later in the statement ------------------------------------------


def _ruled(note: str) -> set[str]:
    from coding.rules import apply_rules

    return {c.code for c in apply_rules(find_candidates(note, INPATIENT), note, 0.0)}


def test_a_heart_failure_type_later_in_the_statement_sets_the_code():
    note = "ASSESSMENT:\n1. Congestive heart failure due to rapid atrial fibrillation and systolic\ndysfunction.\n"
    assert "I50.20" in _ruled(note) and "I50.9" not in _ruled(note)


def test_a_systolic_murmur_is_not_a_heart_failure_type():
    note = "ASSESSMENT:\n1. Congestive heart failure with a systolic murmur.\n"
    assert "I50.9" in _ruled(note)


def test_a_finding_coded_outside_chapter_18_is_still_only_taken_from_the_assessment():
    note = "HOSPITAL COURSE: Low albumin was noted.\nASSESSMENT:\n1. Pneumonia.\n"
    assert "E88.09" not in codes(note, INPATIENT)


def test_anemia_from_blood_loss_is_acute_posthemorrhagic_anemia():
    assert "D62" in _ruled("ASSESSMENT:\n1. Anemia due to operative blood loss, no transfusion needed.\n")
    assert "D62" in _ruled("ASSESSMENT:\n1. Acute anemia secondary to upper GI bleeding.\n")


def test_anemia_from_chronic_blood_loss_is_iron_deficiency_from_blood_loss():
    assert "D50.0" in _ruled("ASSESSMENT:\n1. Anemia from chronic blood loss.\n")


def test_plain_anemia_stays_unspecified():
    assert "D64.9" in _ruled("ASSESSMENT:\n1. Anemia.\n2. GI bleeding.\n")


# Lymph-node involvement (C77) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Breast cancer with positive axillary lymph nodes.", "C77.3"),
        ("Cervical cancer; pelvic lymph nodes were positive for carcinoma.", "C77.5"),
        ("Lung cancer with mediastinal nodal metastases.", "C77.1"),
        ("Right pelvic and para-aortic lymph nodes were positive for carcinoma.", "C77.8"),
    ],
)
def test_lymph_node_involvement_is_coded_for_the_region_written(statement, code):
    assert code in codes(f"ASSESSMENT:\n1. {statement}\n")


def test_positive_nodes_with_no_region_are_the_primary_cancers_regional_nodes():
    note = "ASSESSMENT:\n1. Adenocarcinoma of the sigmoid colon, 3 of 14 lymph nodes positive.\n"
    assert "C77.2" in codes(note) and "C77.9" not in codes(note)
    assert "C77.9" in codes("ASSESSMENT:\n1. Carcinoma with involved lymph nodes.\n")


def test_no_positive_nodes_or_lymphoma_nodes_are_not_secondary_neoplasms():
    assert not {
        c for c in codes("ASSESSMENT:\n1. Colon cancer, 0 of 12 lymph nodes positive.\n") if c[:3] == "C77"
    }
    assert not {
        c for c in codes("ASSESSMENT:\n1. Colon cancer. No positive lymph nodes.\n") if c[:3] == "C77"
    }
    found = codes("ASSESSMENT:\n1. Follicular lymphoma with involved lymph nodes.\n")
    assert not {c for c in found if c[:3] == "C77"}


# Indications of procedures and tests -----------------------------------------------------


def test_the_indication_of_a_test_is_its_reason_like_a_chief_complaint():
    note = "EXAM: Ultrasound-guided paracentesis\n\nINDICATIONS: Ascites.\n\nTECHNIQUE: Consent obtained.\n"
    found = find_candidates(note, OUTPATIENT)
    ascites = [c for c in found if c.code == "R18.8"]
    assert ascites and ascites[0].evidence[0].section == "indication"
    assert "R18.8" not in codes("EXAM: CT.\nFINDINGS: Ascites is seen.\n")  # a finding is not a reason


def test_a_short_history_above_a_test_report_is_its_indication():
    assert "R18.8" in codes("EXAM: Ultrasound-guided paracentesis\n\nHISTORY: Ascites.\n\nTECHNIQUE: Done.\n")


# Primary cancers as notes write them -------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Adenocarcinoma of the sigmoid colon.", "C18.7"),
        ("Carcinoma of the base of the tongue.", "C01"),
        ("Grade III endometrial adenocarcinoma.", "C54.1"),
        ("Carcinoma of the lung.", "C34.90"),
        ("Hepatic flexure carcinoma.", "C18.3"),
    ],
)
def test_a_primary_cancer_is_found_however_the_site_and_the_cancer_word_are_written(statement, code):
    assert code in codes(f"ASSESSMENT:\n1. {statement}\n")


# Specificity stated beside a plain diagnosis -------------------------------------------------


def test_a_vein_named_after_a_plain_dvt_gives_the_specific_code():
    note = "ASSESSMENT:\n1. Deep vein thrombosis of the right popliteal vein.\n"
    assert "I82.431" in _ruled(note) and "I82.409" not in _ruled(note)


def test_a_negated_or_distant_qualifier_does_not_specify():
    assert "I82.431" not in codes("ASSESSMENT:\n1. Deep vein thrombosis, no popliteal vein involvement.\n")
    note = "ASSESSMENT:\n1. Chronic kidney disease. Creatinine of 1.8.\n"
    assert not {c for c in codes(note, INPATIENT) if c.startswith("N18.") and c != "N18.9"}


def test_a_residual_other_code_is_never_taken_as_more_specific():
    note = "ASSESSMENT:\n1. Hyperlipidemia, other risk factors reviewed.\n"
    assert "E78.49" not in codes(note) and "E78.5" in codes(note)


def test_the_specificity_refinement_uses_the_classification_titles():
    from coding import specificity

    assert specificity.refine("I50.9", specificity.words_of("systolic heart failure")) == "I50.20"
    assert specificity.refine("N18.9", specificity.words_of("chronic kidney disease stage IV")) == "N18.4"
    assert specificity.refine("I50.9", specificity.words_of("heart failure")) is None


# Conditions resolved during the stay ---------------------------------------------------------


def test_a_condition_resolved_during_the_stay_is_coded_from_the_discharge_diagnoses():
    note = "HOSPITAL COURSE: Treated.\nDISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Hypotension, resolved.\n"
    assert "I95.9" in codes(note, INPATIENT)


def test_a_resolved_history_is_still_not_coded():
    note = "DISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. History of hypotension, resolved years ago.\n"
    assert "I95.9" not in codes(note, INPATIENT)
    assert "I95.9" not in codes("ASSESSMENT:\n1. Hypotension, resolved.\n", OUTPATIENT)


# How clinicians write what the classification calls otherwise -------------------------------


def test_adjective_forms_of_body_parts_meet_the_classifications_nouns():
    from coding.lexicon import default_lexicon, phrase_key

    lexicon = default_lexicon()
    assert lexicon.lookup(phrase_key("esophageal ulcer")).code == "K22.10"  # "Ulcer of esophagus"
    assert phrase_key("renal transplant") == phrase_key("kidney transplant")


def test_a_number_counts_only_for_the_word_it_follows():
    from coding import specificity

    words = specificity.words_of("Type 2 diabetes with chronic kidney disease stage 3, creatinine 1.8")
    assert specificity.refine("N18.9", words) == "N18.30"


def test_a_limb_and_side_written_beside_a_plain_diagnosis_give_the_sided_code():
    assert "L03.115" in _ruled("ASSESSMENT:\n1. Right lower extremity cellulitis.\n")
    assert "L03.116" not in _ruled("ASSESSMENT:\n1. Right lower extremity cellulitis.\n")


def test_bilateral_with_no_bilateral_code_gives_the_right_and_the_left_code():
    found = _ruled("ASSESSMENT:\n1. Bilateral lower extremity cellulitis.\n")
    assert {"L03.115", "L03.116"} <= found and "L03.119" not in found


def test_a_sided_joint_osteoarthritis_is_unilateral_primary_by_the_index_default():
    assert "M17.11" in _ruled("ASSESSMENT:\n1. Right knee osteoarthritis.\n")
    assert "M16.12" in _ruled("ASSESSMENT:\n1. Left hip osteoarthritis.\n")


def test_the_index_default_alone_does_not_specify_a_plain_diagnosis():
    found = _ruled("ASSESSMENT:\n1. Osteoarthritis.\n")
    assert "M19.90" in found and "M19.91" not in found and "M19.09" not in found


def test_bilateral_takes_the_categorys_bilateral_code_where_one_exists():
    from coding import codeset

    assert codeset.sided_codes("M17.10", "bilateral") == [
        "M17.0"
    ]  # "Bilateral primary osteoarthritis of knee"
    assert codeset.sided_codes("G56.00", "bilateral") == ["G56.03"]
    found = _ruled("ASSESSMENT:\n1. Bilateral knee osteoarthritis.\n")
    assert "M17.0" in found and "M17.11" not in found
