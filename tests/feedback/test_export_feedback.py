from __future__ import annotations

import json

from django.core.management import call_command

from cdi.deid import Identity, date_shift_days, deidentify
from cdi.models import Note, Patient
from tests.conftest import make_gap

PHI_NOTE = (
    "Mr. John Smith (MRN MRN-TEST-001), seen 03/14/2026 at 12 Oak Street, Boston, MA 02115. "
    "Call 617-555-0199 or jsmith@example.com. SSN 123-45-6789. Echo: ejection fraction 25%. "
    "Lasix 40 mg IV given on 2026-03-15 for CHF."
)


def test_deidentify_removes_names_ids_contacts_and_shifts_dates():
    identity = Identity(key="patient:1", names=("John Smith",), identifiers=("MRN-TEST-001",))
    out = deidentify(PHI_NOTE, identity)
    for leaked in (
        "John",
        "Smith",
        "MRN-TEST-001",
        "617-555-0199",
        "jsmith@",
        "123-45-6789",
        "Oak Street",
        "02115",
        "03/14/2026",
        "2026-03-15",
    ):
        assert leaked not in out, leaked
    assert "ejection fraction 25%" in out
    days = date_shift_days("patient:1")
    assert 30 <= days <= 365
    assert date_shift_days("patient:1") == days  # stable across exports


def test_deidentify_keeps_intervals_between_dates():
    out = deidentify("Admitted 2026-03-10, discharged 2026-03-15.", Identity(key="p"))
    import datetime as dt
    import re

    first, second = (dt.date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", out))
    assert (second - first).days == 5


def test_export_feedback_writes_decided_gaps_as_deidentified_pairs(cast, encounter, tmp_path):
    Patient.objects.filter(pk=encounter.patient_id).update(name="John Smith")
    note = Note.objects.create(encounter=encounter, text=PHI_NOTE, source="api", status="analysed")
    start = PHI_NOTE.index("ejection fraction 25%")
    evidence = [{"start": start, "end": start + 21, "text": "ejection fraction 25%"}]
    make_gap(encounter, note=note, evidence=evidence, status="dismissed", dismiss_reason="not_supported")
    make_gap(
        encounter,
        note=note,
        evidence=evidence,
        category="undocumented_diagnosis",
        condition="hyponatremia",
        status="queried",
    )
    make_gap(encounter, note=note, evidence=evidence, category="severity", condition="ckd_stage")  # undecided
    out = tmp_path / "feedback.jsonl"
    call_command("export_feedback", out=str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["condition"], r["label"]) for r in rows] == [("heart_failure", 0), ("hyponatremia", 1)]
    assert rows[0]["dismiss_reason"] == "not_supported"
    for row in rows:
        assert {"text_a", "text_b", "label", "group"} <= set(row)
        assert "ejection fraction 25%" in row["text_b"]
        for leaked in ("Smith", "MRN-TEST-001", "617-555-0199", "03/14/2026"):
            assert leaked not in row["text_b"]
