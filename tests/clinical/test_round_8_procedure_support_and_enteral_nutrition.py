"""Round 8 (knowledge base 2026.11.11), taken from batch 11's three misses as classes.

Ventilatory support read from a procedure the note itself names: a procedure note whose named
procedure ("PROCEDURE:" line) is an endotracheal intubation performed it, unless the note mentions an
anaesthesia, an induction or an operation (an intubation for a general anaesthetic is the operation's
airway, not support for a respiratory failure); a respiratory failure written with its airway support
("status post tracheostomy", "requiring intubation") names its own support, also after an earlier
"status post" of another event. Malnutrition: one named as the object of its correction ("to reverse
the malnutrition state") is present even inside a plan's "we would"; prevention stays hypothetical.
Nutrition support: an enteral formula or a tube/continuous feed with a rate in mL/h. Each edge is
tested with the form that changed and the look-alike that must stay as it was."""

from __future__ import annotations

from cdi.clinical.detection import detect
from cdi.clinical.knowledge import default_knowledge
from cdi.clinical.treatments import extract_treatments
from tests.clinical.notes import note, pairs

RESP_ACUITY = ("acuity", "respiratory_failure")
MALNUTRITION_SEVERITY = ("severity", "malnutrition_severity")
MALNUTRITION = ("undocumented_diagnosis", "malnutrition")


def test_the_knowledge_base_is_round_8():
    assert tuple(int(part) for part in default_knowledge().version.split(".")) >= (2026, 11, 11)


# --- an intubation that is the note's named procedure ----------------------------------------------

INTUBATION_NOTE = (
    "PROCEDURE: {procedure}\n\nINDICATION: Respiratory failure.\n\nBRIEF HISTORY: A 60-year-old man on the "
    "ward stopped breathing on his own and a code blue was called.{extra}\n\nDESCRIPTION OF PROCEDURE: "
    "Etomidate and succinylcholine were given. A 7.5 tube was placed under direct laryngoscopy with good "
    "color change and bilateral breath sounds. He was moved to the ICU.\n"
)


def test_a_note_whose_procedure_is_an_endotracheal_intubation_supports_the_respiratory_failure():
    for procedure in ("Endotracheal intubation.", "Emergent intubation.", "Intubation."):
        findings = detect(INTUBATION_NOTE.format(procedure=procedure, extra=""))
        assert RESP_ACUITY in pairs(findings), procedure


def test_the_named_intubation_is_cited_as_evidence():
    text = INTUBATION_NOTE.format(procedure="Endotracheal intubation.", extra="")
    finding = next(f for f in detect(text) if (f.category, f.condition) == RESP_ACUITY)
    assert "Endotracheal intubation" in [text[s.start : s.end] for s in finding.evidence]


def test_an_intubation_note_that_mentions_an_anaesthesia_is_not_support():
    extra = " He was taken for surgery under general anesthesia."
    assert RESP_ACUITY not in pairs(
        detect(INTUBATION_NOTE.format(procedure="Endotracheal intubation.", extra=extra))
    )


def test_an_extubation_or_an_attempt_is_not_a_performed_intubation():
    for procedure in ("Extubation.", "Attempted intubation, unsuccessful."):
        assert RESP_ACUITY not in pairs(detect(INTUBATION_NOTE.format(procedure=procedure, extra=""))), (
            procedure
        )


def test_a_procedure_other_than_an_intubation_is_not_support():
    assert RESP_ACUITY not in pairs(
        detect(INTUBATION_NOTE.format(procedure="Central line placement.", extra=""))
    )


def test_an_elective_intubation_for_general_anaesthesia_in_an_operative_note_is_not_support():
    text = (
        "PREOPERATIVE DIAGNOSIS: Cholelithiasis.\n\nPROCEDURE: Laparoscopic cholecystectomy.\n\n"
        "ANESTHESIA: General endotracheal.\n\nINDICATION: Gallstones; also respiratory failure.\n\n"
        "DESCRIPTION OF PROCEDURE: The patient was intubated and placed supine. The gallbladder was removed.\n"
    )
    assert RESP_ACUITY not in pairs(detect(text))


def test_an_operation_that_names_an_intubation_among_its_procedures_under_anaesthesia_is_not_support():
    text = (
        "PROCEDURE: Endotracheal intubation and tracheal resection.\n\nANESTHESIA: General.\n\n"
        "INDICATION: Respiratory failure.\n"
    )
    assert RESP_ACUITY not in pairs(detect(text))


# --- a respiratory failure written with its airway support ----------------------------------------

BRONCHOSCOPY = (
    "PROCEDURE PERFORMED: Bronchoscopy with lavage.\n\nINDICATIONS: {indication}\n\n"
    "PROCEDURE: The scope was passed and the airways were lavaged. Specimens were sent for culture.\n"
)


def test_respiratory_failure_status_post_tracheostomy_names_its_own_support():
    for indication in (
        "A 70-year-old man with prolonged respiratory failure status post tracheostomy.",
        "A 70-year-old man with respiratory failure s/p trach, for refractory infiltrates.",
        "A 70-year-old man with respiratory failure requiring intubation.",
        "A 70-year-old man with respiratory failure on mechanical ventilation.",
    ):
        assert RESP_ACUITY in pairs(detect(BRONCHOSCOPY.format(indication=indication))), indication


