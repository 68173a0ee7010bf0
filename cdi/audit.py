"""One way to write the audit trail, so every change is recorded the same way."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    actor: Any, action: str, obj: models.Model, before: dict | None = None, after: dict | None = None
) -> AuditEvent:
    """Append an audit event. `actor` is a User, an IntegrationClient, or None for the system."""
    from django.contrib.auth.models import AbstractBaseUser

    user = actor if isinstance(actor, AbstractBaseUser) else None
    if user is not None:
        label = user.get_username()
    elif actor is None:
        label = "system"
    else:
        label = f"client:{actor}"
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict:
    """The named fields of a row as JSON-safe values (for before/after). Never include note text."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out
