"""Round 5: mechanisms aimed at where the held-out misses concentrate (coding_miss_report, in
aggregate): outpatient symptoms and musculoskeletal complaints as the Alphabetic Index codes
them, visit types as encounter Z codes, and the reason for an office visit stated only in the
opening of its history; plus the aggregate miss breakdown itself."""

from __future__ import annotations

import pytest

from cdi.clinical.context import ClinicalText
from coding import codeset, lexicon
from coding.candidates import coding_sections, find_candidates
from coding.encounter import encounter_reasons
from coding.misses import MissTable, chapter, miss_type
from coding.rules import apply_rules
from coding.setting import INPATIENT, OUTPATIENT


def ruled(note: str, setting: str = OUTPATIENT) -> set[str]:
    return {c.code for c in apply_rules(find_candidates(note, setting), note, 0.0)}


# The miss breakdown ---------------------------------------------------------------------------


def test_chapters_follow_the_tabular_ranges_not_the_first_letter():
    assert chapter("D05.10") == "C-D49 neoplasms"
    assert chapter("D64.9") == "D50-89 blood"
    assert chapter("H10.9") == "H00-59 eye"
    assert chapter("H66.90") == "H60-95 ear"
    assert chapter("T38.0X5A") == "S-T injury/poisoning"
    assert chapter("Z79.4") == "Z factors/status"
    assert chapter("A41.9") == "A-B infectious"


def test_each_gold_code_gets_the_first_stage_that_loses_it():
    suggested, candidates = {"I10", "J189"}, {"I10", "J189", "E119", "N179", "K5900"}
    assert miss_type("I10", suggested, candidates) == "exact"
    assert miss_type("J181", suggested, candidates) == "sibling_suggested"
    assert miss_type("E119", suggested, candidates) == "candidate_unsuggested"
    assert miss_type("N170", suggested, candidates) == "sibling_candidate"
    assert miss_type("R079", suggested, candidates) == "no_candidate"


def test_the_table_counts_without_keeping_codes_or_ids():
    table = MissTable()
    table.add(["J18.9", "R07.9", "I10"], ["J18.9", "E78.5"], ["J18.9", "E78.5"], OUTPATIENT, {"I10": "hpi"})
    data = table.as_dict()
    total = data["chapters"][-1]
    assert total == {
        "chapter": "total",
        "gold": 3,
        "exact": 1,
        "sibling_suggested": 0,
        "candidate_unsuggested": 0,
        "sibling_candidate": 0,
        "no_candidate": 2,
        "wrong_suggestions": 1,
    }
    assert data["first_listed"]["exact"] == 1
    assert data["by_setting"][OUTPATIENT]["no_candidate"] == 2
    assert data["no_candidate_mentions"] == {"hpi": 1, "no lexicon match": 1}
    text = repr(data)
    assert "J18" not in text and "R07" not in text and "E78" not in text


# Outpatient complaints as the Alphabetic Index codes them --------------------------------------


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("Neck pain", "M54.2"),
        ("Right ankle pain", "M25.571"),
        ("Left calf pain", "M79.662"),
        ("Arthralgias", "M25.50"),
        ("Low back strain", "S39.012A"),
        ("Left ankle sprain", "S93.402A"),
        ("Numbness", "R20.0"),
        ("Blurred vision", "H53.8"),
        ("Lumbar degenerative disc disease", "M51.369"),
        ("Right rotator cuff tear", "M75.101"),
        ("Osteopenia", "M85.80"),
        ("Rectal bleeding", "K62.5"),
        ("Hives", "L50.9"),
        ("Cerumen impaction", "H61.20"),
        ("PTSD", "F43.10"),
        ("Restless legs syndrome", "G25.81"),
        ("Left distal radius fracture", "S52.502A"),
        ("Corneal abrasion, left eye", "S05.02XA"),
    ],
)
def test_common_outpatient_complaints_are_candidates(statement, code):
    assert code in ruled(f"ASSESSMENT:\n1. {statement}.\n")


def test_every_round5_synonym_is_billable():
    rows = [codes for _, codes in lexicon.read_synonyms()]
    assert rows and all(codeset.is_billable(code) for codes in rows for code in codes)


def test_a_denied_complaint_is_still_not_coded():
    assert "M54.2" not in ruled("ASSESSMENT:\n1. Otitis media. No neck pain.\n")


# Visit types as encounter Z codes --------------------------------------------------------------


def test_a_visit_for_a_physical_or_a_preoperative_evaluation_is_its_encounter_code():
    assert {r.code for r in encounter_reasons("He is here for his annual physical.")} == {"Z00.00"}
    assert {r.code for r in encounter_reasons("She presents for a well-child check.")} == {"Z00.129"}
    assert {r.code for r in encounter_reasons("He comes in for preoperative evaluation.")} == {"Z01.818"}
    assert {r.code for r in encounter_reasons("Here for medication refills.")} == {"Z76.0"}


