"""PostgreSQL restarts under load: requests fail cleanly with 503 and a reason, then succeed again,
and nothing is half-written. Uses a private PostgreSQL cluster and gunicorn on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cdi.management.loopback import free_port
from tests.faults.procs import ROOT, PostgresServer, manage, port_open, wait_for

pytestmark = pytest.mark.faults


def post(url: str, token: str, body: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError as exc:
        return 0, type(exc).__name__


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_requests_get_503_while_postgres_is_down_and_succeed_after(tmp_path):
    # Outside tmp_path: pytest's folders are private to root, and PostgreSQL runs as `postgres`.
    pg_folder = Path(tempfile.mkdtemp(prefix="cdi-fault-pg-"))
    pg = PostgresServer(pg_folder, free_port())
    try:
        pg.init()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot run a private PostgreSQL here: {exc}")
    env = {
        **os.environ,
        "DATABASE_URL": pg.url,
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # no broker: intake must still answer
        "VAR_DIR": str(tmp_path / "var"),
    }
    web = None
    try:
        manage("migrate", "-v0", env=env)
        manage(
            "shell",
            "-c",
            "from cdi.models import *; p=Patient.objects.create(mrn='F1'); Encounter.objects.create(patient=p, account_number='F-1')",
            env=env,
        )
        token = manage("create_client", "fault-ehr", env=env).stdout.strip()
        port = free_port()
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: port_open(port), 60)
        assert wait_for(lambda: healthy(port), 120), "gunicorn did not become healthy"
        url = f"http://127.0.0.1:{port}/api/notes"
        results: list[tuple[float, int, str, float]] = []
        stop = threading.Event()

        def load() -> None:
            i = 0
            while not stop.is_set():
                started = time.monotonic()
                status, body = post(url, token, {"encounter": "F-1", "text": f"Sodium 128, note {i}"})
                results.append((time.monotonic(), status, body, started))
                i += 1
                time.sleep(0.02)

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(1.5)
        pg.stop("fast")
        down_at = time.monotonic()
        time.sleep(2.5)
        restart_called = time.monotonic()
        pg.start()
        up_at = time.monotonic()
        # Keep the load on until five notes in a row are accepted again (or 30 s pass).
        wait_for(lambda: [r[1] for r in results[-5:] if r[0] > up_at] == [201] * 5, 30)
        stop.set()
        loader.join(timeout=30)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
    try:
        statuses = [r[1] for r in results]
        assert 500 not in statuses and 0 not in statuses, sorted(set(statuses))
        # Requests sent after the stop completed and answered before the restart began.
        during = [(s, b) for end, s, b, start in results if start > down_at and end < restart_called]
        assert during and all(s == 503 for s, _ in during), sorted({(s, b[:80]) for s, b in during})
        assert all("database is unavailable" in b for _, b in during)
        after = [r[1] for r in results if r[3] > up_at]
        first_ok = after.index(201)  # the service comes back...
        assert all(s in (201, 503) for s in after[:first_ok])
        assert all(s == 201 for s in after[first_ok:])  # ...and stays back
        recovered_at = next(r[0] for r in results if r[3] > up_at and r[1] == 201)
        assert recovered_at - up_at < 15
        created = statuses.count(201)
        counts = manage(
            "shell",
            "-v0",
            "-c",
            "from cdi.models import *; print(Note.objects.count(), AuditEvent.objects.filter(action='note.created').count())",
            env=env,
        ).stdout.split()
        stored, audited = (int(c) for c in counts)
        # Every acknowledged note is stored; a request cut off between COMMIT and its answer may
        # store a note its client saw fail (clients retry with external_id); nothing half-written.
        assert created <= stored <= created + statuses.count(503)
        assert stored == audited
    finally:
        pg.stop("immediate")
        shutil.rmtree(pg_folder, ignore_errors=True)
