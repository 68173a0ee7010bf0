"""Round 7 (knowledge base 2026.11.10), taken from batch 10's false alarms and misses as classes.

Note types (kb.json `note_types`, each with its reason): an autopsy report raises no query (no
treating provider writes or amends it); a sleep study's overnight desaturations and PAP titration
are no acute respiratory failure. Context: a body position ("lateral decubitus") is no pressure
injury; "unresponsive to therapy" is no altered mentation; "previous episodes of", and a respiratory
failure introduced by "history of", name a past episode; a planned pre-operative weight loss is no
malnutrition sign; a short "7 day history of" is the present illness. Cultures: a needle aspirate is
a body-fluid specimen (not urine); a blood culture names a pneumonia's organism only beside it; one
low count and a later normal one are two routine panels, not monitoring. The misses: a bloodstream infection with pressor-treated hypotension is sepsis without a stated
antibiotic; "ventilator-dependent, respiratory failure" names its own support. Each edge is tested
with the form that changed and the look-alike that must stay as it was."""

from __future__ import annotations

from cdi.clinical.context import ClinicalText
from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from tests.clinical.notes import note, pairs

PRESSURE_STAGE = ("severity", "pressure_injury_stage")
ARF = ("undocumented_diagnosis", "acute_respiratory_failure")
RESP_ACUITY = ("acuity", "respiratory_failure")
ENCEPHALOPATHY = ("undocumented_diagnosis", "encephalopathy")
HEART_FAILURE = ("acuity", "heart_failure")
MALNUTRITION = ("undocumented_diagnosis", "malnutrition")
SEPSIS = ("undocumented_diagnosis", "sepsis")
MORBID_OBESITY = ("undocumented_diagnosis", "morbid_obesity")
UTI_ORGANISM = ("organism", "urinary_tract_infection")
OTHER_ORGANISM = ("organism", "other_infection")
PNEUMONIA_ORGANISM = ("organism", "pneumonia")


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_knowledge_base_is_round_7():
    assert version(default_knowledge().version) >= (2026, 11, 10)


# --- a body position is not a pressure injury ------------------------------------------------------

OPERATIVE = (
    "PROCEDURE: Revision of the right hip.\n\nDESCRIPTION: The patient was placed in the {position} "
    "with the right side up. The wound was opened and the necrotic tissue was debrided. Wound care "
    "instructions were given.\n"
)


def test_a_lateral_decubitus_position_in_an_operative_note_is_no_pressure_injury():
    for position in ("left lateral decubitus position", "lateral decubitus", "right decubitus position"):
        assert PRESSURE_STAGE not in pairs(detect(OPERATIVE.format(position=position))), position


def test_a_decubitus_in_the_decubitus_position_is_no_pressure_injury():
    assert PRESSURE_STAGE not in pairs(detect(OPERATIVE.format(position="decubitus position")))


def test_a_decubitus_ulcer_still_asks_for_its_stage():
    text = note(
        hpi="He has a sacral decubitus ulcer.",
        assessment="Decubitus ulcer, lower back.",
        plan="Wound care and turning every 2 hours.",
    )
    found = {(f.category, f.condition): f for f in detect(text)}
    assert PRESSURE_STAGE in found
    assert any(span.text.lower().startswith("decubitus ulcer") for span in found[PRESSURE_STAGE].evidence)


def test_a_decubitus_without_ulcer_at_a_site_still_asks_for_its_stage():
    text = note(hpi="She has a decubitus on the right trochanter, 3 x 4 cm, with slough.", plan="Wound care.")
    assert PRESSURE_STAGE in pairs(detect(text))


# --- note types: sleep studies ----------------------------------------------------------------------

SLEEP_STUDY = (
    "PROCEDURE: Overnight polysomnogram with CPAP titration for suspected obstructive sleep apnea.\n\n"
    "DETAILS: Total sleep time 400 minutes, sleep efficiency 85%, sleep onset 12 minutes. The "
    "apnea-hypopnea index was 42 events per hour. The oxygen saturation was 86% on room air. "
    "CPAP was titrated to 10 cm of water.\n\nIMPRESSION: Severe obstructive sleep apnea.\n"
)


