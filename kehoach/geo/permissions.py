"""What a user may do with administrative units, asked by views, templates and services alike.

The roles come from ``accounts``; ``geo`` asks through ``kehoach.core.access`` (``accounts``
registers its permission module there), so ``geo`` imports nothing above ``core``.
"""

from __future__ import annotations

from typing import Any

from kehoach.core.access import Action, has_permission
from kehoach.core.errors import NotFoundError
from kehoach.core.reasons import Reason

from .choices import Level
from .models import AdministrativeUnit


def can_manage_villages(user: Any, commune: AdministrativeUnit | None) -> Reason | None:
    """Whether ``user`` may add, rename, end, restore, merge or import the villages of
    ``commune``: None, or a hidden reason (the same as a missing unit: nobody learns what they
    may not touch)."""
    if commune is None or not has_permission(user, Action.MANAGE_VILLAGES, commune):
        return Reason.of(NotFoundError())
    return None


def can_change_village(user: Any, village: AdministrativeUnit) -> Reason | None:
    """Whether ``user`` may change ``village``: a village of a commune whose villages are
    theirs to manage."""
    if village.level != Level.VILLAGE:
        return Reason.of(NotFoundError())
    return can_manage_villages(user, village.parent)
