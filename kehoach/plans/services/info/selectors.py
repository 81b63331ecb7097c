"""Reads of the village basic information: the saved one (or an empty one), last year's and
the computed shares."""

from __future__ import annotations

from decimal import Decimal

from kehoach.core.numbers import percent as percent_of

from ...models import BasicInfo, VillagePlan
from .rows import INFO_FIELDS, PERCENTAGES


def basic_info_get_or_empty(plan: VillagePlan) -> BasicInfo:
    """The plan's basic information, or an unsaved empty one."""
    info = BasicInfo.objects.filter(plan=plan).first()
    return info if info is not None else BasicInfo(plan=plan)


def basic_info_is_empty(info: BasicInfo) -> bool:
    """Nothing entered yet: no value, no source and no ethnic group."""
    if info.pk is None:
        return True
    if any(getattr(info, field) not in (None, "", False) for field in INFO_FIELDS):
        return False
    return not info.sources and not info.ethnic_groups.exists()


def basic_info_previous(plan: VillagePlan) -> BasicInfo | None:
    """The same village's basic information in the commune's latest earlier round
    (normally plan year − 1), to offer last year's values."""
    return (
        BasicInfo.objects.filter(
            plan__village_id=plan.village_id,
            plan__round__commune_id=plan.round.commune_id,
            plan__round__plan_year__lt=plan.round.plan_year,
        )
        .select_related("plan__round")
        .order_by("-plan__round__plan_year")
        .first()
    )


def basic_info_percentages(info: BasicInfo) -> dict[str, Decimal | None]:
    """The computed shares (one decimal), ``None`` where the part or the whole is missing."""
    return {
        key: percent_of(getattr(info, part), getattr(info, whole))
        for key, (part, whole) in PERCENTAGES.items()
    }
