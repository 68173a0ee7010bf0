from __future__ import annotations

from coding import codeset
from coding.setting import INPATIENT, OUTPATIENT, coding_setting
from coding.suggest import suggest_codes

NOTE = (
    "DISCHARGE DIAGNOSES:\n"
    "1. Community-acquired pneumonia.\n"
    "2. Type 2 diabetes mellitus with chronic kidney disease stage 3, on insulin.\n"
    "3. Probable urinary tract infection.\n"
    "PAST MEDICAL HISTORY: Hypertension. History of appendicitis.\n"
    "FAMILY HISTORY: Mother with breast cancer.\n"
    "REVIEW OF SYSTEMS: No chest pain. No seizures.\n"
    "HOSPITAL COURSE: Admitted and treated with ceftriaxone. No evidence of sepsis.\n"
)


def test_every_evidence_span_indexes_the_note_exactly():
    result = suggest_codes(NOTE)
    assert result.suggestions
    for suggestion in result.suggestions:
        assert suggestion.evidence, suggestion.code
        assert suggestion.why
        for item in suggestion.evidence:
            assert NOTE[item.start : item.end] == item.text


def test_it_respects_negation_family_and_history():
    found = [s.code for s in suggest_codes(NOTE).suggestions]
    assert "A41.9" not in found  # "No evidence of sepsis"
    assert "C50.919" not in found  # the mother's cancer
    assert "K37" not in found  # a past appendicitis
    assert "R07.9" not in found and "R56.9" not in found  # negated in the review of systems


def test_it_codes_uncertain_diagnoses_only_under_inpatient_rules():
    assert coding_setting(NOTE) == INPATIENT
    inpatient = [s.code for s in suggest_codes(NOTE).suggestions]
    assert "N39.0" in inpatient
    office = "OFFICE VISIT\nASSESSMENT: Probable urinary tract infection. Dysuria.\n"
    assert coding_setting(office) == OUTPATIENT
    assert "N39.0" not in [s.code for s in suggest_codes(office).suggestions]


def test_it_suggests_the_combination_codes_and_sequences_the_principal_first():
    result = suggest_codes(NOTE)
    found = [s.code for s in result.suggestions]
    assert found[0] == "J18.9"
    assert "E11.22" in found and "N18.30" in found and "E11.9" not in found
    assert "I12.9" in found and "I10" not in found  # hypertension with CKD
    assert "Z79.4" in found
    assert all(codeset.is_billable(code) for code in found)


def test_it_uses_the_documented_side_and_a_more_specific_title_match():
    text = "ASSESSMENT:\n1. Stage IIA right breast cancer.\n2. Bronchiolitis, respiratory syncytial virus positive.\n"
    found = [s.code for s in suggest_codes(text).suggestions]
    assert "C50.911" in found and "C50.919" not in found
    assert "J21.0" in found and "J21.9" not in found


def test_it_reads_a_side_written_after_the_diagnosis():
    text = "ASSESSMENT:\n1. Carpal tunnel syndrome, bilateral.\n2. Hip fracture on the left.\n"
    found = [s.code for s in suggest_codes(text).suggestions]
    assert "G56.03" in found and "G56.00" not in found  # "bilateral upper limbs": plural site
    assert "S72.002A" in found


def test_a_title_answers_without_its_unspecified_site():
    from coding.lexicon import default_lexicon, phrase_key

    lexicon = default_lexicon()
    # "Lesion of ulnar nerve, unspecified upper limb"
    assert lexicon.lookup(phrase_key("lesion of ulnar nerve")).code == "G56.20"
    # Not from "Follicular lymphoma, unspecified, spleen": a site after the comma is specific.
    assert lexicon.lookup(phrase_key("follicular lymphoma")).code == "C82.90"


def test_intravenous_treatment_or_a_consultation_header_tips_an_unmarked_note_to_inpatient():
    unmarked = "ASSESSMENT: Possible pneumonia.\n"
    assert coding_setting(unmarked) == OUTPATIENT
    assert coding_setting(unmarked + "PLAN: Start IV ceftriaxone.\n") == INPATIENT
    assert coding_setting("REASON FOR CONSULTATION: Sepsis.\n" + unmarked) == INPATIENT
    assert coding_setting("REASON FOR THE CONSULT: Sepsis.\n" + unmarked) == INPATIENT
    office = "Seen in the office today. REASON FOR CONSULTATION: Tremor.\nPLAN: IV iron.\n"
    assert coding_setting(office) == OUTPATIENT  # an outpatient marker still decides


def test_a_diagnosis_list_written_on_one_line_is_read_part_by_part():
    text = (
        "DISCHARGE DIAGNOSES: Fracture of the right femoral neck, also history of\n"
        "Alzheimer's dementia, and hypothyroidism.\n"
    )
    found = [s.code for s in suggest_codes(text).suggestions]
    assert "S72.001A" in found  # the side sits inside the phrase; the first part matches a title
    assert "E03.9" in found


def test_a_statement_that_is_all_phrase_is_not_refined_to_a_residual_title():
    from coding.candidates import find_candidates

    found = {c.code for c in find_candidates("ASSESSMENT:\n1. Sepsis.\n", INPATIENT)}
    assert found == {"A41.9"}
    found = {c.code for c in find_candidates("ASSESSMENT:\n1. Bronchiolitis, RSV positive.\n", INPATIENT)}
    assert "J21.0" in found  # words beyond the phrase still refine it


def test_a_diet_or_teaching_named_for_a_condition_is_not_the_condition():
    from coding.candidates import find_candidates

    found = {c.code for c in find_candidates("PLAN: Diabetic diet. Diabetic teaching.\n", INPATIENT)}
    assert "E11.9" not in found