def test_a_sleep_study_is_recognised_by_three_different_measures():
    kb = default_knowledge()
    assert [nt.name for nt in kb.note_types_of(SLEEP_STUDY)] == ["sleep_study"]
    assert kb.note_types_of("PLAN: a sleep study as an outpatient; total sleep time was poor.") == ()


def test_a_sleep_study_raises_no_acute_respiratory_failure():
    assert ARF not in pairs(detect(SLEEP_STUDY))


def test_a_sleep_study_withholds_only_that_query():
    kb = default_knowledge()
    sleep = next(nt for nt in kb.note_types if nt.name == "sleep_study")
    assert sleep.suppresses(*ARF)
    assert not sleep.suppresses(*MORBID_OBESITY)
    assert not sleep.suppresses(*RESP_ACUITY)


def test_an_inpatient_with_a_past_sleep_study_still_gets_the_acute_respiratory_failure_query():
    text = note(
        hpi=(
            "Known obstructive sleep apnea on a prior sleep study. Today in severe respiratory distress, "
            "using accessory muscles, speaking in short sentences, SpO2 84% on room air, RR 32."
        ),
        assessment="COPD exacerbation.",
        plan="BiPAP started in the ICU.",
    )
    assert ARF in pairs(detect(text))


# --- note types: autopsy reports ------------------------------------------------------------------

AUTOPSY = (
    "SUMMARY OF CLINICAL HISTORY: The patient was a 40-year-old man who called EMS with chest pain. "
    "He was tachypneic at 40 breaths per minute with an oxygen saturation of 85% on room air, in "
    "respiratory distress with accessory muscle use. He became unresponsive and was given Narcan, "
    "was intubated and had a cardiac arrest. His sodium was 121 and he was confused before the "
    "arrest. He was pronounced dead in the emergency department.\n\n"
    "EXTERNAL EXAMINATION: The body is that of a well-developed man.\n\n"
    "CAUSE OF DEATH: Pulmonary embolism, confirmed at autopsy.\n"
)


def test_an_autopsy_report_raises_no_gap():
    assert [nt.name for nt in default_knowledge().note_types_of(AUTOPSY)] == ["autopsy"]
    assert detect(AUTOPSY) == []


def test_the_same_terminal_events_in_a_clinical_note_still_raise_gaps():
    clinical = AUTOPSY.replace("EXTERNAL EXAMINATION", "PHYSICAL EXAMINATION").replace(
        ", confirmed at autopsy", ""
    )
    assert detect(clinical) != []


def test_an_autopsy_report_needs_its_header_and_an_autopsy_word():
    kb = default_knowledge()
    clinical = AUTOPSY.replace("EXTERNAL EXAMINATION", "PHYSICAL EXAMINATION")
    assert kb.note_types_of(clinical) == ()
    assert kb.note_types_of(AUTOPSY.replace(", confirmed at autopsy", "")) == ()


def test_a_death_summary_that_mentions_an_autopsy_is_no_autopsy_report():
    text = note(hpi="Autopsy was declined by the family.", assessment="Expired.")
    assert default_knowledge().note_types_of(text) == ()


# --- "unresponsive to therapy" ----------------------------------------------------------------------


def _ams_note(phrase: str) -> str:
    return note(
        hpi=f"End-stage renal disease on hemodialysis with uremia. {phrase}",
        assessment="Uremia.",
        plan="Hemodialysis today.",
    )


def test_unresponsive_to_therapy_is_no_altered_mentation():
    for phrase in (
        "His back pain became unresponsive to medical therapy including narcotics.",
        "The effusion was unresponsive to treatment.",
        "Pain unresponsive to conservative management.",
    ):
        assert ENCEPHALOPATHY not in pairs(detect(_ams_note(phrase))), phrase


def test_an_unresponsive_patient_still_counts():
    for phrase in ("He was found unresponsive at home.", "He is unresponsive to verbal stimuli."):
        assert ENCEPHALOPATHY in pairs(detect(_ams_note(phrase))), phrase


# --- past episodes ------------------------------------------------------------------------------------


