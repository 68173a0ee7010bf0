from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from coding.cpt import CptFileError, read_cpt_csv, suggest_procedures
from coding.em import suggest_em
from coding.models import CptDescriptor

# MADE-UP descriptors written for these tests. They are NOT CPT text; the codes are placeholders.
FAKE_CPT_CSV = (
    "code,descriptor,notes\n"
    "00001,Fake descriptor: left heart catheter placement with coronary dye pictures,test only\n"
    "00002,Fake descriptor: gallbladder removal through small scope ports,test only\n"
    "0003T,Fake descriptor: tooth polishing,test only\n"
)

SUBSEQUENT_HIGH = (
    "PROGRESS NOTE\nSUBJECTIVE: Short of breath overnight.\n"
    "ASSESSMENT AND PLAN:\n1. Acute respiratory failure with hypoxia: transfer to the ICU, BiPAP.\n"
    "2. COPD exacerbation. Start prednisone 40 mg daily.\n"
    "Reviewed CBC, BMP, ABG and chest x-ray. I personally reviewed the chest x-ray images.\n"
)
INITIAL_LOW = (
    "HISTORY AND PHYSICAL\nASSESSMENT: Cellulitis of the leg, improving.\nPLAN: Tylenol as needed.\n"
)
DISCHARGE_LONG = "DISCHARGE SUMMARY\nHOSPITAL COURSE: Uneventful.\nMore than 30 minutes were spent on discharge planning.\n"


def test_it_levels_a_subsequent_visit_with_high_mdm():
    em = suggest_em(SUBSEQUENT_HIGH, diagnoses=2)
    assert em.visit == "subsequent"
    assert (em.problems.name, em.risk.name) == ("high", "high")
    assert em.data.name == "high"  # three tests + independent interpretation
    assert em.code == "99233"
    for element in (em.problems, em.data, em.risk):
        for finding in element.findings:
            assert SUBSEQUENT_HIGH[finding.start : finding.end] == finding.text


def test_it_takes_the_middle_of_the_three_elements():
    em = suggest_em(INITIAL_LOW, diagnoses=1)
    assert em.visit == "initial"
    assert em.mdm in ("straightforward", "low")
    assert em.code == "99221"


def test_it_levels_discharge_day_management_by_time():
    assert suggest_em(DISCHARGE_LONG, diagnoses=1).code == "99239"
    assert suggest_em("DISCHARGE SUMMARY\nHOSPITAL COURSE: Uneventful.\n", diagnoses=1).code == "99238"


def test_it_reads_the_documented_csv_format():
    rows = read_cpt_csv(FAKE_CPT_CSV)
    assert [r.code for r in rows] == ["00001", "00002", "0003T"]
    assert rows[0].descriptor.startswith("Fake descriptor")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1234,Fake descriptor\n", "not a five-character"),
        ("00001\n", "expected code,descriptor"),
        ("00001,\n", "empty descriptor"),
        ("00001,Fake one\n00001,Fake two\n", "appears twice"),
    ],
)
def test_it_rejects_a_malformed_cpt_file(content: str, message: str):
    with pytest.raises(CptFileError, match=message):
        read_cpt_csv(content)


def test_it_matches_procedure_sections_against_imported_descriptors():
    note = (
        "PROCEDURE PERFORMED: Left heart catheter placement and coronary dye pictures.\n"
        "HISTORY: Chest pain.\n"
    )
    found = suggest_procedures(note, read_cpt_csv(FAKE_CPT_CSV))
    assert [s.code for s in found] == ["00001"]
    assert suggest_procedures("HISTORY: Chest pain only.\n", read_cpt_csv(FAKE_CPT_CSV)) == []


def test_import_cpt_loads_and_updates_the_model(db, tmp_path):
    path = tmp_path / "site-cpt.csv"
    path.write_text(FAKE_CPT_CSV)
    call_command("import_cpt", str(path))
    assert CptDescriptor.objects.count() == 3
    path.write_text("00001,Fake descriptor changed\n")
    call_command("import_cpt", str(path), replace=True)
    assert list(CptDescriptor.objects.values_list("code", "descriptor")) == [
        ("00001", "Fake descriptor changed")
    ]


def test_import_cpt_reports_bad_files_without_a_traceback(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("12,Fake\n")
    with pytest.raises(CommandError, match="row 1"):
        call_command("import_cpt", str(path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_cpt", str(tmp_path / "missing.csv"))
