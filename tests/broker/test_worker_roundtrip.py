"""A note sent through the real broker to a real worker process, result seen in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cdi.intake import NoteInput, create_note
from cdi.models import Note

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """Start `celery worker` on a private queue against the test database; stop it afterwards."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the broker round trip needs Redis")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": queue,
        "REDIS_URL": settings.REDIS_URL,
        "INFERENCE_RUNTIME_DIR": str(settings.INFERENCE_RUNTIME_DIR),
        "CDI_MODEL_ENABLED": "true" if settings.CDI_MODEL_ENABLED else "false",
        "INFERENCE_THREADS": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "-l",
            "info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from config.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield proc
    finally:
        app.conf.task_default_queue = previous
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_a_note_travels_through_redis_to_a_worker_and_back_to_the_database(
    with_model, worker, encounter, tmp_path
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    note = create_note(
        NoteInput(encounter=encounter, text="Sodium 128 mmol/L on fluid restriction."), actor=None
    )
    analysed = wait_for(lambda: Note.objects.get(pk=note.pk).status == Note.Status.ANALYSED)
    assert analysed, (tmp_path / "worker.log").read_text()[-3000:]
    assert worker.poll() is None
