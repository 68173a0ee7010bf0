from __future__ import annotations

from celery import shared_task

from . import workflow


@shared_task(name="coding.suggest_codes", acks_late=True, ignore_result=True)
def suggest_codes(encounter_id: int) -> str:
    """Thin wrapper: the work (and its idempotence) lives in ``workflow.suggest_for_encounter``."""
    return workflow.suggest_for_encounter(encounter_id)
