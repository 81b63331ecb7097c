"""Which commune plans the dashboards follow: those with a published version."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)

from kehoach.approvals.models import Version
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.models import CommunePlan


def published(plan_uid: str) -> Exists:
    """``is_monitored`` as SQL: a published version of the commune plan whose uid is at
    ``plan_uid`` (a path from the rows being filtered)."""
    return Exists(
        Version.objects.filter(
            plan_uid=OuterRef(plan_uid),
            subject_label=CommunePlan._meta.label_lower,
            published_at__isnull=False,
        )
    )


def monitored_plans(unit: AdministrativeUnit, year: int | None = None) -> QuerySet[CommunePlan]:
    """The commune plans under ``unit`` (a province, former district or commune) that are
    followed, i.e. have a published version."""
    plans = CommunePlan.objects.filter(round__commune__path__startswith=unit.path).filter(
        published("uid")
    )
    if year is not None:
        plans = plans.filter(round__plan_year=year)
    return plans


def years_followed(unit: AdministrativeUnit) -> list[int]:
    """Plan years with at least one followed commune plan under ``unit``, newest first."""
    return list(
        monitored_plans(unit)
        .values_list("round__plan_year", flat=True)
        .distinct()
        .order_by("-round__plan_year")
    )
