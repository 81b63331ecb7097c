"""What every page's navigation needs: the user's units and roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import assignments_of, is_system_admin


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_assignments": [], "nav_is_admin": False}
    seen: set[int] = set()
    assignments = []
    for a in assignments_of(user):
        if a.unit_id is not None and a.unit_id not in seen:
            seen.add(a.unit_id)
            assignments.append(a)
    return {"nav_assignments": assignments, "nav_is_admin": is_system_admin(user)}