def test_an_earlier_status_post_of_another_event_does_not_make_it_past():
    indication = (
        "A 70-year-old man status post trauma, prolonged respiratory failure status post tracheostomy."
    )
    assert RESP_ACUITY in pairs(detect(BRONCHOSCOPY.format(indication=indication)))


def test_a_past_or_resolved_respiratory_failure_with_a_tracheostomy_stays_past():
    for indication in (
        "A 70-year-old man with a history of respiratory failure status post tracheostomy.",
        "A 70-year-old man with resolved respiratory failure status post tracheostomy, now decannulated.",
    ):
        assert RESP_ACUITY not in pairs(detect(BRONCHOSCOPY.format(indication=indication))), indication


def test_a_respiratory_failure_without_support_in_a_procedure_note_stays_unflagged():
    indication = "A 70-year-old man with respiratory failure and a new infiltrate."
    assert RESP_ACUITY not in pairs(detect(BRONCHOSCOPY.format(indication=indication)))


def test_a_tracheostomy_unrelated_to_the_respiratory_failure_is_not_read_after_it():
    indication = "A 70-year-old man with respiratory failure. A tracheostomy is being considered."
    assert RESP_ACUITY not in pairs(detect(BRONCHOSCOPY.format(indication=indication)))


# --- malnutrition named as the object of its correction --------------------------------------------

WEIGHT_LOSS = "He reports a 20 lb weight loss in 3 months."


def test_reversing_the_malnutrition_state_documents_malnutrition_inside_a_plan():
    for plan in (
        "We would start oral supplements to reverse the malnutrition state of this patient.",
        "We would like to correct his malnutrition before surgery.",
    ):
        found = pairs(detect(note(hpi=WEIGHT_LOSS, assessment="Crohn disease.", plan=plan)))
        assert MALNUTRITION_SEVERITY in found, plan
        assert MALNUTRITION not in found, plan


def test_preventing_malnutrition_stays_hypothetical():
    plan = "We would start oral supplements to prevent malnutrition."
    assert MALNUTRITION_SEVERITY not in pairs(
        detect(note(hpi=WEIGHT_LOSS, assessment="Crohn disease.", plan=plan))
    )


def test_a_malnutrition_state_if_it_develops_stays_hypothetical():
    plan = "We would treat the malnutrition state if it develops."
    assert MALNUTRITION_SEVERITY not in pairs(
        detect(note(hpi=WEIGHT_LOSS, assessment="Crohn disease.", plan=plan))
    )


def test_a_stated_severity_still_answers_the_question():
    plan = "We would start oral supplements to reverse the severe malnutrition state."
    assert MALNUTRITION_SEVERITY not in pairs(
        detect(note(hpi=WEIGHT_LOSS, assessment="Crohn disease.", plan=plan))
    )


# --- enteral formulas and feeds at an hourly rate ---------------------------------------------------


def _support(text: str) -> list[str]:
    return [t.text for t in extract_treatments(text) if t.kind == "nutrition_support"]


def test_an_enteral_formula_at_a_rate_is_nutrition_support():
    for text in (
        "Started Peptamen 1.5 at 50 mL/h via nasogastric tube.",
        "Osmolite at a goal of 65 mL an hour.",
        "Modulen 50 mL/h for 20 hours.",
        "Continuous feeds at 20 mL per hour.",
        "Elemental formula at 30 cc/hr.",
    ):
        assert _support(text), text


def test_enteral_nutrition_and_tube_feeds_stay_nutrition_support():
    for text in ("Enteral nutrition was started.", "Tube feeds were resumed."):
        assert _support(text), text


def test_an_infant_formula_feeding_or_an_iv_fluid_rate_is_not_nutrition_support():
    for text in (
        "Feeds Similac formula 3 ounces every 3 hours.",
        "Enfamil 20 kcal formula, 90 mL every 3 hours, taking well.",
        "Normal saline at 125 mL/hr.",
        "Heparin drip at 1000 units per hour.",
    ):
        assert not _support(text), text


def test_malnutrition_with_a_formula_at_a_rate_asks_for_its_severity():
    text = note(assessment="Malnutrition.", plan="Started Peptamen 1.5 at 50 mL/h via nasogastric tube.")
    finding = next(f for f in detect(text) if (f.category, f.condition) == MALNUTRITION_SEVERITY)
    assert finding.confidence >= 0.8
    assert any("Peptamen" in text[s.start : s.end] for s in finding.evidence)


def test_an_ng_tube_at_surgery_is_not_nutrition_support():
    text = (
        "PROCEDURE: Laparotomy.\n\nANESTHESIA: General.\n\nINDICATION: Bowel obstruction; malnutrition.\n\n"
        "DESCRIPTION: An NG tube was placed for decompression. The bowel was run.\n"
    )
    assert MALNUTRITION_SEVERITY not in pairs(detect(text))
    assert not _support(text)
