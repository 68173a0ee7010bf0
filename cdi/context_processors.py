from __future__ import annotations

from .permissions import user_roles


def roles(request) -> dict:
    return {"roles": user_roles(request.user)}
