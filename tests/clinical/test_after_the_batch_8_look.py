"""Changes made after the one blind look at batch 8 (knowledge base 2026.11.7; batch 8 is
development material since): "status post" after a condition names what it follows, an order to
recheck potassium or magnesium is monitoring, and a blood gas dictated as pH/PaCO2/PaO2 is read."""

from __future__ import annotations

from cdi.clinical.context import ClinicalText, assert_mention
from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from cdi.clinical.values import extract_measurements
from tests.clinical.notes import note, pairs

HYPOKALEMIA = ("undocumented_diagnosis", "hypokalemia")
HYPERKALEMIA = ("undocumented_diagnosis", "hyperkalemia")


def test_the_knowledge_base_is_the_post_look_version():
    assert tuple(map(int, default_knowledge().version.split("."))) >= (2026, 11, 7)  # numeric: 11.10 > 11.9


def context_of(text: str, word: str):
    start = text.index(word)
    return assert_mention(ClinicalText(text), start, start + len(word))


def test_a_condition_followed_by_status_post_is_current():
    assert not context_of("Wound cellulitis status post hernia repair.", "cellulitis").historical


def test_status_post_before_a_condition_still_makes_it_historical():
    assert context_of("Status post cellulitis of the leg in 2010.", "cellulitis").historical


def test_a_condition_followed_by_resolved_is_still_historical():
    assert context_of("Cellulitis, now resolved.", "Cellulitis").historical


def test_low_potassium_with_an_order_to_recheck_it_is_hypokalemia_not_documented():
    text = note(labs="Potassium 3.2.", plan="Recheck her potassium in the morning.")
    assert HYPOKALEMIA in pairs(detect(text))


def test_two_potassium_values_without_an_order_or_replacement_are_no_gap():
    text = note(labs="Potassium 3.3 on admission. Potassium 3.4 the next day.", plan="Home.")
    assert HYPOKALEMIA not in pairs(detect(text))


def test_a_routine_panel_order_is_no_monitoring_of_potassium():
    text = note(labs="Potassium 3.2.", plan="BMP in the morning.")
    assert HYPOKALEMIA not in pairs(detect(text))


def test_high_potassium_values_twice_are_no_hyperkalemia_without_its_treatment():
    text = note(labs="Potassium 6.1 on arrival. Potassium 5.0 the next day.", plan="Home.")
    assert HYPERKALEMIA not in pairs(detect(text))


def test_a_blood_gas_as_ph_paco2_pao2_is_read():
    found = {(m.name, m.value) for m in extract_measurements("ABG: 7.29/52/51 on arrival.")}
    assert found == {("ph", 7.29), ("paco2", 52), ("pao2", 51)}


def test_slashed_numbers_without_a_blood_gas_are_no_blood_gas():
    assert extract_measurements("Seen on 7.29/52/51 per the old chart.") == []
