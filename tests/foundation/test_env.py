from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, envbool, envint, envsecret


def test_envbool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert envbool("X_FLAG", True) is False


def test_envbool_fails_loudly_on_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", False)


def test_envint_rejects_non_integers_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        envint("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match=">= 1"):
        envint("X_INT", 1, minimum=1)


def test_envsecret_reads_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert envsecret("X_SECRET") == "s3cret"


def test_envsecret_without_default_must_be_set(monkeypatch):
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.delenv("X_SECRET_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET"):
        envsecret("X_SECRET")


def test_database_url_parses_postgres_and_sqlite(tmp_path):
    pg = database_from_url("postgres://u:p%40ss@db.local:5433/cdi", tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "cdi",
        "u",
        "p@ss",
        "db.local",
        "5433",
    )
    lite = database_from_url("sqlite:///var/x.sqlite3", tmp_path)
    assert lite["NAME"] == str(tmp_path / "var" / "x.sqlite3")
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x/y", tmp_path)
