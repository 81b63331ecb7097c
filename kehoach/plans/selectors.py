"""Reads of rounds and village plans, scoped by the user at the source."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum

from kehoach.accounts.permissions import units_visible_to
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import NotFoundError
from kehoach.core.numbers import percent
from kehoach.geo.models import AdministrativeUnit

from .models import PlanningRound, VillageMeeting, VillagePlan


def plans_visible_to(user: Any) -> QuerySet[VillagePlan]:
    return VillagePlan.objects.filter(village__in=units_visible_to(user)).select_related(
        "round", "round__commune", "round__profile", "village"
    )


def plan_get_for_user(*, user: Any, uid: uuid.UUID | str) -> VillagePlan:
    """A plan the user may see, or NotFoundError — the same for missing and forbidden."""
    try:
        return plans_visible_to(user).get(uid=uid)
    except (VillagePlan.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


def plan_open_returns(plan: VillagePlan) -> list[StatusChange]:
    """What the commune asked to change when it returned the plan: the returns since the plan
    was last submitted, newest first (who, when and the comment are on each row), so none once
    it is submitted again and none for a plan never returned. One query."""
    steps = StatusChange.objects.filter(
        plan_uid=plan.uid,
        subject_label=VillagePlan._meta.label_lower,
        action__in=("submit", "return"),
    ).order_by("-at", "-id")
    returns: list[StatusChange] = []
    for step in steps[:50]:
        if step.action != "return":
            break
        returns.append(step)
    return returns


def rounds_of(commune: AdministrativeUnit) -> QuerySet[PlanningRound]:
    return PlanningRound.objects.filter(commune=commune).order_by("-plan_year")


def rounds_visible_to(user: Any) -> QuerySet[PlanningRound]:
    """The planning rounds of the communes the user may see."""
    return PlanningRound.objects.filter(commune__in=units_visible_to(user)).select_related(
        "commune", "profile"
    )


def round_get_for_user(*, user: Any, uid: uuid.UUID | str) -> PlanningRound:
    try:
        return rounds_visible_to(user).get(uid=uid)
    except (PlanningRound.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundError() from exc


@dataclass
class SectorTotals:
    sector: Any
    lines: list[Any]
    total_cost: Decimal = Decimal(0)
    contribution: Decimal = Decimal(0)
    support: Decimal = Decimal(0)
    priority_count: int = 0


def lines_by_sector(lines: list[Any]) -> tuple[list[SectorTotals], SectorTotals]:
    """Group alive lines by sector (catalog order) with subtotals, and the plan total — in
    Python over the lines the page already has, so no extra query."""
    groups: dict[int, SectorTotals] = {}
    grand = SectorTotals(sector=None, lines=[])
    for line in lines:
        group = groups.setdefault(line.sector_id, SectorTotals(sector=line.sector, lines=[]))
        group.lines.append(line)
        for target in (group, grand):
            target.total_cost += line.total_cost_mvnd
            target.contribution += line.contribution_mvnd
            target.support += line.external_support_mvnd
            target.priority_count += int(line.priority is not None)
    ordered = sorted(groups.values(), key=lambda g: (g.sector.sort_order, g.sector.code))
    for group in ordered:
        group.lines.sort(key=lambda line: (line.priority or 99, line.number))
    return ordered, grand


def plan_lines(plan: VillagePlan) -> list[Any]:
    return list(
        plan.lines.alive().select_related("sector", "unit", "proposed_source").order_by("number")
    )


def commune_participation(round_: PlanningRound) -> dict[str, Any]:
    """Participation in the round's village meetings (R10), summed over the commune in one
    aggregate query: households represented, women, poor and ethnic-minority participants."""
    totals = VillageMeeting.objects.filter(plan__round=round_).aggregate(
        meetings=Count("id"),
        households=Sum("households_total"),
        represented=Sum("households_represented"),
        participants=Sum("participants_total"),
        women=Sum("participants_women"),
        poor=Sum("participants_poor"),
        em=Sum("participants_em"),
    )
    totals["households_pct"] = percent(totals["represented"], totals["households"])
    totals["women_pct"] = percent(totals["women"], totals["participants"])
    totals["poor_pct"] = percent(totals["poor"], totals["participants"])
    totals["em_pct"] = percent(totals["em"], totals["participants"])
    return totals
