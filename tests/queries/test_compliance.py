"""The checker on good and bad queries modelled on the AHIMA/ACDIS practice brief's own examples."""

from __future__ import annotations

import pytest

from cdi.queries import QueryCandidate, check_query

HF_INDICATORS = [
    "'history of chronic congestive heart failure' — H&P 11/02",
    "'left ventricular ejection fraction 25%' — echocardiogram 10/15",
    "Furosemide 40 mg PO daily and lisinopril 10 mg daily (home medications, H&P 11/02)",
]
HF_OPTIONS = [
    "Chronic systolic heart failure",
    "Acute on chronic systolic heart failure",
    "Chronic diastolic heart failure",
    "Acute on chronic diastolic heart failure",
    "Other (please specify)",
    "Clinically undetermined",
]


def codes(query: QueryCandidate) -> set[str]:
    return {p.code for p in check_query(query)}


def heart_failure_query(**changes: object) -> QueryCandidate:
    # Modelled on the brief's compliant multiple-choice example: a hip-fracture admission whose H&P
    # documents chronic CHF, with a recent echo EF and home diuretic as indicators.
    fields: dict[str, object] = {
        "id": "hf",
        "format": "multiple_choice",
        "purpose": "specificity",
        "indicators": HF_INDICATORS,
        "question": "Based on your clinical judgment, please clarify the type and acuity of the heart failure "
        "documented in the H&P.",
        "options": HF_OPTIONS,
    }
    fields.update(changes)
    return QueryCandidate(**fields)  # type: ignore[arg-type]


def anemia_query(**changes: object) -> QueryCandidate:
    fields: dict[str, object] = {
        "id": "anemia",
        "format": "multiple_choice",
        "purpose": "new_diagnosis",
        "indicators": [
            "Hemoglobin 12.8 g/dL (lab, 11/02) and 8.1 g/dL (lab, 11/03)",
            "'estimated blood loss 900 mL' — operative note 11/02",
            "Transfusion of 2 units packed red blood cells (MAR, 11/03)",
        ],
        "question": "Based on your clinical judgment, please clarify the diagnosis, if any, that the clinical "
        "indicators represent.",
        "options": [
            "Acute blood loss anemia",
            "Dilutional anemia",
            "Anemia of chronic disease",
            "Expected operative blood loss without anemia",
            "Other (please specify)",
            "Clinically undetermined",
        ],
    }
    fields.update(changes)
    return QueryCandidate(**fields)  # type: ignore[arg-type]


SEPSIS_INDICATORS = [
    "WBC 14,000 (lab, 11/02)",
    "Respiratory rate 24 (vital signs, 11/02)",
    "Temperature 102 F (vital signs, 11/02)",
    "Heart rate 120 (vital signs, 11/02)",
    "'hypotensive, confused' — H&P 11/02",
    "IV antibiotic and IV fluid resuscitation (MAR, 11/02)",
]


def test_it_passes_the_compliant_multiple_choice_heart_failure_query() -> None:
    assert check_query(heart_failure_query()) == []


def test_it_passes_the_compliant_anemia_query() -> None:
    assert check_query(anemia_query()) == []


def test_it_passes_the_non_leading_open_ended_query() -> None:
    # The brief's non-leading version of the sepsis example: the diagnosis is not named.
    query = QueryCandidate(
        id="open",
        format="open_ended",
        purpose="new_diagnosis",
        indicators=SEPSIS_INDICATORS,
        question="In this patient admitted with pneumonia, based on your clinical judgment, can you provide a "
        "diagnosis that represents the clinical indicators listed? Please document the condition and the "
        "causative organism (if known) in the medical record.",
    )
    assert check_query(query) == []


