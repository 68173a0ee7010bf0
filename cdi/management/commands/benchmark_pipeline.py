"""End-to-end throughput: real notes through the API (gunicorn on loopback) to real Celery workers
on Redis and PostgreSQL, for 1 and 2 worker processes. Prints notes/minute, p50/p95 time from
submission to gaps stored, and peak worker memory."""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cdi.management import loopback
from cdi.models import Encounter, IntegrationClient, Note, Patient


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--notes", type=int, default=40)
        parser.add_argument(
            "--notes-dir", default=str(settings.BASE_DIR.parent / "shared" / "data" / "mtsamples")
        )
        parser.add_argument("--workers", default="1,2", help="worker process counts to measure, e.g. 1,2")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for one run")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Run this on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.")
        folder = Path(opts["notes_dir"])
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not files:
            raise CommandError(f"No .txt notes in {folder}; pass --notes-dir DIR.")
        rng = random.Random(opts["seed"])
        texts = [
            f.read_text(encoding="utf-8", errors="replace")
            for f in rng.sample(files, min(opts["notes"], len(files)))
        ]
        texts = [t for t in texts if t.strip()]
        patient, _ = Patient.objects.get_or_create(mrn="BENCH-PIPELINE")
        encounter, _ = Encounter.objects.get_or_create(
            account_number="BENCH-PIPELINE", defaults={"patient": patient}
        )
        IntegrationClient.objects.filter(name="benchmark-pipeline").delete()
        _, token = IntegrationClient.issue("benchmark-pipeline")
        runs = [
            self.run(texts, encounter, token, int(k), opts["timeout"]) for k in opts["workers"].split(",")
        ]
        words = [len(t.split()) for t in texts]
        report = {
            "notes": len(texts),
            "mean_words": round(statistics.mean(words)),
            "max_words": max(words),
            "model": "cdi adapter (CTranslate2 int8)" if settings.CDI_MODEL_ENABLED else "rules only",
            "runs": runs,
        }
        if len(runs) >= 2 and runs[0]["notes_per_min"]:
            report["scaling_1_to_2"] = round(runs[1]["notes_per_min"] / (2 * runs[0]["notes_per_min"]), 3)
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['notes']} notes (mean {report['mean_words']} words, max {report['max_words']}), {report['model']}"
        )
        self.stdout.write(
            f"{'workers':>8} {'notes/min':>10} {'p50 s':>8} {'p95 s':>8} {'peak worker RSS MiB':>20}"
        )
        for r in runs:
            self.stdout.write(
                f"{r['workers']:>8} {r['notes_per_min']:>10} {r['p50_s']:>8} {r['p95_s']:>8} {r['peak_worker_rss_mib']:>20}"
            )
        if "scaling_1_to_2" in report:
            self.stdout.write(f"throughput at 2 workers = {report['scaling_1_to_2']:.0%} of linear")

    def run(self, texts: list[str], encounter: Encounter, token: str, workers: int, timeout: int) -> dict:
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = loopback.production_env(
            CELERY_QUEUE=queue,
            WORKER_CONCURRENCY=str(workers),
            INFERENCE_THREADS=str(max(1, (os.cpu_count() or 1) // workers)),
        )
        web, port = loopback.start_gunicorn(env, workers=2)
        worker_args = [
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            str(workers),
            "-l",
            "warning",
        ]
        worker = loopback.start(
            [*worker_args, "--without-heartbeat", "--without-gossip", "--without-mingle"], env
        )
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
                except psutil.Error:
                    pass
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        try:
            loopback.wait_healthy(port)
            time.sleep(5)  # let the workers load the model before the clock starts
            sampler.start()
            ids = [self.submit(port, token, encounter, text, i) for i, text in enumerate(texts)]
            deadline = time.monotonic() + timeout
            while Note.objects.filter(pk__in=ids).exclude(status__in=("analysed", "failed")).exists():
                if time.monotonic() > deadline:
                    raise CommandError(f"notes were not analysed within {timeout} s")
                time.sleep(0.5)
        finally:
            stop.set()
            for proc in (worker, web):
                loopback.stop(proc)
        notes = list(Note.objects.filter(pk__in=ids).values("status", "received_at", "analysed_at"))
        done = [n for n in notes if n["status"] == "analysed"]
        latencies = [(n["analysed_at"] - n["received_at"]).total_seconds() for n in done]
        span = (
            (max(n["analysed_at"] for n in done) - min(n["received_at"] for n in notes)).total_seconds()
            if done
            else 0
        )
        return {
            "workers": workers,
            "analysed": len(done),
            "failed": len(notes) - len(done),
            "notes_per_min": round(len(done) / span * 60, 1) if span else 0.0,
            "p50_s": round(percentile(latencies, 0.5), 2) if latencies else None,
            "p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
            "peak_worker_rss_mib": round(peak[0] / 2**20),
        }

    def submit(self, port: int, token: str, encounter: Encounter, text: str, i: int) -> int:
        body = json.dumps(
            {"encounter": encounter.account_number, "text": text, "note_type": "benchmark"}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/notes",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["id"]
