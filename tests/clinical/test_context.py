from __future__ import annotations

from cdi.clinical.context import ClinicalText


def ctx(text: str, term: str, chronic: bool = False):
    doc = ClinicalText(text)
    start = text.index(term)
    return doc.context(start, start + len(term), chronic=chronic)


def test_it_negates_no_pneumonia():
    assert ctx("Chest x-ray: no pneumonia.", "pneumonia").negated


def test_it_negates_a_post_trigger_ruled_out():
    assert ctx("Pneumonia was ruled out by CT.", "Pneumonia").negated


def test_negation_stops_at_but():
    assert not ctx("Denies chest pain but has pneumonia.", "pneumonia").negated


def test_negation_stops_at_the_sentence_end():
    assert not ctx("No fever. Pneumonia on the chest film.", "Pneumonia").negated


def test_it_marks_a_family_member_mention():
    assert ctx("His mother had heart failure.", "heart failure").family


def test_family_history_section_is_family():
    text = "FAMILY HISTORY: CHF and diabetes.\n\nASSESSMENT: Stable."
    assert ctx(text, "CHF").family


def test_the_patient_after_a_relative_is_not_family():
    assert not ctx("His mother had diabetes and he has heart failure.", "heart failure").family


def test_history_of_chronic_condition_stays_current():
    context = ctx("History of CHF, on Lasix daily.", "CHF", chronic=True)
    assert context.history_mention and not context.historical and context.asserted


def test_history_of_an_acute_episode_is_historical():
    assert ctx("History of pneumonia.", "pneumonia").historical


def test_a_chronic_condition_said_to_be_resolved_is_historical():
    assert ctx("CHF, resolved after valve repair.", "CHF", chronic=True).historical


def test_past_medical_history_section_marks_acute_conditions_historical():
    text = "PAST MEDICAL HISTORY: Pneumonia. Hypertension.\n\nASSESSMENT: Stable."
    assert ctx(text, "Pneumonia").historical
    assert not ctx(text, "Hypertension", chronic=True).historical


def test_it_marks_hypothetical_mentions():
    assert ctx("Return if she develops pneumonia.", "pneumonia").hypothetical
    assert ctx("Risks include bleeding and respiratory failure.", "respiratory failure").hypothetical


def test_it_marks_uncertain_mentions_which_still_count_as_asserted():
    context = ctx("Possible pneumonia in the right base.", "pneumonia")
    assert context.uncertain and context.asserted