def test_it_rejects_the_leading_open_ended_sepsis_question() -> None:
    query = QueryCandidate(
        id="lead",
        format="open_ended",
        purpose="new_diagnosis",
        indicators=SEPSIS_INDICATORS,
        question="The patient has elevated WBCs, tachycardia, and is given an IV antibiotic for Pseudomonas "
        "cultured from the blood. Are you treating for sepsis?",
    )
    assert "single_diagnosis_question" in codes(query)


@pytest.mark.parametrize(
    "purpose", ["present_on_admission", "confirm_documented", "cause_and_effect", "conflicting_documentation"]
)
def test_it_allows_yes_no_for_the_purposes_the_guidelines_name(purpose: str) -> None:
    query = QueryCandidate(
        id="yn",
        format="yes_no",
        purpose=purpose,
        indicators=["'stage 3 pressure injury, sacrum' — wound care note 11/04"],
        question="Was the stage 3 pressure injury of the sacrum, documented in the wound care note of 11/04, "
        "present at the time of inpatient admission?",
        options=["Yes", "No", "Clinically undetermined"],
    )
    assert check_query(query) == []


@pytest.mark.parametrize("purpose", ["new_diagnosis", "specificity"])
def test_it_rejects_yes_no_for_a_new_or_more_specific_diagnosis(purpose: str) -> None:
    query = QueryCandidate(
        id="yn",
        format="yes_no",
        purpose=purpose,
        indicators=["Sodium 128 mmol/L (lab, 11/02)", "Fluid restriction 1.5 L/day (orders, 11/02)"],
        question="Based on your clinical judgment, is hyponatremia present?",
        options=["Yes", "No", "Clinically undetermined"],
    )
    assert "yes_no_not_allowed" in codes(query)


def test_it_rejects_a_yes_no_query_that_introduces_a_diagnosis() -> None:
    query = QueryCandidate(
        id="yn",
        format="yes_no",
        purpose="new_diagnosis",
        indicators=["Hemoglobin 8.1 g/dL (lab, 11/03)"],
        question="Does the patient have acute blood loss anemia?",
        options=["Yes", "No"],
    )
    assert {"yes_no_not_allowed", "single_diagnosis_question", "yes_no_options"} <= codes(query)


def test_it_rejects_a_yes_no_query_without_an_undetermined_answer() -> None:
    query = QueryCandidate(
        id="yn",
        format="yes_no",
        purpose="present_on_admission",
        indicators=["'sacral pressure injury' — nursing admission assessment 11/02"],
        question="Was the sacral pressure injury present on admission?",
        options=["Yes", "No"],
    )
    assert codes(query) == {"yes_no_options"}


def test_it_rejects_a_query_citing_no_indicators() -> None:
    assert codes(heart_failure_query(indicators=[])) == {"no_indicators"}
    assert codes(heart_failure_query(indicators=["  ", ""])) == {"no_indicators"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Documenting the acuity would add an MCC and improve reimbursement.",
        "Clarifying this changes the MS-DRG.",
        "This affects the case-mix index.",
        "Specificity raises the CMI for the service line.",
        "The payment for this stay depends on your answer.",
        "This is worth $4,200.",
        "Re-imbursement is affected.",
    ],
)
def test_it_rejects_a_query_mentioning_money(sentence: str) -> None:
    query = heart_failure_query(question=heart_failure_query().question + " " + sentence)
    assert "financial_impact" in codes(query)


@pytest.mark.parametrize(
    "sentence",
    [
        "This will improve our quality scores.",
        "Our hospital star rating depends on it.",
        "Core measures apply.",
    ],
)
def test_it_rejects_a_query_mentioning_quality_ratings(sentence: str) -> None:
    query = heart_failure_query(question=heart_failure_query().question + " " + sentence)
    assert "quality_impact" in codes(query)


def test_it_finds_money_words_in_options_too() -> None:
    options = [*HF_OPTIONS[:-1], "Clinically undetermined (no DRG change)"]
    assert "financial_impact" in codes(heart_failure_query(options=options))


