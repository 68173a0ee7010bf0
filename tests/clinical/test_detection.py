from __future__ import annotations

import pytest

from cdi.clinical.detection import RULE_THRESHOLD, candidate_pairs, detect, detect_candidates
from cdi.clinical.facts import StructuredData, StructuredObservation
from tests.clinical.notes import note, pairs

HYPONATREMIA = ("undocumented_diagnosis", "hyponatremia")
HYPOKALEMIA = ("undocumented_diagnosis", "hypokalemia")
SEPSIS = ("undocumented_diagnosis", "sepsis")


@pytest.mark.parametrize(("sodium", "expected"), [(134, True), (135, False)])
def test_sodium_threshold_edge(sodium, expected):
    text = note(labs=f"Sodium {sodium}, potassium 4.1.", plan="Fluid restriction to 1.2 L per day.")
    assert (HYPONATREMIA in pairs(detect(text))) is expected


@pytest.mark.parametrize(("potassium", "expected"), [(3.4, True), (3.5, False)])
def test_potassium_threshold_edge(potassium, expected):
    text = note(labs=f"Potassium {potassium}.", plan="KCl 40 mEq p.o. x2.")
    assert (HYPOKALEMIA in pairs(detect(text))) is expected


@pytest.mark.parametrize(("potassium", "expected"), [(5.3, True), (5.2, False)])
def test_hyperkalemia_edge(potassium, expected):
    text = note(labs=f"Potassium {potassium}.", plan="Kayexalate 30 g given.")
    assert (("undocumented_diagnosis", "hyperkalemia") in pairs(detect(text))) is expected


def test_an_indicator_without_treatment_is_no_gap():
    text = note(labs="Sodium 129.", assessment="Hypertension.")
    assert HYPONATREMIA not in pairs(detect(text))
    # ...but it remains a weak candidate that a model may score.
    weak = {(f.category, f.condition): f for f in detect_candidates(text)}
    assert weak[HYPONATREMIA].rule_confidence < RULE_THRESHOLD


def test_a_documented_diagnosis_closes_the_gap():
    text = note(labs="Sodium 126.", assessment="Hyponatremia from SIADH.", plan="Fluid restriction.")
    assert HYPONATREMIA not in pairs(detect(text))


def test_a_negated_diagnosis_does_not_document_it():
    text = note(labs="Sodium 126.", assessment="No hyponatremia per the patient.", plan="Fluid restriction.")
    assert HYPONATREMIA in pairs(detect(text))


def test_a_medication_list_entry_does_not_count_when_allergic():
    text = "ALLERGIES: Potassium chloride.\n\nLABORATORY DATA: Potassium 3.1.\n\nASSESSMENT: Stable.\n"
    assert HYPOKALEMIA not in pairs(detect(text))


def sepsis_note(assessment: str, plan: str = "Ceftriaxone 1 g IV daily.") -> str:
    return note(labs="T 102.4, HR 118, WBC 17.5.", assessment=assessment, plan=plan)


def test_sepsis_from_sirs_with_a_treated_infection():
    assert SEPSIS in pairs(detect(sepsis_note("Pneumonia.")))


def test_no_pneumonia_means_no_infection_for_sepsis():
    assert SEPSIS not in pairs(detect(sepsis_note("No pneumonia on imaging.")))


def test_documented_sepsis_closes_the_gap():
    assert SEPSIS not in pairs(detect(sepsis_note("Sepsis due to pneumonia.")))


def test_untreated_infection_is_no_sepsis_gap():
    assert SEPSIS not in pairs(detect(sepsis_note("Pneumonia.", plan="Follow up in clinic.")))


def test_family_history_of_pneumonia_is_not_an_infection():
    text = note(
        family="Father died of pneumonia.", labs="T 102.4, HR 118, WBC 17.5.", plan="Ceftriaxone 1 g IV."
    )
    assert SEPSIS not in pairs(detect(text))


ORGANISM = ("organism", "pneumonia")


def test_organism_gap_when_a_culture_names_it():
    text = note(
        labs="Sputum culture grew Pseudomonas aeruginosa.", assessment="Pneumonia.", plan="Cefepime IV."
    )
    assert ORGANISM in pairs(detect(text))


def test_organism_already_documented_is_no_gap():
    text = note(
        labs="Sputum culture grew Pseudomonas aeruginosa.",
        assessment="Pseudomonas pneumonia.",
        plan="Cefepime IV.",
    )
    assert ORGANISM not in pairs(detect(text))


def test_pneumonia_without_an_organism_indicator_is_no_gap():
    text = note(assessment="Pneumonia.", plan="Ceftriaxone IV.")
    assert ORGANISM not in pairs(detect(text))


def test_a_negated_pneumonia_is_not_an_infection_for_an_organism_gap():
    text = note(
        labs="Sputum culture grew Pseudomonas aeruginosa.", assessment="No pneumonia; colonisation only."
    )
    assert ORGANISM not in pairs(detect(text))


