"""A value the detector calculated (a BMI from height and weight) is stored with its derivation."""

from __future__ import annotations

import pytest

from cdi.analysis import analyse_note
from cdi.models import Gap, Note

TEXT = (
    "HISTORY OF PRESENT ILLNESS: A 60-year-old man admitted with a knee sprain. Height 170 cm, "
    "weight 115.6 kg.\n\nASSESSMENT: Knee sprain.\n\nPLAN: Ice and rest.\n"
)


@pytest.fixture
def rules_only(settings):
    settings.CDI_MODEL_ENABLED = False


def test_a_calculated_bmi_is_stored_with_its_derivation_as_the_indicator_source(rules_only, encounter):
    note = Note.objects.create(encounter=encounter, text=TEXT, source="api")
    assert analyse_note(note.id) == "analysed"
    gap = Gap.objects.get(note=note, condition="morbid_obesity")
    bmi = next(i for i in gap.indicators if i["name"] == "bmi")
    assert (bmi["value"], bmi["unit"]) == (40.0, "kg/m2")
    assert bmi["source"] == "calculated from height 170 cm and weight 115.6 kg"
    assert {ev["text"] for ev in gap.evidence} >= {"Height 170 cm", "weight 115.6 kg."}