@pytest.mark.parametrize(
    "question",
    [
        "Please document acute on chronic systolic heart failure.",
        "PLEASE -- DOCUMENT: acute CHF!!",
        "Would you agree that the heart failure is acute on chronic systolic?",
        "Can you confirm acute on chronic systolic heart failure?",
        "It appears the patient has acute systolic heart failure; please clarify.",
        "Consider documenting the acuity of the heart failure.",
        "The indicators meet criteria for acute heart failure; please clarify the type.",
    ],
)
def test_it_rejects_leading_phrasing(question: str) -> None:
    assert "leading_phrase" in codes(heart_failure_query(question=question))


def test_it_allows_asking_for_the_response_to_be_documented() -> None:
    question = heart_failure_query().question + " Please document your response in the medical record."
    assert check_query(heart_failure_query(question=question)) == []


def test_it_rejects_a_single_diagnosis_presented_as_the_answer() -> None:
    # Hyponatremia / Other / Undetermined: one diagnosis is the only real choice.
    query = QueryCandidate(
        id="one",
        format="multiple_choice",
        purpose="new_diagnosis",
        indicators=["Sodium 127 mmol/L (lab, 11/02)", "Fluid restriction 1.2 L/day (orders, 11/02)"],
        question="Based on your clinical judgment, please clarify the diagnosis, if any, that the clinical "
        "indicators represent.",
        options=["Hyponatremia", "Other (please specify)", "Clinically undetermined"],
    )
    assert codes(query) == {"too_few_options"}


def test_it_does_not_count_not_clinically_significant_as_a_clinical_option() -> None:
    query = heart_failure_query(
        options=[
            "Chronic systolic heart failure",
            "Not clinically significant",
            "Other",
            "Unable to determine",
        ]
    )
    assert codes(query) == {"too_few_options"}


def test_it_requires_other_and_clinically_undetermined() -> None:
    assert codes(heart_failure_query(options=HF_OPTIONS[:4])) == {
        "missing_other_option",
        "missing_undetermined_option",
    }
    assert codes(heart_failure_query(options=[*HF_OPTIONS[:4], "Clinically undetermined"])) == {
        "missing_other_option"
    }


def test_it_accepts_equivalent_wording_for_the_required_options() -> None:
    options = [*HF_OPTIONS[:4], "OTHER: ____________", "Unable to determine."]
    assert check_query(heart_failure_query(options=options)) == []


def test_it_does_not_take_a_clinical_option_with_cause_undetermined_for_the_undetermined_option() -> None:
    options = [*HF_OPTIONS[:4], "Other (please specify)", "Heart failure, type undetermined"]
    assert "missing_undetermined_option" in codes(heart_failure_query(options=options))


def test_it_rejects_an_option_unrelated_to_the_indicators() -> None:
    options = [*HF_OPTIONS[:4], "Sepsis", *HF_OPTIONS[4:]]
    problems = check_query(heart_failure_query(options=options))
    assert [p.code for p in problems] == ["unrelated_option"]
    assert '"Sepsis"' in problems[0].message


def test_it_accepts_an_option_named_by_the_indicators() -> None:
    # Infection indicators make sepsis a reasonable answer beside the organism options.
    query = QueryCandidate(
        id="pna",
        format="multiple_choice",
        purpose="specificity",
        indicators=["'sputum culture: Pseudomonas aeruginosa' — microbiology 11/03", "WBC 15.2 (lab, 11/02)"],
        question='The record documents "pneumonia" without an organism. Please clarify the organism, if known.',
        options=[
            "Pneumonia due to Pseudomonas aeruginosa",
            "Pneumonia due to Klebsiella pneumoniae",
            "Sepsis due to Pseudomonas aeruginosa",
            "Other (please specify)",
            "Clinically undetermined",
        ],
    )
    assert check_query(query) == []


