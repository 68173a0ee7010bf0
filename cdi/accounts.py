"""Login with failed-attempt lockout."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from .models import LoginFailure


def is_locked(username: str) -> bool:
    row = LoginFailure.objects.filter(username=username.lower()).first()
    return bool(row and row.locked_until and row.locked_until > timezone.now())


def register_failure(username: str) -> None:
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    row, _ = LoginFailure.objects.get_or_create(username=username.lower())
    recent = row.failures and row.last_failure_at >= now - window
    row.failures = row.failures + 1 if recent else 1
    row.last_failure_at = now
    if row.failures >= settings.LOGIN_MAX_FAILURES:
        row.locked_until = now + window
    row.save(update_fields=("failures", "last_failure_at", "locked_until"))


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed sign-ins for this account. Try again later or ask an administrator.",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and is_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                register_failure(username)
            raise
        clear_failures(username)
        return cleaned
