"""Redis down at intake, and a worker killed mid-analysis: nothing lost, nothing done twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import uuid

import pytest
from django.db import connection

from cdi.management.loopback import free_port
from cdi.models import AuditEvent, Gap, Note
from cdi.tasks import requeue_received_notes
from config.celery import app
from tests.faults.procs import RedisServer, kill_group, start_worker, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

SLOW_NOTE = (
    "ASSESSMENT AND PLAN:\n1. Sodium 126 today, down from 131. Fluid restriction 1.2 L, recheck sodium q6h.\n"
    + "Patient resting comfortably, vital signs stable, continue current management.\n" * 6000
)


@contextlib.contextmanager
def broker(url: str, queue: str):
    """Point this process's Celery app at `url` (the settings were read at import)."""
    saved = (app.conf.broker_url, app.conf.task_default_queue, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.task_default_queue = url, queue
    app.conf.broker_transport_options = {"visibility_timeout": 3}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            app.pool.force_close_all()
        app.conf.broker_url, app.conf.task_default_queue, app.conf.broker_transport_options = saved
        app._pool = None
        app.amqp._producer_pool = None


def worker_env(redis_url: str, queue: str, settings) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "ANALYSIS_STALE_SECONDS": "10",
        "CDI_MODEL_ENABLED": "false",
        "INFERENCE_RUNTIME_DIR": str(settings.INFERENCE_RUNTIME_DIR),
    }


def post_note(client, token: str, text: str) -> int:
    response = client.post(
        "/api/notes",
        json.dumps({"encounter": "ACC-001", "text": text}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_note_posted_while_redis_is_down_is_stored_and_analysed_once_redis_is_back(
    client, encounter, api_token, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker")
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    redis = RedisServer(free_port())
    with broker(redis.url, queue):
        note_id = post_note(client, api_token, "Sodium 126, fluid restriction.")  # Redis is not running
        assert Note.objects.get(pk=note_id).status == "received"
        redis.start()
        worker = start_worker(worker_env(redis.url, queue, settings), tmp_path / "worker.log", queue)
        try:
            assert requeue_received_notes(older_than_seconds=0) == 1
            assert wait_for(lambda: Note.objects.get(pk=note_id).status == "analysed", 90), (
                tmp_path / "worker.log"
            ).read_text()[-3000:]
            requeue_received_notes(older_than_seconds=0)  # a second sweep finds nothing to do
        finally:
            kill_group(worker)
            redis.stop()
    assert AuditEvent.objects.filter(action="note.analysed", object_id=str(note_id)).count() == 1


def test_a_worker_killed_mid_analysis_is_redelivered_and_completes_once(
    client, encounter, api_token, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker")
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    redis = RedisServer(free_port())
    redis.start()
    env = worker_env(redis.url, queue, settings)
    log = tmp_path / "worker.log"
    try:
        with broker(redis.url, queue):
            worker = start_worker(env, log, queue)
            note_id = post_note(client, api_token, SLOW_NOTE)
            assert wait_for(lambda: Note.objects.get(pk=note_id).status == "processing", 60), log.read_text()[
                -3000:
            ]
            kill_group(worker, signal.SIGKILL)  # mid-analysis, no chance to ack or clean up
            assert Note.objects.get(pk=note_id).status == "processing"
            worker = start_worker(env, log, queue)  # restores the unacked message after visibility_timeout
            try:
                assert wait_for(lambda: Note.objects.get(pk=note_id).status == "analysed", 120), (
                    log.read_text()[-3000:]
                )
            finally:
                kill_group(worker)
    finally:
        redis.stop()
    assert AuditEvent.objects.filter(action="note.analysed", object_id=str(note_id)).count() == 1
    conditions = list(Gap.objects.filter(note_id=note_id).values_list("condition", flat=True))
    assert len(conditions) == len(set(conditions))