def _historical(sentence: str, word: str, chronic: bool = True) -> bool:
    doc = ClinicalText(sentence)
    start = sentence.index(word)
    return doc.context(start, start + len(word), chronic=chronic).historical


def test_previous_episodes_of_a_chronic_condition_are_past():
    assert _historical("She has had previous episodes of congestive heart failure.", "congestive")
    assert _historical("Past episodes of heart failure were treated elsewhere.", "heart failure")
    assert not _historical("She has congestive heart failure on Lasix.", "congestive")
    assert not _historical("History of congestive heart failure, on Lasix.", "congestive")


def test_previous_episodes_of_chf_in_a_catheterization_raise_no_heart_failure_query():
    text = (
        "HISTORY: A 75-year-old woman with aortic stenosis. She has had atrial fibrillation and "
        "previous episodes of congestive heart failure. She has dyspnea on exertion and occasionally "
        "orthopnea and paroxysmal nocturnal dyspnea. Echocardiography showed severe aortic stenosis. "
        "She takes Lasix 20 mg daily.\n\nPROCEDURE: Left heart catheterization.\n"
    )
    assert HEART_FAILURE not in pairs(detect(text))
    assert HEART_FAILURE in pairs(detect(text.replace("previous episodes of congestive", "congestive")))


def test_current_heart_failure_with_indicators_still_asks_for_type_and_acuity():
    text = note(
        hpi="History of congestive heart failure with orthopnea. EF 25%.",
        assessment="Congestive heart failure.",
        plan="IV Lasix 40 mg twice daily.",
    )
    assert HEART_FAILURE in pairs(detect(text))


def test_a_history_of_respiratory_failure_is_a_past_episode():
    text = note(
        assessment=(
            "End-stage COPD with a history of respiratory failure requiring mechanical ventilatory "
            "support with tracheostomy tube placement."
        ),
        plan="Tracheostomy tube change.",
    )
    assert RESP_ACUITY not in pairs(detect(text))


def test_current_respiratory_failure_on_support_still_asks_for_acuity():
    for statement in (
        "Ventilator-dependent respiratory failure with tracheostomy in place.",
        "Respiratory failure, on BiPAP overnight.",
    ):
        text = note(assessment=statement, plan="Continue ventilator support via tracheostomy.")
        assert RESP_ACUITY in pairs(detect(text)), statement


def test_a_short_history_of_a_symptom_is_the_present_illness():
    sentence = "He was admitted for a 7 day history of fevers, chills and myalgias."
    assert not _historical(sentence, "fevers", chronic=False)
    assert not _historical("She reports a two-week history of cough.", "cough", chronic=False)
    assert _historical("He has a 10-year history of pneumonia.", "pneumonia", chronic=False)


# --- planned weight loss ----------------------------------------------------------------------------


def test_a_planned_preoperative_weight_loss_is_no_malnutrition_sign():
    text = note(
        hpi="Evaluated for gastric bypass. BMI 45. She was seen by the dietician.",
        plan="I have recommended six weeks of a meal replacement plan to obtain a 10% preoperative weight loss.",
    )
    assert MALNUTRITION not in pairs(detect(text))


def test_an_unintended_weight_loss_with_nutrition_support_still_counts():
    text = note(
        hpi="Unintentional weight loss of 20 lb over 3 months with poor oral intake. BMI 17.",
        plan="Seen by the dietitian; oral nutritional supplements three times daily.",
    )
    assert MALNUTRITION in pairs(detect(text))


# --- cultures and their specimens ---------------------------------------------------------------------

SEPTIC_KNEE = (
    "PREOPERATIVE DIAGNOSIS: Septic left total knee arthroplasty.\n\n"
    "INDICATIONS: Worsening knee pain for a month following a urinary tract infection. The knee was "
    "aspirated in the office and cultures were positive for Escherichia coli.\n\n"
    "PROCEDURE: Arthroscopic irrigation and debridement. IV cefazolin was given.\n"
)


def test_a_joint_aspirate_culture_names_the_joint_infection_not_a_urinary_one():
    found = pairs(detect(SEPTIC_KNEE))
    assert UTI_ORGANISM not in found
    assert OTHER_ORGANISM in found


