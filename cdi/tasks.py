from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import analysis
from .intake import enqueue_analysis
from .models import Note


@shared_task(bind=True, name="cdi.analyse_note", acks_late=True, ignore_result=True, max_retries=10)
def analyse_note(self, note_id: int) -> str:
    outcome = analysis.analyse_note(note_id)
    if outcome == "busy":
        # A redelivered task can arrive before its dead worker's claim turns stale: come back then.
        raise self.retry(countdown=settings.ANALYSIS_STALE_SECONDS)
    return outcome


@shared_task(name="cdi.requeue_received_notes", ignore_result=True)
def requeue_received_notes(older_than_seconds: int = 60) -> int:
    """Outbox sweep: re-send notes whose enqueue was lost (broker down at intake) or whose
    worker died mid-analysis. Safe to over-send: analyse_note claims each note once."""
    now = timezone.now()
    waiting = Q(status=Note.Status.RECEIVED, received_at__lt=now - dt.timedelta(seconds=older_than_seconds))
    stale = Q(
        status=Note.Status.PROCESSING,
        analysis_started_at__lt=now - dt.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS),
    )
    ids = list(Note.objects.filter(waiting | stale).values_list("id", flat=True)[:500])
    ids += analysis.release_model_failures()
    return sum(enqueue_analysis(note_id) for note_id in ids)


@shared_task(name="cdi.query_follow_up", ignore_result=True)
def query_follow_up() -> dict[str, int]:
    from .querying import follow_up

    return follow_up()
