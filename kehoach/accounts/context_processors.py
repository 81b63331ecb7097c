"""What every page's navigation needs: the user's units and roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import Action, has_permission, is_system_admin
from .selectors import units_held_by

NAV_UNITS = 4
"""How many of the user's units the top bar links to; the home page lists all of them."""


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_units": [],
            "nav_more_units": 0,
            "nav_is_admin": False,
            "nav_national": False,
        }
    units = units_held_by(user=user)
    # A "more" link never hides a single unit: it would take as much room as the unit itself.
    shown = units if len(units) <= NAV_UNITS + 1 else units[:NAV_UNITS]
    return {
        "nav_units": shown,
        "nav_more_units": len(units) - len(shown),
        "nav_is_admin": is_system_admin(user),
        "nav_national": has_permission(user, Action.VIEW_NATIONAL),
    }
