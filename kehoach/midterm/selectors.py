"""Reads of five-year periods and plans, scoped by the user at the source."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, Sum

from kehoach.accounts.permissions import units_visible_to
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit

from .models import MediumTermLine, MediumTermLineYear, MediumTermPlan, MediumTermRound


def rounds_of(commune: AdministrativeUnit) -> QuerySet[MediumTermRound]:
    return MediumTermRound.objects.filter(commune=commune).order_by("-first_year")


def rounds_visible_to(user: Any) -> QuerySet[MediumTermRound]:
    """The five-year periods of the communes the user may see."""
    return MediumTermRound.objects.filter(commune__in=units_visible_to(user)).select_related(
        "commune", "profile"
    )


def round_get_for_user(*, user: Any, uid: uuid.UUID | str) -> MediumTermRound:
    try:
        return rounds_visible_to(user).get(uid=uid)
    except (MediumTermRound.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


def plans_visible_to(user: Any) -> QuerySet[MediumTermPlan]:
    return MediumTermPlan.objects.filter(village__in=units_visible_to(user)).select_related(
        "round", "round__commune", "round__profile", "village", "meeting__plan__round"
    )


def plan_get_for_user(*, user: Any, uid: uuid.UUID | str) -> MediumTermPlan:
    """A five-year plan the user may see, or NotFoundError (the same for missing and
    forbidden)."""
    try:
        return plans_visible_to(user).get(uid=uid)
    except (MediumTermPlan.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


def plan_lines(plan: MediumTermPlan) -> list[MediumTermLine]:
    """The plan's alive activities with their years (``line.years.all()`` costs no query),
    in number order: three queries whatever the number of lines."""
    return list(
        MediumTermLine.objects.alive()
        .filter(plan=plan)
        .select_related("sector", "unit", "proposed_source")
        .prefetch_related(Prefetch("years", queryset=MediumTermLineYear.objects.order_by("year")))
        .order_by("number")
    )


def year_totals(lines: list[MediumTermLine], years: list[int]) -> dict[str, Any]:
    """The plan's totals per year and in all, over the lines the page already has (no
    query): cost per year, total cost, contribution, support."""
    per_year = {year: Decimal(0) for year in years}
    for line in lines:
        for item in line.years.all():
            per_year[item.year] = per_year.get(item.year, Decimal(0)) + item.cost_mvnd
    return {
        "per_year": [per_year[year] for year in years],
        "total": sum(per_year.values(), Decimal(0)),
        "contribution": sum((x.contribution_mvnd for x in lines), Decimal(0)),
        "support": sum((x.external_support_mvnd for x in lines), Decimal(0)),
    }


def round_rows(round_: MediumTermRound) -> list[dict[str, Any]]:
    """Each village's five-year plan of the period with its cost per year and in all (one
    aggregate query over the period's alive activities)."""
    plans = list(
        round_.plans.select_related("village").order_by("village__sort_key", "village__code")
    )
    sums: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        MediumTermLineYear.objects.filter(line__plan__round=round_, line__deleted_at__isnull=True)
        .values("line__plan_id", "year")
        .annotate(cost=Sum("cost_mvnd"))
    ):
        sums[row["line__plan_id"]][row["year"]] = row["cost"]
    years = round_.years
    return [
        {
            "plan": plan,
            "per_year": [sums[plan.pk].get(year) for year in years],
            "total": sum(sums[plan.pk].values(), Decimal(0)) if sums[plan.pk] else None,
        }
        for plan in plans
    ]


def plan_open_returns(plan: MediumTermPlan) -> list[StatusChange]:
    """What the commune asked to change when it returned the plan: the returns since it was
    last submitted, newest first (as ``plans.selectors.plan_open_returns``). One query."""
    steps = StatusChange.objects.filter(
        plan_uid=plan.uid,
        subject_label=MediumTermPlan._meta.label_lower,
        action__in=("submit", "return"),
    ).order_by("-at", "-id")
    returns: list[StatusChange] = []
    for step in steps[:50]:
        if step.action != "return":
            break
        returns.append(step)
    return returns
