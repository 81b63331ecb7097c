"""The one permission check used by views, the admin and (later) the API.

A role held on a unit covers that unit and everything below it. Whether a user may *see* a
unit and whether they may *do* something on it are separate questions: seeing is answered by
``units_visible_to`` (one query), doing by ``has_permission`` against ``ACTION_ROLES``. Views
turn "not visible" into 404 and "visible but not allowed" into 404 as well for objects of
another commune, so that nobody can probe what exists (design.md §1).

``Action`` is defined in ``kehoach.core.access`` (re-exported here), and this module is
registered there in ``AccountsConfig.ready()`` so that ``geo``, below ``accounts``, asks the same
questions without importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from kehoach.core.access import Action
from kehoach.geo.models import AdministrativeUnit, AdministrativeUnitQuerySet

from .choices import Role

__all__ = [
    "ACTION_ROLES",
    "Action",
    "assignments_of",
    "can_see",
    "forget_assignments",
    "has_permission",
    "is_system_admin",
    "roles_on",
    "sees_whole_country",
    "units_visible_to",
]

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import RoleAssignment, User


ALL_ROLES = frozenset(Role)

ACTION_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW_UNIT: ALL_ROLES,
    Action.MANAGE_VILLAGES: frozenset({Role.COMMUNE_PLANNER}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_CATALOG: frozenset({Role.ADMIN}),
    Action.MANAGE_ROUNDS: frozenset({Role.COMMUNE_PLANNER}),
    # A village plan's actions are checked on its village: a commune role covers every
    # village of the commune, a village editor's role only their own village.
    Action.EDIT_PLAN: frozenset({Role.COMMUNE_PLANNER, Role.VILLAGE_EDITOR}),
    Action.SUBMIT_PLAN: frozenset({Role.COMMUNE_PLANNER, Role.VILLAGE_EDITOR}),
    Action.RETURN_PLAN: frozenset({Role.COMMUNE_PLANNER, Role.COMMUNE_APPROVER}),
    Action.REVISE_PLAN: frozenset({Role.COMMUNE_PLANNER, Role.VILLAGE_EDITOR}),
    Action.ACCEPT_MEETING: frozenset({Role.COMMUNE_APPROVER}),
    # The envelope of a commune (F11): the province enters programme and provincial money,
    # the commune its own budget and other sources; either may publish it to the villages.
    Action.EDIT_ENVELOPE_PROVINCE: frozenset({Role.PROVINCE_OFFICER}),
    Action.EDIT_ENVELOPE_COMMUNE: frozenset({Role.COMMUNE_PLANNER}),
    Action.PUBLISH_ENVELOPE: frozenset({Role.COMMUNE_PLANNER, Role.PROVINCE_OFFICER}),
    # Synthesis, scoring, allocation, financial plan and targets of the commune plan.
    Action.EDIT_COMMUNE_PLAN: frozenset({Role.COMMUNE_PLANNER}),
    # Province (and former district) roll-ups, checked on the province or district.
    Action.VIEW_ROLLUP: frozenset(
        {Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.DONOR_VIEWER, Role.NATIONAL_OFFICER}
    ),
    # The national roll-up (issue 16): the country, its provinces and communes. A national
    # officer (a ministry or national programme) holds the role without a unit and sees every
    # unit (``sees_whole_country``), but it is in no other action's set: it only reads.
    Action.VIEW_NATIONAL: frozenset({Role.NATIONAL_OFFICER}),
    # The commune plan's workflow (R20): the planner submits, publishes and amends; the commune
    # leadership (People's Committee chair, People's Council) returns and approves; a former
    # district office reviews pre-2025 plans when the profile has that step.
    Action.SUBMIT_COMMUNE_PLAN: frozenset({Role.COMMUNE_PLANNER}),
    Action.RETURN_COMMUNE_PLAN: frozenset({Role.COMMUNE_APPROVER}),
    Action.APPROVE_COMMUNE_PLAN: frozenset({Role.COMMUNE_APPROVER}),
    Action.PUBLISH_COMMUNE_PLAN: frozenset({Role.COMMUNE_PLANNER, Role.COMMUNE_APPROVER}),
    Action.REVIEW_COMMUNE_PLAN_DISTRICT: frozenset({Role.DISTRICT_OFFICER}),
    Action.COMMENT_PLAN: frozenset(
        {
            Role.COMMUNE_PLANNER,
            Role.COMMUNE_APPROVER,
            Role.PROVINCE_OFFICER,
            Role.DISTRICT_OFFICER,
        }
    ),
    # Implementation (F14), the supervision board's records (F17) and the evaluation of the
    # year (F15, F16), checked on the commune: the commune's planning officer keeps them; every
    # role that sees the commune reads them.
    Action.REPORT_PROGRESS: frozenset({Role.COMMUNE_PLANNER}),
    Action.RECORD_SUPERVISION: frozenset({Role.COMMUNE_PLANNER}),
    Action.EVALUATE_PLAN: frozenset({Role.COMMUNE_PLANNER}),
}

_CACHE_ATTR = "_kehoach_role_assignments"


def assignments_of(user: User | AnonymousUser | Any) -> list[RoleAssignment]:
    """The user's role assignments with their units, read once per request."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import RoleAssignment

        cached = list(RoleAssignment.objects.filter(user_id=user.pk or 0).select_related("unit"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_assignments(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_system_admin(user: User | AnonymousUser | Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role == Role.ADMIN for a in assignments_of(user))


def sees_whole_country(user: User | AnonymousUser | Any) -> bool:
    """The administrator and a national officer see every unit (no query)."""
    if is_system_admin(user):
        return True
    return any(a.role == Role.NATIONAL_OFFICER for a in assignments_of(user))


def units_visible_to(user: User | AnonymousUser | Any) -> AdministrativeUnitQuerySet:
    """Every unit the user may see: the subtrees of the units they hold a role on (every
    unit for the administrator and a national officer)."""
    units = AdministrativeUnit.objects.all()
    if sees_whole_country(user):
        return units
    condition = Q()
    for assignment in assignments_of(user):
        if assignment.unit is not None:
            condition |= Q(path__startswith=assignment.unit.path)
    if not condition:
        return units.none()
    return units.filter(condition)


def can_see(user: User | AnonymousUser | Any, unit: AdministrativeUnit) -> bool:
    """Whether ``unit`` is in ``units_visible_to(user)``, answered without a query."""
    if sees_whole_country(user):
        return True
    return any(
        a.unit is not None and unit.path.startswith(a.unit.path) for a in assignments_of(user)
    )


def roles_on(user: User | AnonymousUser | Any, unit: AdministrativeUnit) -> set[str]:
    """The roles the user holds on this unit or on any unit above it (a national officer's
    role, held without a unit, is on every unit)."""
    if is_system_admin(user):
        return {Role.ADMIN}
    return {
        a.role
        for a in assignments_of(user)
        if (a.unit is not None and unit.path.startswith(a.unit.path))
        or (a.unit is None and a.role == Role.NATIONAL_OFFICER)
    }


def has_permission(
    user: User | AnonymousUser | Any, action: Action, unit: AdministrativeUnit | None = None
) -> bool:
    if is_system_admin(user):
        return True
    allowed = ACTION_ROLES[action]
    if unit is None:
        return any(a.role in allowed for a in assignments_of(user))
    return bool(roles_on(user, unit) & allowed)
