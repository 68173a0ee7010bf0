"""The worker's analysis stores the detector's gaps with evidence, codes, impact and versions."""

from __future__ import annotations

import pytest

from cdi.analysis import MODEL_UNAVAILABLE, analyse_note, release_model_failures
from cdi.models import AuditEvent, Gap, Note

TEXT = (
    "PROGRESS NOTE\n\nASSESSMENT AND PLAN:\n"
    "1. Sodium 126 this morning, down from 131 yesterday. Start fluid restriction 1.2 L and recheck "
    "sodium every 6 hours.\n2. Hypertension, continue lisinopril.\n"
)


@pytest.fixture
def rules_only(settings):
    settings.CDI_MODEL_ENABLED = False


def analyse(encounter, text: str = TEXT) -> Note:
    note = Note.objects.create(encounter=encounter, text=text, source="api")
    assert analyse_note(note.id) == "analysed"
    note.refresh_from_db()
    return note


def test_a_treated_low_sodium_is_stored_as_a_gap_with_exact_evidence(rules_only, encounter):
    note = analyse(encounter)
    gap = Gap.objects.get(note=note, condition="hyponatremia")
    assert gap.category == "undocumented_diagnosis"
    assert gap.evidence
    for ev in gap.evidence:
        assert note.text[ev["start"] : ev["end"]] == ev["text"]
    assert "E87.1" in gap.candidate_codes
    assert gap.severity_effect == "cc"
    assert gap.kb_version
    assert gap.expected_impact is not None and gap.impact_is_estimate  # no principal diagnosis yet
    assert AuditEvent.objects.filter(action="gap.detected", object_id=str(gap.id)).exists()


def test_a_note_without_indicators_has_no_gaps(rules_only, encounter):
    note = analyse(encounter, "OFFICE VISIT\n\nWell child check. No complaints. Vitals normal.\n")
    assert note.gaps.count() == 0


def test_reanalysis_updates_open_gaps_and_leaves_decided_ones(rules_only, encounter):
    note = analyse(encounter)
    gap = Gap.objects.get(note=note, condition="hyponatremia")
    Gap.objects.filter(pk=gap.pk).update(status="dismissed", dismiss_reason="not_significant")
    Note.objects.filter(pk=note.pk).update(status="received")
    assert analyse_note(note.id) == "analysed"
    gap.refresh_from_db()
    assert (gap.status, gap.dismiss_reason) == ("dismissed", "not_significant")
    assert Gap.objects.filter(note=note, condition="hyponatremia").count() == 1


def test_a_missing_model_fails_the_note_with_the_fix_and_it_is_released_after_a_build(
    settings, encounter, tmp_path
):
    settings.CDI_MODEL_ENABLED = True
    settings.INFERENCE_RUNTIME_DIR = tmp_path / "empty"
    from inference import clear_encoders

    clear_encoders()
    note = Note.objects.create(encounter=encounter, text=TEXT, source="api")
    assert analyse_note(note.id) == "failed"
    note.refresh_from_db()
    assert note.status == "failed"
    assert note.failure_reason.startswith(MODEL_UNAVAILABLE)
    assert "build_models" in note.failure_reason
    assert "Sodium" not in note.failure_reason
    assert release_model_failures() == []  # still missing: nothing released
    settings.CDI_MODEL_ENABLED = False  # the model is back (here: switched to rules)
    assert release_model_failures() == [note.id]
    note.refresh_from_db()
    assert note.status == "received"


def test_a_note_entered_in_error_gets_no_gaps_and_a_superseded_one_gets_closed_gaps(rules_only, encounter):
    withdrawn = Note.objects.create(
        encounter=encounter, text=TEXT, source="fhir", doc_status="entered-in-error"
    )
    assert analyse_note(withdrawn.id) == "analysed"
    assert withdrawn.gaps.count() == 0
    replaced = Note.objects.create(encounter=encounter, text=TEXT, source="fhir", doc_status="superseded")
    assert analyse_note(replaced.id) == "analysed"
    assert set(replaced.gaps.values_list("status", flat=True)) == {"superseded"}


def test_with_the_model_each_gap_records_its_probability_and_the_adapter_version(with_model, encounter):
    note = analyse(encounter)
    gap = Gap.objects.get(note=note, condition="hyponatremia")
    assert gap.adapter_version.startswith("cdi@v")
    assert 0.0 <= gap.model_probability <= 1.0
    # By default the rules decide and the model advises: the same gaps as rules alone.
    rules_only_note = Note.objects.create(encounter=encounter, text=TEXT, source="api")
    from django.test import override_settings

    with override_settings(CDI_MODEL_ENABLED=False):
        assert analyse_note(rules_only_note.id) == "analysed"
    assert set(rules_only_note.gaps.values_list("condition", flat=True)) == set(
        note.gaps.values_list("condition", flat=True)
    )


def test_fhir_observations_feed_the_detector_as_indicators(rules_only, encounter):
    """A sodium sent by the EHR as an Observation counts like one written in the note."""
    import datetime as dt

    from django.utils import timezone

    from ehr.models import Observation

    text = "PROGRESS NOTE\nASSESSMENT AND PLAN:\n1. Start fluid restriction 1.2 L and recheck sodium every 6 hours.\n"
    without = analyse(encounter, text)
    assert not without.gaps.filter(condition="hyponatremia").exists()
    Observation.objects.create(
        patient=encounter.patient,
        encounter=encounter,
        loinc_code="2951-2",
        display="Sodium",
        status="final",
        value=126,
        unit="mmol/L",
        effective_at=timezone.now() - dt.timedelta(hours=2),
    )
    with_lab = analyse(encounter, text)
    gap = with_lab.gaps.get(condition="hyponatremia")
    assert any(i["name"] == "sodium" and float(i["value"]) == 126 for i in gap.indicators), gap.indicators
