"""The checks the catalog's writes, pages and the import preview share (``can_<action>``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.access import Action, has_permission, is_system_admin
from kehoach.core.errors import PermissionDeniedError
from kehoach.core.reasons import Reason

ALIAS_ACTIONS = (Action.EDIT_COMMUNE_PLAN, Action.EDIT_ENVELOPE_PROVINCE, Action.MANAGE_CATALOG)
"""Roles that may teach the catalog a name: whoever imports commune workbooks (the commune
planning officer), the provincial officer and the administrator."""


def can_add_alias(user: Any) -> Reason | None:
    """None when *user* may add another name to a sector, source or unit (``alias_add``):
    staff, a system administrator, or a commune or provincial planning role on any unit."""
    active = getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    if active and (
        getattr(user, "is_staff", False)
        or is_system_admin(user)
        or any(has_permission(user, action) for action in ALIAS_ACTIONS)
    ):
        return None
    return Reason.of(
        PermissionDeniedError(
            _(
                "Only a commune or provincial planning officer or an administrator may add "
                "another name to the catalog."
            )
        )
    )
