"""What the stage modules share: the groups of commune plan states they read, the deadlines of
a round, and the units on which the user holds a role (from the assignments read once per
request: no query)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.accounts.permissions import assignments_of
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from ..choices import CommunePlanStatus as S

SUBMITTED_OR_LATER = frozenset(
    {
        S.SUBMITTED,
        S.DISTRICT_REVIEWED,
        S.APPROVED,
        S.PUBLISHED,
        S.IN_IMPLEMENTATION,
        S.EVALUATED,
        S.CLOSED,
    }
)
APPROVED_OR_LATER = frozenset({S.APPROVED, S.PUBLISHED, S.IN_IMPLEMENTATION, S.EVALUATED, S.CLOSED})
PUBLISHED_OR_LATER = frozenset({S.PUBLISHED, S.IN_IMPLEMENTATION, S.EVALUATED, S.CLOSED})
FOLLOWED = frozenset({S.PUBLISHED, S.IN_IMPLEMENTATION, S.EVALUATED})
"""A published plan being carried out: no longer "in preparation", not closed either."""


DUE_LABELS = {
    "proposals": _("Village proposals due"),
    "synthesis": _("Commune synthesis due"),
    "approval": _("Approval due"),
}


@dataclass(frozen=True)
class Due:
    """A deadline of the round: how many days are left (negative: overdue), unless done."""

    kind: str
    day: datetime.date
    days_left: int
    done: bool

    @property
    def label(self) -> str:
        return str(DUE_LABELS[self.kind])

    @property
    def overdue(self) -> bool:
        return not self.done and self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left


def due(kind: str, day: datetime.date | None, *, today: datetime.date, done: bool) -> Due | None:
    if day is None:
        return None
    return Due(kind=kind, day=day, days_left=(day - today).days, done=done)


def units_with_role(user: Any, roles: Iterable[str]) -> list[AdministrativeUnit]:
    wanted = set(roles)
    units = {a.unit.pk: a.unit for a in assignments_of(user) if a.role in wanted and a.unit}
    return sorted(units.values(), key=lambda u: (u.level, u.sort_key, u.code))


def paths_under(units: Iterable[AdministrativeUnit], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(**{f"{lookup}__startswith": unit.path})
    return condition


def commune_units(user: Any, roles: Iterable[str]) -> list[AdministrativeUnit]:
    """The communes on which the user holds one of these roles (a role held on a province
    is covered by the province overview instead)."""
    return [u for u in units_with_role(user, roles) if u.level == Level.COMMUNE]
