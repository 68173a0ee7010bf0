"""Roles and the one access helper every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

CDI_SPECIALIST = "cdi_specialist"
PHYSICIAN = "physician"
FINANCE = "finance"
CODER = "coder"
ADMIN = "admin"
ROLES = (CDI_SPECIALIST, PHYSICIAN, FINANCE, CODER, ADMIN)


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cdi_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        user._cdi_roles = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def role_required(*roles: str) -> Callable:
    """Log in, then allow only users holding one of `roles` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_note_for_user(request: AuthenticatedHttpRequest, note_id: int):
    """Fetch a note the user may read: chart access is for CDI specialists, coders and admins."""
    from .models import Note

    if not has_role(request.user, CDI_SPECIALIST, CODER, ADMIN):
        raise PermissionDenied("Your role does not give access to charts.")
    return get_object_or_404(Note.objects.select_related("encounter__patient", "author"), pk=note_id)
