"""Reads about a user's own roles and units, answered from the assignments read once per
request (``permissions.assignments_of``): no further query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .permissions import assignments_of

if TYPE_CHECKING:
    from kehoach.geo.models import AdministrativeUnit


def units_held_by(*, user: Any) -> list[AdministrativeUnit]:
    """The units the user holds a role on, each once: provinces first, then districts, communes
    and villages, each level in Vietnamese order (as on the home page)."""
    units = {a.unit.pk: a.unit for a in assignments_of(user) if a.unit is not None}
    return sorted(units.values(), key=lambda u: (u.level, u.sort_key, u.code))
