from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_it_locks_an_account_after_repeated_failures(client, cast):
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_SECONDS=600)
def test_a_successful_login_resets_the_failure_count(client, cast):
    for _ in range(2):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302


def test_responses_carry_security_headers(client, db):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
