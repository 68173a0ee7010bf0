"""The issue's acceptance check on the shared Synthea bulk export (10 patients), when it is present."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from cdi.models import Note
from ehr.bulk import import_paths
from ehr.models import DocumentedCondition, MedicationOrder, PerformedProcedure

SYNTHEA = settings.BASE_DIR.parent / "shared" / "data" / "synthea-fhir-10"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(SYNTHEA).is_dir(), reason=f"shared Synthea export not found at {SYNTHEA}"),
]


def test_importing_the_synthea_export_twice_yields_1215_notes_then_nothing_new(
    db, django_capture_on_commit_callbacks
):
    # Callbacks are captured, not run, so no task reaches a real broker from a test.
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        first = import_paths([SYNTHEA], progress=False)
    assert not first.rejections, first.rejections[:5]
    assert first.counts["DocumentReference"].created == 1215
    assert Note.objects.filter(source="fhir").count() == 1215
    # Each note is sent for analysis once, when its batch commits.
    assert len(enqueued) == 1215
    structured = (
        DocumentedCondition.objects.count(),
        MedicationOrder.objects.count(),
        PerformedProcedure.objects.count(),
    )
    assert structured == (555, 1745, 2056)

    with django_capture_on_commit_callbacks(execute=False) as enqueued_again:
        again = import_paths([SYNTHEA], progress=False, resume=False)
    assert enqueued_again == []
    assert sum(c.created + c.updated for c in again.counts.values()) == 0
    assert again.counts["DocumentReference"].unchanged == 1215
    assert Note.objects.count() == 1215
    assert (
        DocumentedCondition.objects.count(),
        MedicationOrder.objects.count(),
        PerformedProcedure.objects.count(),
    ) == structured