def test_it_accepts_options_for_a_condition_named_only_in_the_question() -> None:
    query = QueryCandidate(
        id="gout",
        format="multiple_choice",
        purpose="specificity",
        indicators=[
            "Uric acid 9.8 mg/dL (lab, 11/02)",
            "'swollen, erythematous right first MTP' — H&P 11/02",
        ],
        question='The record documents "gout". Based on your clinical judgment, please clarify its acuity.',
        options=["Acute gout flare", "Chronic gout", "Other (please specify)", "Clinically undetermined"],
    )
    assert check_query(query) == []
    unrelated = [*query.options[:2], "Acute pancreatitis", *query.options[2:]]
    assert codes(QueryCandidate(**{**query.__dict__, "options": unrelated})) == {"unrelated_option"}


def test_it_flags_repeated_options() -> None:
    options = [*HF_OPTIONS[:4], "chronic systolic heart failure.", *HF_OPTIONS[4:]]
    assert codes(heart_failure_query(options=options)) == {"duplicate_option"}


def test_it_names_unknown_formats_and_purposes() -> None:
    assert {"unknown_format", "unknown_purpose"} <= codes(
        heart_failure_query(format="checkbox", purpose="upcode")
    )


def test_every_problem_says_what_to_fix() -> None:
    bad = heart_failure_query(
        indicators=[],
        question="Please document sepsis to raise the DRG.",
        options=["Sepsis"],
        format="multiple_choice",
    )
    problems = check_query(bad)
    assert len(problems) >= 5
    for problem in problems:
        assert problem.code and len(problem.message) > 20
        assert str(problem).startswith(problem.code + ": ")


def test_it_accepts_present_on_admission_answers_as_multiple_choice_options() -> None:
    query = QueryCandidate(
        id="poa",
        format="multiple_choice",
        purpose="present_on_admission",
        indicators=["'stage 3 pressure injury, sacrum' — wound care note 11/04"],
        question="Was the sacral pressure injury documented on 11/04 present at the time of inpatient admission?",
        options=[
            "Present on admission",
            "Not present on admission (developed during the stay)",
            "Other (please specify)",
            "Clinically undetermined",
        ],
    )
    assert check_query(query) == []


def test_it_is_insensitive_to_case_accents_and_punctuation() -> None:
    shouty = heart_failure_query(
        question="WOULD   YOU... AGREE?? the heart failure is acute!",
        options=[
            "CHRONIC SYSTOLIC HEART FAILURE",
            "Acute-on-chronic systolic heart failure",
            "OTHER:",
            "UNABLE TO DETERMINE",
        ],
    )
    assert codes(shouty) == {"leading_phrase"}
    assert "financial_impact" in codes(
        heart_failure_query(question="Clarify the type (the MS‑DRG depends on it).")
    )
    assert "quality_impact" in codes(
        heart_failure_query(question="Clarify the type; it affects our Quality-Ratings.")
    )


def test_it_does_not_take_clinical_abbreviations_in_quoted_indicators_for_money() -> None:
    indicators = [
        *HF_INDICATORS,
        "'HCC with portal vein thrombosis' — CT abdomen 11/01",
        "'lives with paid caregiver' — SW 11/02",
    ]
    assert check_query(heart_failure_query(indicators=indicators)) == []
    assert "financial_impact" in codes(
        heart_failure_query(question="Clarify the type; this adds an MCC and HCC.")
    )
    money_indicator = [*HF_INDICATORS, "Documenting acuity changes the DRG payment"]
    assert "financial_impact" in codes(heart_failure_query(indicators=money_indicator))


def test_the_minimum_number_of_clinical_options_can_follow_the_briefs_letter() -> None:
    # The brief recognises there may be only one reasonable option; a program can choose that reading.
    query = heart_failure_query(
        options=["Chronic systolic heart failure", "Other (please specify)", "Clinically undetermined"]
    )
    assert codes(query) == {"too_few_options"}
    assert check_query(query, min_clinical_options=1) == []
