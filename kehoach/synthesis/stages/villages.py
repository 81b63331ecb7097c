"""Village plans seen from the village: their stage (the plan's own state while the commune
plan is open to it, then the commune plan's), the deadline of the round and the number of
proposals. Two queries for any number of plans."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kehoach.accounts.choices import Role
from kehoach.approvals.models import Version
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.plans.selectors import plans_visible_to

from ..guards import OPEN_STATES
from ..models import CommunePlan
from .common import Due, due, paths_under, units_with_role


class VillageStage(models.TextChoices):
    """Where a village plan stands, seen from the village."""

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Being prepared")
    RETURNED = "returned", _("Returned by the commune")
    SUBMITTED = "submitted", _("Sent to the commune")
    IN_APPROVAL = "in_approval", _("Commune plan awaiting approval")
    FROZEN = "frozen", _("Not sent in time")
    PUBLISHED = "published", _("Result published")


@dataclass
class VillagePlanRow:
    """A village plan with its stage; the page that shows it fills in the next step for its
    user (``next_label``, ``next_url``, and ``acts``: the user can do that step)."""

    plan: VillagePlan
    stage: str
    lines: int
    due: Due | None
    commune_status: str | None = None
    next_label: str = ""
    next_url: str = ""
    acts: bool = False


def village_stage(
    status: str, lines: int, commune_status: str | None, published: bool
) -> VillageStage:
    """The village's view: its own plan's state while the commune plan is still open to it,
    then the commune plan's."""
    still_open = commune_status is None or commune_status in OPEN_STATES
    if still_open and status == PlanStatus.RETURNED:
        return VillageStage.RETURNED
    if still_open and status == PlanStatus.DRAFT:
        return VillageStage.DRAFT if lines else VillageStage.NOT_STARTED
    if published:
        return VillageStage.PUBLISHED
    if still_open:
        return VillageStage.SUBMITTED
    if status == PlanStatus.SUBMITTED:
        return VillageStage.IN_APPROVAL
    return VillageStage.FROZEN


def with_line_counts(plans: QuerySet[VillagePlan]) -> QuerySet[VillagePlan]:
    return plans.annotate(
        n_lines=Count("lines", filter=Q(lines__deleted_at__isnull=True), distinct=True)
    )


def _commune_plans(round_ids: Iterable[int]) -> dict[int, CommunePlan]:
    """The commune plans of these rounds, each marked whether a version of it is published."""
    ids = list(set(round_ids))
    if not ids:
        return {}
    published = Version.objects.filter(plan_uid=OuterRef("uid"), published_at__isnull=False)
    plans = CommunePlan.objects.filter(round_id__in=ids).annotate(has_published=Exists(published))
    return {plan.round_id: plan for plan in plans}


def plan_rows(
    plans: Iterable[VillagePlan], commune_plans: dict[int, CommunePlan], today: Any
) -> list[VillagePlanRow]:
    rows = []
    for plan in plans:
        commune_plan = commune_plans.get(plan.round_id)
        status = commune_plan.status if commune_plan else None
        published = bool(commune_plan and commune_plan.has_published)  # type: ignore[attr-defined]
        lines = plan.n_lines  # type: ignore[attr-defined]
        stage = village_stage(plan.status, lines, status, published)
        waiting = stage in (VillageStage.NOT_STARTED, VillageStage.DRAFT, VillageStage.RETURNED)
        rows.append(
            VillagePlanRow(
                plan=plan,
                stage=stage,
                lines=lines,
                due=due("proposals", plan.round.proposals_due, today=today, done=not waiting),
                commune_status=status,
            )
        )
    return rows


def village_plan_rows(
    plans: QuerySet[VillagePlan], *, today: datetime.date
) -> list[VillagePlanRow]:
    """Rows of these village plans, newest plan year first, with their stage: two queries."""
    ordered = list(
        with_line_counts(plans)
        .select_related("round", "round__commune", "village")
        .order_by("-round__plan_year", "village__sort_key", "village__code")
    )
    return plan_rows(ordered, _commune_plans(p.round_id for p in ordered), today)


def editor_units(user: Any) -> list[AdministrativeUnit]:
    return units_with_role(user, [Role.VILLAGE_EDITOR])


def editor_plan_rows(*, user: Any, today: datetime.date) -> list[VillagePlanRow]:
    """The plans of the villages the user prepares plans for (role "village planning team")."""
    units = editor_units(user)
    if not units:
        return []
    return village_plan_rows(
        plans_visible_to(user).filter(paths_under(units, "village__path")), today=today
    )


def village_plans_of(
    *, user: Any, village: AdministrativeUnit, today: datetime.date
) -> list[VillagePlanRow]:
    """Every plan of one village (all plan years) that the user may see."""
    return village_plan_rows(plans_visible_to(user).filter(village=village), today=today)
