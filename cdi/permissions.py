"""Roles and the one access helper every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
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
        cached = with_admin(user, frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True)))
        user._cdi_roles = cached
    return cached


def with_admin(user: User, roles: frozenset[str]) -> frozenset[str]:
    return roles | {ADMIN} if user.is_superuser else roles


class RoleLoadingBackend(ModelBackend):
    """Django's ModelBackend, but the signed-in user of each request comes with their roles from
    the same query (one EXISTS per role), so a view's role check costs no second query."""

    def get_user(self, user_id):
        member = User.groups.through.objects.filter(user_id=OuterRef("pk"))
        flags = {f"_is_{role}": Exists(member.filter(group__name=role)) for role in ROLES}
        user = User._default_manager.annotate(**flags).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user._cdi_roles = with_admin(user, frozenset(r for r in ROLES if getattr(user, f"_is_{r}")))
        return user


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