def test_a_urine_culture_still_names_the_urinary_infection():
    text = SEPTIC_KNEE.replace("knee was aspirated in the office and cultures", "urine cultures")
    assert UTI_ORGANISM in pairs(detect(text))


PAST_PNEUMONIA = (
    "HISTORY: Admitted for fevers and chills. Blood and urine cultures were positive for "
    "Staphylococcus aureus. He was treated with nafcillin.\n\n"
    + ("He is otherwise well and lives alone. " * 12)
    + "\n\nHe underwent mitral valve replacement in the spring. His postoperative recovery was "
    "complicated by pneumonia, pericardial effusion and dysphagia.\n"
)


def test_a_blood_culture_paragraphs_away_names_no_pneumonia_organism():
    assert PNEUMONIA_ORGANISM not in pairs(detect(PAST_PNEUMONIA))


def test_a_blood_culture_beside_the_pneumonia_still_names_its_organism():
    text = note(
        hpi="Productive cough and fever.",
        assessment="Pneumonia. Blood cultures grew Streptococcus pneumoniae.",
        plan="IV ceftriaxone.",
    )
    assert PNEUMONIA_ORGANISM in pairs(detect(text))


# --- the misses ---------------------------------------------------------------------------------------


def test_a_bacteremia_with_fever_and_pressor_treated_hypotension_is_a_sepsis_query():
    text = note(
        hpi=(
            "He was discovered to have a MRSA bacteremia with elevated fever from his dialysis catheter. "
            "He did require a short course of Levophed for hypotension."
        ),
        assessment="Infected dialysis catheter, removed.",
    )
    assert SEPSIS in pairs(detect(text))


def test_a_bacteremia_without_sirs_or_organ_dysfunction_is_no_sepsis_query():
    text = note(hpi="A MRSA bacteremia from his dialysis catheter.", assessment="Infected catheter, removed.")
    assert SEPSIS not in pairs(detect(text))


def test_fevers_in_a_short_history_with_a_positive_blood_culture_and_tachycardia_is_a_sepsis_query():
    text = (
        "HX: Admitted for a 7 day history of fevers, chills and myalgias. Blood cultures were positive "
        "for Staphylococcus aureus.\n\nEXAM: BP 123/54, HR 117, RR 16.\n"
    )
    assert SEPSIS in pairs(detect(text))


def test_ventilator_dependent_comma_respiratory_failure_in_a_procedure_note():
    text = (
        "PROCEDURE PERFORMED: Triple-lumen catheter insertion.\n\nINDICATIONS: The patient is "
        "ventilator-dependent, respiratory failure with tracheostomy in place, and needs central access.\n"
    )
    assert RESP_ACUITY in pairs(detect(text))


def test_an_operative_ventilator_alone_is_still_no_support():
    text = (
        "PROCEDURE PERFORMED: Triple-lumen catheter insertion under general anesthesia on the "
        "ventilator.\n\nINDICATIONS: Past respiratory failure; needs central access.\n"
    )
    assert RESP_ACUITY not in pairs(detect(text))


# --- two routine panels are not a low count being followed ------------------------------------------

THROMBOCYTOPENIA = ("undocumented_diagnosis", "thrombocytopenia")


def test_one_low_platelet_count_and_a_later_normal_one_are_no_monitoring():
    text = note(
        hpi="Admitted with diplopia.",
        labs="On admission Hgb 11.3, WBC 10.0, Plt 148k. Two weeks later Hgb 10.1, WBC 5.2, Plt 234k.",
        assessment="Lupus flare.",
    )
    assert THROMBOCYTOPENIA not in pairs(detect(text))


def test_two_low_platelet_counts_or_a_recheck_order_are_still_monitoring():
    two_low = note(labs="Plt 88k on admission. Plt 92k the next day.", assessment="Pneumonia.")
    assert THROMBOCYTOPENIA in pairs(detect(two_low))
    ordered = note(labs="Plt 88k.", assessment="Pneumonia.", plan="Recheck platelets in the morning.")
    assert THROMBOCYTOPENIA in pairs(detect(ordered))
