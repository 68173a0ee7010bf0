"""Seed 2,000 encounters with 10,000 open gaps (and demo query history), serve the app with gunicorn
on loopback under production settings, and drive one page with wrk (20 connections, bounded in
time): the worklist, the finance dashboard, or the intake API (POST /api/notes). Prints requests/s,
latency percentiles and error counts."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings

from cdi.management import loopback
from cdi.models import Encounter, Gap, IntegrationClient, Note, Patient, Provider

UNITS = ["4 West", "5 East", "6 North", "CCU", "ICU", "Step-down", "Oncology", "Observation"]
CONDITIONS = [
    ("organism", "pneumonia", "mcc"),
    ("acuity", "heart_failure", "mcc"),
    ("undocumented_diagnosis", "hyponatremia", "cc"),
    ("undocumented_diagnosis", "acute_kidney_injury", "cc"),
    ("severity", "ckd_stage", "cc"),
]


INTAKE_BODY = json.dumps(
    {
        "encounter": "BENCH-00000",
        "text": "Sodium 128 mmol/L, fluid restriction 1.5 L, recheck in the morning.",
    }
)
# wrk's --latency table stops at 50/75/90/99%; its Lua `done` hook reads any percentile.
REPORT_PERCENTILES = (50, 90, 95, 99)
WRK_REPORT = (
    "done = function(summary, latency, requests)\n"
    f"  for _, p in ipairs({{{', '.join(map(str, REPORT_PERCENTILES))}}}) do\n"
    '    io.write(string.format("percentile %g %d\\n", p, latency:percentile(p)))\n'
    "  end\n"
    "end\n"
)


def wrk_script(folder: Path, body: str | None = None) -> Path:
    """A wrk Lua script that reports REPORT_PERCENTILES and, given a body, POSTs it as JSON."""
    script = folder / "bench.lua"
    request = f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n' if body is not None else ""
    script.write_text(request + WRK_REPORT)
    return script


def parse_wrk(output: str) -> dict:
    percentiles = {
        int(float(p)): int(us) / 1000 for p, us in re.findall(r"^percentile ([\d.]+) (\d+)$", output, re.M)
    }
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": total,
        "requests_per_s": rps,
        **{f"p{p}_ms": percentiles[p] for p in REPORT_PERCENTILES},
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--encounters", type=int, default=2000)
        parser.add_argument("--gaps", type=int, default=10000)
        parser.add_argument("--seconds", type=int, default=15)
        parser.add_argument("--connections", type=int, default=20)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
        parser.add_argument("--page", choices=("worklist", "dashboard", "intake"), default="worklist")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("Run this against PostgreSQL: set DATABASE_URL=postgres://...")
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk)")
        self.seed(opts["encounters"], opts["gaps"])
        page = opts["page"]
        with override_settings(SECRET_KEY=loopback.BENCH_SECRET):  # the session hash uses the key
            cookie = self.session_cookie("finance" if page == "dashboard" else "cdi_specialist")
        if page == "dashboard":
            self.seed_history()
        # The intake enqueues on a queue nothing consumes.
        env = loopback.production_env(CELERY_QUEUE="benchmark-intake")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            timeout=300,
        )
        server, port = loopback.start_gunicorn(env, workers=opts["workers"])
        scripts = tempfile.TemporaryDirectory()
        try:
            path = {"worklist": "/worklist/", "dashboard": "/finance/", "intake": "/api/notes"}[page]
            url = f"http://127.0.0.1:{port}{path}"
            loopback.wait_healthy(port)
            if page == "intake":
                token = self.client_token()
                headers = ["-H", f"Authorization: Bearer {token}", "-H", "Content-Type: application/json"]
                headers += ["-s", str(wrk_script(Path(scripts.name), INTAKE_BODY))]
            else:
                headers = ["-H", f"Cookie: sessionid={cookie}", "-s", str(wrk_script(Path(scripts.name)))]
            command = ["wrk", "-t2", f"-c{opts['connections']}", f"-d{opts['seconds']}s", "--latency"]
            result = subprocess.run(
                [*command, "--timeout", "5s", *headers, url],
                capture_output=True,
                text=True,
                timeout=opts["seconds"] + 30,
                check=True,
            )
        finally:
            loopback.stop(server)
            scripts.cleanup()
        figures = parse_wrk(result.stdout)
        figures.update(
            page=page,
            encounters=opts["encounters"],
            gaps=opts["gaps"],
            connections=opts["connections"],
            gunicorn_workers=opts["workers"],
            seconds=opts["seconds"],
        )
        if opts["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(f"{page}: {figures['gaps']:,} open gaps over {figures['encounters']:,} encounters")
        self.stdout.write(
            f"gunicorn {figures['gunicorn_workers']} workers, wrk {figures['connections']} connections, {figures['seconds']} s"
        )
        for key in (
            "requests",
            "requests_per_s",
            "p50_ms",
            "p90_ms",
            "p95_ms",
            "p99_ms",
            "non_2xx",
            "socket_errors",
        ):
            self.stdout.write(f"  {key:15} {figures[key]}")

    def seed(self, n_encounters: int, n_gaps: int) -> None:
        have = Gap.objects.filter(encounter__account_number__startswith="BENCH-").count()
        if have >= n_gaps:
            self.seed_units()  # data seeded before encounters had units
            return
        rng = random.Random(1)
        with transaction.atomic():
            providers = [
                Provider.objects.get_or_create(npi=f"99000000{i:02}", defaults={"name": f"Bench Dr {i}"})[0]
                for i in range(20)
            ]
            patients = Patient.objects.bulk_create(
                Patient(mrn=f"BENCH-MRN-{i:05}") for i in range(n_encounters)
            )
            encounters = Encounter.objects.bulk_create(
                Encounter(
                    patient=p,
                    account_number=f"BENCH-{i:05}",
                    attending=providers[i % 20],
                    service_line=["Medicine", "Cardiology", "Surgery", "Nephrology"][i % 4],
                    unit=UNITS[i % len(UNITS)],
                )
                for i, p in enumerate(patients)
            )
            notes = Note.objects.bulk_create(
                Note(
                    encounter=e,
                    text="Benchmark note.",
                    text_sha256="0" * 64,
                    source="demo",
                    status="analysed",
                )
                for e in encounters
            )
            gaps = []
            for i in range(n_gaps):
                # Each note gets distinct conditions (one gap per pair per note).
                category, condition, severity = CONDITIONS[(i // n_encounters) % len(CONDITIONS)]
                note = notes[i % n_encounters]
                gaps.append(
                    Gap(
                        note=note,
                        encounter_id=note.encounter_id,
                        category=category,
                        condition=condition if i < n_encounters * len(CONDITIONS) else f"{condition}_{i}",
                        confidence=round(rng.uniform(0.5, 0.99), 2),
                        severity_effect=severity,
                        expected_impact=Decimal(rng.randint(300, 6000)),
                        evidence=[{"start": 0, "end": 9, "text": "Benchmark"}],
                    )
                )
            Gap.objects.bulk_create(gaps, batch_size=2000)

    def seed_units(self) -> None:
        missing = list(
            Encounter.objects.filter(account_number__startswith="BENCH-", unit="").only(
                "id", "account_number"
            )
        )
        for encounter in missing:
            encounter.unit = UNITS[int(encounter.account_number.removeprefix("BENCH-")) % len(UNITS)]
        Encounter.objects.bulk_update(missing, ["unit"], batch_size=500)

    def seed_history(self) -> None:
        from cdi.demo.history import seed_history

        specialist, _ = User.objects.get_or_create(username="bench-cdi_specialist")
        seed_history(specialist, list(Provider.objects.filter(npi__startswith="99000000")[:10]), count=300)

    def client_token(self) -> str:
        IntegrationClient.objects.filter(name="benchmark-intake").delete()
        return IntegrationClient.issue("benchmark-intake")[1]

    def session_cookie(self, role: str) -> str:
        user, created = User.objects.get_or_create(username=f"bench-{role}")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return session.session_key
