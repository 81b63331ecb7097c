"""Who may see and do what, asked by apps below ``accounts`` without importing it.

The permission module lives in ``kehoach.accounts.permissions`` (roles held on units, one
query per request). ``geo`` sits below ``accounts`` (accounts' role assignments point at
administrative units), yet its pages and services must ask "may this user see this unit, manage
its villages?". Like ``core.panels`` for page sections, this module is the meeting point:
``accounts`` registers its permission module in ``AppConfig.ready()`` and the functions below
answer through it. ``Action`` — the names of the things a role allows — is defined here so that
any app can name one; ``accounts.permissions`` re-exports it with the table of roles per action.

``visible_or_404`` is the one way to "refuse as not found": a missing object and one the user
may not see raise the same ``NotFoundError``, which the middleware answers with 404
(``core.refusals``). Use it instead of writing ``try … except NotFoundError: raise Http404``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from .errors import NotFoundError

__all__ = [
    "Action",
    "Provider",
    "can_see",
    "has_permission",
    "is_system_admin",
    "register",
    "roles_on",
    "sees_whole_country",
    "units_visible_to",
    "visible_or_404",
]

M = TypeVar("M", bound=Model)


class Action(StrEnum):
    VIEW_UNIT = "unit.view"
    MANAGE_VILLAGES = "village.manage"
    MANAGE_USERS = "accounts.manage"
    MANAGE_CATALOG = "catalog.manage"
    MANAGE_ROUNDS = "round.manage"
    EDIT_PLAN = "plan.edit"
    SUBMIT_PLAN = "plan.submit"
    RETURN_PLAN = "plan.return"
    REVISE_PLAN = "plan.revise"
    ACCEPT_MEETING = "plan.accept_meeting"
    EDIT_ENVELOPE_PROVINCE = "envelope.edit_province"
    EDIT_ENVELOPE_COMMUNE = "envelope.edit_commune"
    PUBLISH_ENVELOPE = "envelope.publish"
    EDIT_COMMUNE_PLAN = "commune_plan.edit"
    VIEW_ROLLUP = "rollup.view"
    VIEW_NATIONAL = "national.view"
    SUBMIT_COMMUNE_PLAN = "commune_plan.submit"
    RETURN_COMMUNE_PLAN = "commune_plan.return"
    APPROVE_COMMUNE_PLAN = "commune_plan.approve"
    PUBLISH_COMMUNE_PLAN = "commune_plan.publish"
    REVIEW_COMMUNE_PLAN_DISTRICT = "commune_plan.district_review"
    COMMENT_PLAN = "plan.comment"
    REPORT_PROGRESS = "progress.report"
    RECORD_SUPERVISION = "supervision.record"
    EVALUATE_PLAN = "plan.evaluate"


class Provider(Protocol):
    """What ``accounts.permissions`` offers (the module itself is registered)."""

    def units_visible_to(self, user: Any) -> QuerySet[Any]: ...

    def can_see(self, user: Any, unit: Any) -> bool: ...

    def has_permission(self, user: Any, action: Action, unit: Any = None) -> bool: ...

    def roles_on(self, user: Any, unit: Any) -> set[str]: ...

    def is_system_admin(self, user: Any) -> bool: ...

    def sees_whole_country(self, user: Any) -> bool: ...

    def assignments_of(self, user: Any) -> list[Any]: ...


_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Called once by ``accounts`` in ``AppConfig.ready()``."""
    global _provider
    _provider = provider


def _the_provider() -> Provider:
    if _provider is None:
        raise ImproperlyConfigured("No permission module is registered (kehoach.accounts).")
    return _provider


def units_visible_to(user: Any) -> QuerySet[Any]:
    """Every administrative unit the user may see (one query when evaluated)."""
    return _the_provider().units_visible_to(user)


def can_see(user: Any, unit: Any) -> bool:
    return _the_provider().can_see(user, unit)


def has_permission(user: Any, action: Action, unit: Any = None) -> bool:
    return _the_provider().has_permission(user, action, unit)


def roles_on(user: Any, unit: Any) -> set[str]:
    return _the_provider().roles_on(user, unit)


def is_system_admin(user: Any) -> bool:
    return _the_provider().is_system_admin(user)


def assignments_of(user: Any) -> list[Any]:
    return _the_provider().assignments_of(user)


def sees_whole_country(user: Any) -> bool:
    """The administrator, and a national officer (a ministry or national programme, issue 16):
    ``units_visible_to`` is every unit, so every selector scoped by the user's units reads the
    whole country. Seeing is not doing: a national officer's actions are the read ones only."""
    return _the_provider().sees_whole_country(user)


def _unit_of(obj: Any, unit: str) -> Any:
    for name in unit.split("__") if unit else []:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def visible_or_404(
    user: Any, target: QuerySet[M] | M | None, /, *, unit: str = "", **lookup: Any
) -> M:
    """The object, when it exists and ``user`` may see it; otherwise ``NotFoundError`` (404).

    ``target`` is a queryset (narrowed by ``lookup``; one row expected) or an object already
    read (or None). ``unit`` names the path to its administrative unit ("village",
    "round__commune"; empty: the object is a unit itself); visibility is the user's units
    (``units_visible_to``) — on a queryset as one more condition of the same query, on an
    object without a query. Pass ``user=None`` for a queryset already scoped by a selector."""
    if isinstance(target, QuerySet):
        queryset = target.filter(**lookup) if lookup else target
        if user is not None:
            field = f"{unit}__in" if unit else "pk__in"
            queryset = queryset.filter(**{field: units_visible_to(user)})
        found = queryset.first()
        if found is None:
            raise NotFoundError()
        return found
    if target is None:
        raise NotFoundError()
    if user is not None:
        place = _unit_of(target, unit) if unit else target
        if place is None or not can_see(user, place):
            raise NotFoundError()
    return target