def test_a_planned_physical_or_physical_therapy_is_not_this_visits_reason():
    assert encounter_reasons("He will come back for his annual physical in a year.") == []
    assert encounter_reasons("She is here for physical therapy.") == []
    assert encounter_reasons("Preoperative evaluation education was given.") == []


# The reason for an office visit stated only in the opening of the history -----------------------

OPENING = (
    "HISTORY OF PRESENT ILLNESS: This 30-year-old woman presents with cough and wheezing for 3 days. "
    "She was seen last year for heartburn. Later she had dizziness at work.\n"
    "PHYSICAL EXAMINATION: Lungs clear.\n"
)


def test_symptoms_opening_an_office_history_are_coded_when_no_diagnosis_is_stated():
    found = ruled(OPENING)
    assert {"R05.9", "R06.2"} <= found
    assert "R42" not in found  # beyond the opening sentences: the narrative's, not the visit's


def test_opening_symptoms_give_way_to_a_stated_diagnosis():
    found = ruled(OPENING + "ASSESSMENT:\n1. Acute bronchitis.\n")
    assert "J20.9" in found and not {"R05.9", "R06.2"} & found


def test_symptoms_opening_an_untitled_first_paragraph_count_too():
    note = "This 30-year-old woman presents with cough for 3 days.\n\nEXAM: Lungs clear.\n"
    assert "R05.9" in ruled(note)
    assert "R05.9" not in ruled(note + "ASSESSMENT: Acute bronchitis.\n")


def test_opening_symptoms_are_read_only_under_the_outpatient_rules():
    assert not {"R05.9", "R06.2"} & ruled(OPENING, INPATIENT)


# SOAP one-letter headers ---------------------------------------------------------------------

SOAP = (
    "S: This 30-year-old woman has had a sore throat for 3 days.\n"
    "O: Temperature 99. Pharynx red.\n"
    "A: Acute bronchitis.\n"
    "P: Fluids.\n"
)


def test_soap_letters_open_the_sections_they_stand_for():
    doc = coding_sections(ClinicalText(SOAP))
    kinds = {section.header: section.kind for section in doc.sections.sections}
    assert kinds == {"S": "hpi", "O": "exam", "A": "assessment", "P": "plan"}
    assert doc.sections.at(SOAP.index("Acute")).kind == "assessment"
    assert doc.sections.at(SOAP.index("Fluids")).kind == "plan"


def test_a_diagnosis_after_a_is_read_as_an_assessment():
    bronchitis = [c for c in find_candidates(SOAP, OUTPATIENT) if c.code == "J20.9"]
    assert bronchitis and bronchitis[0].evidence[0].section == "assessment"


def test_a_lone_letter_and_colon_is_not_a_soap_scheme():
    note = "HISTORY: Fell.\nA: He was found on the floor.\n"
    doc = coding_sections(ClinicalText(note))
    assert all(section.header != "A" for section in doc.sections.sections)


# Diagnosis lists under headers the shared rules do not know ----------------------------------


def test_multiaxial_psychiatric_diagnoses_are_an_assessment():
    note = "AXIS I: Major depressive disorder.\nAXIS II: Deferred.\nAXIS III: Hypertension.\nAXIS IV: Job loss.\n"
    doc = coding_sections(ClinicalText(note))
    kinds = {section.header: section.kind for section in doc.sections.sections}
    assert kinds["AXIS I"] == kinds["AXIS III"] == "assessment"
    assert kinds["AXIS IV"] != "assessment"  # stressors, not diagnoses
    hypertension = [c for c in find_candidates(note, INPATIENT) if c.code == "I10"]
    assert hypertension and hypertension[0].evidence[0].section == "assessment"


def test_a_consultants_opinion_is_an_assessment():
    doc = coding_sections(ClinicalText("OPINION: Lumbar radiculopathy.\n"))
    assert doc.sections.sections[-1].kind == "assessment"


def test_the_miss_report_command_prints_counts_per_split_and_no_id_code_or_text(tmp_path):
    import io
    import json

    from django.core.management import call_command

    data = tmp_path / "data.jsonl"
    lines = [
        {
            "id": "note-secret-1",
            "text": "ASSESSMENT:\n1. Hypertension.\n",
            "codes": ["I10", "Q21.1"],
            "split": "dev",
        },
        {
            "id": "note-secret-2",
            "text": "ASSESSMENT:\n1. Neck pain.\n",
            "codes": ["M54.2"],
            "split": "heldout",
        },
    ]
    data.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = io.StringIO()
    call_command("coding_miss_report", dataset=str(data), json=True, no_embeddings=True, stdout=out)
    report = json.loads(out.getvalue())
    assert report["dev"]["chapters"][-1]["gold"] == 2 and report["dev"]["chapters"][-1]["exact"] == 1
    assert report["dev"]["chapters"][-1]["no_candidate"] == 1
    assert report["heldout"]["chapters"][-1]["exact"] == 1
    printed = out.getvalue()
    assert "secret" not in printed and "I10" not in printed and "Q21" not in printed
    assert "Hypertension" not in printed and "Neck pain" not in printed
