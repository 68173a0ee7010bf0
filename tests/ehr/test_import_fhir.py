from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from cdi.models import Encounter, Note, Patient
from ehr.bulk import import_paths
from ehr.models import DocumentedCondition, ImportCheckpoint
from tests.ehr.conftest import condition, document, encounter, patient, practitioner


def write_ndjson(path: Path, lines: list) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def export(tmp_path: Path, notes: int = 12) -> Path:
    """A small bulk export: two patients, their encounters, `notes` notes and a condition."""
    folder = tmp_path / "export"
    folder.mkdir()
    write_ndjson(folder / "Patient.000.ndjson", [patient(), patient("pat-2", "MRN-FHIR-2")])
    write_ndjson(folder / "Practitioner.000.ndjson", [practitioner()])
    write_ndjson(folder / "Encounter.000.ndjson", [encounter(), encounter("enc-2", "pat-2", "ACCT-FHIR-2")])
    write_ndjson(
        folder / "DocumentReference.000.ndjson",
        [document(did=f"doc-{i}", text=f"Note number {i}.") for i in range(notes)],
    )
    write_ndjson(folder / "Condition.000.ndjson", [condition()])
    write_ndjson(folder / "Location.000.ndjson", [{"resourceType": "Location", "id": "l"}])
    write_ndjson(folder / "log.ndjson", [{"eventId": "kickoff"}])
    return folder


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_fhir", *args, "--no-progress", stdout=out)
    return out.getvalue()


def counts_line(output: str, resource_type: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(resource_type + " "))
    return line.split()[1:]


def test_it_imports_a_directory_in_dependency_order_and_reports_counts(tmp_path, db):
    output = run(str(export(tmp_path)))
    assert counts_line(output, "Patient") == ["2", "0", "0", "0", "0"]
    assert counts_line(output, "Encounter") == ["2", "0", "0", "0", "0"]
    assert counts_line(output, "DocumentReference") == ["12", "0", "0", "0", "0"]
    assert counts_line(output, "Condition") == ["1", "0", "0", "0", "0"]
    assert "Location.000.ndjson: resource type Location is not imported" in output
    assert "log.ndjson: not an NDJSON file of a supported resource type" in output
    assert (Patient.objects.count(), Encounter.objects.count(), Note.objects.count()) == (2, 2, 12)
    assert set(Note.objects.values_list("source", flat=True)) == {"fhir"}


def test_a_second_import_creates_nothing_new(tmp_path, db, django_capture_on_commit_callbacks):
    folder = export(tmp_path)
    with django_capture_on_commit_callbacks(execute=False) as first:
        run(str(folder))
    with django_capture_on_commit_callbacks(execute=False) as second:
        resumed = run(str(folder))
        reread = run(str(folder), "--restart")
    assert len(first) == 12
    assert second == []  # no note is enqueued again
    assert counts_line(resumed, "DocumentReference") == ["0", "0", "0", "0", "12"]
    assert counts_line(reread, "DocumentReference") == ["0", "0", "12", "0", "0"]
    assert Note.objects.count() == 12


def test_it_reports_every_bad_line_and_goes_on(tmp_path, db):
    folder = tmp_path / "bad"
    folder.mkdir()
    write_ndjson(folder / "Patient.ndjson", [patient()])
    write_ndjson(folder / "Encounter.ndjson", [encounter()])
    no_subject = document(did="doc-x")
    del no_subject["subject"]
    write_ndjson(
        folder / "DocumentReference.ndjson",
        [
            document(did="doc-a"),
            "{not json",
            no_subject,
            patient("pat-9"),
            document(did="doc-b", eid="enc-unknown"),
            "",
            document(did="doc-c"),
        ],
    )
    output = run(str(folder))
    assert counts_line(output, "DocumentReference") == ["2", "0", "0", "4", "0"]
    rejected = [line for line in output.splitlines() if line.startswith("rejected")]
    assert rejected[0] == "rejected DocumentReference.ndjson:2: not valid JSON"
    assert rejected[1].startswith(
        "rejected DocumentReference.ndjson:3: DocumentReference.subject is required"
    )
    assert (
        rejected[2]
        == "rejected DocumentReference.ndjson:4: resourceType 'Patient' in a file of DocumentReference"
    )
    assert rejected[3].startswith("rejected DocumentReference.ndjson:5: DocumentReference.context.encounter")
    assert len(rejected) == 4
    assert Note.objects.count() == 2


def test_an_interrupted_import_resumes_after_the_last_committed_batch(tmp_path, db):
    folder = export(tmp_path, notes=12)
    # Patient 2 + Practitioner 1 + Encounter 2 lines, then 7 of the 12 notes: batches of 5 commit
    # notes 1-5; the batch holding notes 6-7 is lost, as a kill would lose it.
    first = import_paths([folder], batch_size=5, stop_after=12, progress=False)
    assert first.interrupted
    assert Note.objects.count() == 5
    assert ImportCheckpoint.objects.get(file_name="DocumentReference.000.ndjson").lines_done == 5
    second = import_paths([folder], batch_size=5, progress=False)
    assert not second.interrupted
    notes = second.counts["DocumentReference"]
    assert (notes.created, notes.unchanged, notes.resumed_past) == (7, 0, 5)
    assert second.counts["Patient"].resumed_past == 2
    assert Note.objects.count() == 12
    assert DocumentedCondition.objects.count() == 1
    assert ImportCheckpoint.objects.filter(complete=True).count() == 5


def test_it_accepts_files_named_without_a_resource_type(tmp_path, db):
    path = write_ndjson(tmp_path / "part-1.ndjson", [patient()])
    output = run(str(path))
    assert counts_line(output, "Patient")[0] == "1"
