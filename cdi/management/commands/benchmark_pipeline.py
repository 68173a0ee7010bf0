"""End-to-end throughput: real notes through the API (gunicorn on loopback) to real Celery workers
on Redis and PostgreSQL, for 1 and 2 worker processes. Prints notes/minute, p50/p95 time from
submission to gaps stored, the workers' own time per note, and peak worker memory.

Modes: `burst` submits every note at once while the workers run (end to end: the client, gunicorn,
PostgreSQL and the workers share the machine); `sequential` submits the next note only once the
previous one is stored (the latency of one note with nothing queued); `drain` submits every note
with no worker running, stops gunicorn, then starts the workers and times how fast they empty the
queue (from the first analysis started to the last stored: the workers' throughput alone).

`--min-words N` measures long notes: the MTSamples reports of at least N words, and where there
are fewer than --notes of them, reports joined end to end until they reach N words (the output
says how many of each)."""

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
from django.db.models import Count

from cdi.management import loopback
from cdi.models import Encounter, IntegrationClient, Note, Patient


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def select_texts(files: list[Path], count: int, min_words: int, rng: random.Random) -> tuple[list[str], int]:
    """`count` notes sampled from `files`; with `min_words`, only reports of at least that many
    words, topped up with reports joined end to end until each reaches `min_words`.
    Returns the texts and how many of them are joined reports."""

    def read(f: Path) -> str:
        return f.read_text(encoding="utf-8", errors="replace").strip()

    texts = [t for t in (read(f) for f in files) if t] if min_words else []
    if not min_words:
        return [t for t in (read(f) for f in rng.sample(files, min(count, len(files)))) if t], 0
    long = [t for t in texts if len(t.split()) >= min_words]
    chosen = rng.sample(long, min(count, len(long)))
    short = [t for t in texts if len(t.split()) < min_words]
    rng.shuffle(short)
    joined = 0
    while len(chosen) < count and short:
        parts: list[str] = []
        while short and sum(len(p.split()) for p in parts) < min_words:
            parts.append(short.pop())
        if sum(len(p.split()) for p in parts) < min_words:
            break
        chosen.append("\n\n".join(parts))
        joined += 1
    return chosen, joined


def wait_worker_ready(worker, deadline: float, settle: float) -> None:
    """Until the worker answers a ping (its tables are loaded: see config/celery.py), then `settle`
    seconds for its pool processes, so the clock does not include the worker's start."""
    from config.celery import app

    while not app.control.ping(timeout=1.0):
        if worker.poll() is not None:
            raise CommandError("the Celery worker exited at start")
        if time.monotonic() > deadline:
            raise CommandError("the Celery worker did not start")
    time.sleep(settle)