HEART_FAILURE = ("acuity", "heart_failure")


def test_chronic_chf_in_history_on_diuretics_is_a_current_acuity_gap():
    text = note(pmh="History of CHF.", labs="Echo: EF 30%.", plan="Continue Lasix 40 mg daily.")
    assert HEART_FAILURE in pairs(detect(text))


def test_resolved_heart_failure_is_no_gap():
    text = note(pmh="CHF, resolved after valve surgery years ago.", labs="EF 30%.", plan="Continue Lasix.")
    assert HEART_FAILURE not in pairs(detect(text))


def test_specified_heart_failure_is_no_gap():
    text = note(assessment="Acute on chronic systolic heart failure.", labs="EF 25%.", plan="IV Lasix.")
    assert HEART_FAILURE not in pairs(detect(text))


def test_family_heart_failure_is_no_gap():
    text = note(family="Mother had congestive heart failure.", labs="EF 55%.", plan="Lasix 20 mg daily.")
    assert HEART_FAILURE not in pairs(detect(text))


def test_aki_from_a_kdigo_rise_with_fluids():
    text = note(
        labs="Creatinine 1.5 up from 1.2 yesterday.", plan="IV fluids; recheck creatinine in the morning."
    )
    assert ("undocumented_diagnosis", "acute_kidney_injury") in pairs(detect(text))


def test_a_creatinine_rise_below_kdigo_is_no_aki():
    text = note(labs="Creatinine 1.4 up from 1.2 yesterday.", plan="IV fluids.")
    assert ("undocumented_diagnosis", "acute_kidney_injury") not in pairs(detect(text))


def test_morbid_obesity_from_bmi_only():
    assert ("undocumented_diagnosis", "morbid_obesity") in pairs(detect(note(labs="BMI 42.")))
    assert ("undocumented_diagnosis", "morbid_obesity") not in pairs(
        detect(note(labs="BMI 42.", assessment="Morbid obesity."))
    )


def test_blood_loss_anemia_needs_bleeding():
    labs = "Hemoglobin 12.1 -> 8.4."
    bleeding = note(hpi="Melena for two days.", labs=labs, plan="Transfused 2 units PRBC.")
    no_bleeding = note(labs=labs, plan="Transfused 2 units PRBC.")
    abla = ("undocumented_diagnosis", "acute_blood_loss_anemia")
    assert abla in pairs(detect(bleeding))
    assert abla not in pairs(detect(no_bleeding))


def test_evidence_spans_equal_the_note_text():
    text = note(
        hpi="Melena.",
        labs="Sodium 128 -> 131, potassium 3.1, Hgb 11.9 -> 8.2, T 102.2, HR 120, WBC 18.1, BMI 44.",
        assessment="Pneumonia. CHF.",
        plan="Fluid restriction. KCl 40 mEq. Transfused 1 unit PRBC. Ceftriaxone IV. IV Lasix.",
    )
    findings = detect(text)
    assert len(findings) >= 5
    for finding in findings:
        assert 0 <= finding.confidence <= 1 and finding.evidence
        for span in finding.evidence:
            assert text[span.start : span.end] == span.text


def test_structured_observations_and_conditions_are_used():
    text = note(assessment="Stable.", plan="Fluid restriction to 1 L.")
    structured = StructuredData(observations=[StructuredObservation("sodium", 127, "mmol/L", "2026-11-20")])
    # A value with no span in the note cannot be highlighted, so evidence comes from the plan.
    found = {(f.category, f.condition): f for f in detect(text, structured)}
    assert found[HYPONATREMIA].indicators[0].date == "2026-11-20"
    documented = StructuredData(observations=structured.observations, conditions=["E87.1"])
    assert HYPONATREMIA not in pairs(detect(text, documented))


def test_the_scorer_hook_combines_and_thresholds():
    text = note(labs="Sodium 129.", plan="Fluid restriction.")
    seen = []

    def scorer(batch):
        seen.extend(batch)
        return [0.0] * len(batch)

    assert HYPONATREMIA not in pairs(detect(text, scorer=scorer))
    assert seen and all(isinstance(a, str) and isinstance(b, str) for a, b in seen)
    found = {(f.category, f.condition): f for f in detect(text, scorer=lambda batch: [1.0] * len(batch))}
    assert found[HYPONATREMIA].model_probability == 1.0 and found[HYPONATREMIA].confidence > 0.8


def test_a_confident_model_can_raise_a_weak_rule_candidate():
    text = note(labs="Sodium 129.", assessment="Hypertension.")
    assert HYPONATREMIA not in pairs(detect(text))
    assert HYPONATREMIA in pairs(detect(text, scorer=lambda batch: [0.99] * len(batch)))


def test_candidate_pairs_describe_the_candidate_and_quote_the_note():
    text = note(labs="Sodium 129.", plan="Fluid restriction.")
    findings = detect(text)
    [(description, window)] = candidate_pairs(text, findings)
    assert "hyponatremia" in description and "Sodium 129" in window
