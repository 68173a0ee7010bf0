from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "a-real-looking-production-secret-0123456789",
        ALLOWED_HOSTS="cdi.hospital.example",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_malformed_setting_names_the_variable(tmp_path):
    env = production_env(tmp_path)
    env["NOTE_MAX_BYTES"] = "a lot"
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "NOTE_MAX_BYTES" in result.stderr