def wait_stored(ids: list[int], deadline: float, poll: float) -> None:
    while Note.objects.filter(pk__in=ids).exclude(status__in=("analysed", "failed")).exists():
        if time.monotonic() > deadline:
            raise CommandError("notes were not analysed in time")
        time.sleep(poll)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--notes", type=int, default=40)
        parser.add_argument(
            "--notes-dir", default=str(settings.BASE_DIR.parent / "shared" / "data" / "mtsamples")
        )
        parser.add_argument("--workers", default="1,2", help="worker process counts to measure, e.g. 1,2")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--min-words", type=int, default=0, help="only notes of at least this many words")
        parser.add_argument("--mode", choices=("burst", "sequential", "drain"), default="burst")
        parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for one run")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql" or not settings.REDIS_URL:
            raise CommandError("Run this on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.")
        folder = Path(opts["notes_dir"])
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not files:
            raise CommandError(f"No .txt notes in {folder}; pass --notes-dir DIR.")
        texts, joined = select_texts(files, opts["notes"], opts["min_words"], random.Random(opts["seed"]))
        patient, _ = Patient.objects.get_or_create(mrn="BENCH-PIPELINE")
        encounter, _ = Encounter.objects.get_or_create(
            account_number="BENCH-PIPELINE", defaults={"patient": patient}
        )
        IntegrationClient.objects.filter(name="benchmark-pipeline").delete()
        _, token = IntegrationClient.issue("benchmark-pipeline")
        runs = [
            self.run(texts, encounter, token, int(k), opts["timeout"], opts["mode"])
            for k in opts["workers"].split(",")
        ]
        words = [len(t.split()) for t in texts]
        report = {
            "mode": opts["mode"],
            "notes": len(texts),
            "joined_notes": joined,
            "min_words": min(words),
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
        selection = (
            f"{len(texts) - joined} reports of at least {opts['min_words']} words, {joined} joined from "
            "shorter reports; "
            if opts["min_words"]
            else ""
        )
        self.stdout.write(
            f"{report['notes']} notes ({selection}min {report['min_words']}, mean {report['mean_words']}, "
            f"max {report['max_words']} words), {report['model']}, mode {opts['mode']}"
        )
        self.stdout.write(
            f"{'workers':>8} {'notes/min':>10} {'p50 s':>8} {'p95 s':>8} {'max s':>8} {'worker p50 s':>13} "
            f"{'worker p95 s':>13} {'gaps':>5} {'peak worker RSS / PSS MiB':>26}"
        )
        for r in runs:
            self.stdout.write(
                f"{r['workers']:>8} {r['notes_per_min']:>10} {r['p50_s']!s:>8} {r['p95_s']!s:>8} {r['max_s']!s:>8} "
                f"{r['worker_p50_s']!s:>13} {r['worker_p95_s']!s:>13} {r['gaps']:>5} "
                f"{r['peak_worker_rss_mib']:>20} / {r['peak_worker_pss_mib']}"
            )
        for r in runs if opts["mode"] != "drain" else []:
            self.stdout.write(
                f"{r['workers']} worker(s): CPU s per note: workers {r['worker_cpu_s_per_note']}, "
                f"gunicorn {r['web_cpu_s_per_note']}"
            )
        if opts["mode"] == "drain":
            self.stdout.write(
                "drain: notes/min from the first analysis started to the last stored, no client or "
                "gunicorn running; p50/p95 include the wait for the workers to start"
            )
        if "scaling_1_to_2" in report:
            self.stdout.write(f"throughput at 2 workers = {report['scaling_1_to_2']:.0%} of linear")

    def run(
        self, texts: list[str], encounter: Encounter, token: str, workers: int, timeout: int, mode: str
    ) -> dict:
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
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        worker = None
        peak = [0, 0]
        stop = threading.Event()

        cpu = {"worker": 0.0, "web": 0.0}
        start_cpu = {"worker": 0.0, "web": 0.0}

        def tree_cpu(proc) -> float:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in tree)

        def sample() -> None:
            while not stop.is_set():
                try:
                    tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree))
                    # PSS counts the pages the forked children share with the parent once.
                    peak[1] = max(peak[1], sum(p.memory_full_info().pss for p in tree))
                    cpu["worker"] = max(cpu["worker"], tree_cpu(worker))
                    if web.poll() is None:
                        cpu["web"] = max(cpu["web"], tree_cpu(web))
                except psutil.Error:
                    pass
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        deadline = time.monotonic() + timeout
        try:
            loopback.wait_healthy(port)
            if mode == "drain":
                ids = [self.submit(port, token, encounter, text, i) for i, text in enumerate(texts)]
                loopback.stop(web)  # the workers drain the queue alone
            worker = loopback.start(worker_args, env)
            sampler.start()
            wait_worker_ready(worker, deadline, settle=0 if mode == "drain" else 2)
            start_cpu = {"worker": tree_cpu(worker), "web": tree_cpu(web) if web.poll() is None else 0.0}
            if mode == "burst":
                ids = [self.submit(port, token, encounter, text, i) for i, text in enumerate(texts)]
            elif mode == "sequential":
                ids = []
                for i, text in enumerate(texts):
                    ids.append(self.submit(port, token, encounter, text, i))
                    wait_stored(ids[-1:], deadline, poll=0.05)
            wait_stored(ids, deadline, poll=0.5)
            time.sleep(0.6)  # one more CPU sample after the last note
        finally:
            stop.set()
            for proc in (worker, web):
                if proc is not None:
                    loopback.stop(proc)
        notes = list(
            Note.objects.filter(pk__in=ids)
            .annotate(gap_count=Count("gaps"))
            .values("status", "received_at", "analysis_started_at", "analysed_at", "gap_count")
        )
        done = [n for n in notes if n["status"] == "analysed"]
        latencies = [(n["analysed_at"] - n["received_at"]).total_seconds() for n in done]
        worker_times = [(n["analysed_at"] - n["analysis_started_at"]).total_seconds() for n in done]
        start = "analysis_started_at" if mode == "drain" else "received_at"
        span = (
            (max(n["analysed_at"] for n in done) - min(n[start] for n in done)).total_seconds() if done else 0
        )
        return {
            "workers": workers,
            "analysed": len(done),
            "failed": len(notes) - len(done),
            "gaps": sum(n["gap_count"] for n in done),
            "notes_per_min": round(len(done) / span * 60, 1) if span else 0.0,
            "p50_s": round(percentile(latencies, 0.5), 2) if latencies else None,
            "p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
            "worker_p50_s": round(percentile(worker_times, 0.5), 2) if worker_times else None,
            "worker_p95_s": round(percentile(worker_times, 0.95), 2) if worker_times else None,
            "max_s": round(max(latencies), 2) if latencies else None,
            "peak_worker_rss_mib": round(peak[0] / 2**20),
            "peak_worker_pss_mib": round(peak[1] / 2**20),
            # CPU seconds per note of the worker processes and of gunicorn from the moment the worker
            # is ready: what the two cores are spent on, beside PostgreSQL, Redis and this client.
            # Not while draining: the worker is on the queue before it answers the ping.
            "worker_cpu_s_per_note": (
                round((cpu["worker"] - start_cpu["worker"]) / len(done), 3)
                if done and mode != "drain"
                else None
            ),
            "web_cpu_s_per_note": (
                round((cpu["web"] - start_cpu["web"]) / len(done), 3) if done and mode != "drain" else None
            ),
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
