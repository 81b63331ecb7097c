"""Filling the village plans of a round with demo content (``demo_village_plans``, see the
package docstring): every part written through the services of ``kehoach.plans.services``,
then submitted with the real transition."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.db import transaction

from kehoach.accounts.choices import Role
from kehoach.accounts.demo import DEMO_USERS
from kehoach.accounts.models import User
from kehoach.accounts.permissions import Action, has_permission
from kehoach.geo.choices import Kind
from kehoach.geo.models import AdministrativeUnit

from ..choices import PlanStatus
from ..models import (
    PlanningRound,
    ProposalLine,
    VillagePlan,
)
from ..services.checks import plan_checks
from ..services.workflow import plan_submit
from .content import Stage
from .findings import fill_problems, fill_ranking, fill_swot, findings_sectors
from .info import fill_basic_info
from .lines import DemoCatalog, demo_catalog, fill_lines
from .meeting import fill_meeting
from .village import DemoVillage, spec_for


def _fill(
    v: DemoVillage, *, actor: Any, catalog: DemoCatalog, submit: bool, counts: Counter[str]
) -> None:
    """Every part of one village's plan, in the order a planner types the paper forms (the
    random draws keep that order, so the content stays the same from run to run)."""
    fill_basic_info(v, actor=actor)
    lines = fill_lines(v, actor=actor, catalog=catalog)
    counts["lines"] += len(lines)
    main = findings_sectors(v, lines)
    fill_swot(v, actor=actor, catalog=catalog, main=main, lines=lines)
    fill_problems(v, actor=actor, catalog=catalog, main=main, lines=lines)
    if v.stage == Stage.DRAFT:
        counts["drafts"] += 1
        return
    fill_ranking(v, actor=actor, main=main, lines=lines)
    fill_meeting(v, actor=actor, lines=lines)
    if submit and v.stage == Stage.SUBMITTED and all(c.ok for c in plan_checks(v.plan)):
        plan_submit(actor=actor, plan=v.plan)
        counts["submitted"] += 1
    else:
        counts["drafts"] += 1


def demo_planner_for(commune: AdministrativeUnit) -> Any:
    """Who the demo data is written by: the commune's demo planner (``xa.hailang``,
    ``xa.donghoi``) when that user exists and may plan there, otherwise an unsaved system
    administrator (history rows then show no user)."""
    for spec in DEMO_USERS:
        if spec.role == Role.COMMUNE_PLANNER and spec.unit_code == commune.code:
            user = User.objects.filter(username=spec.username, is_active=True).first()
            if user is not None and all(
                has_permission(user, action, commune)
                for action in (Action.MANAGE_ROUNDS, Action.EDIT_PLAN, Action.SUBMIT_PLAN)
            ):
                return user
    return User(username="demo", is_superuser=True, is_active=True)


@transaction.atomic
def demo_village_plans(*, actor: Any, round_: PlanningRound, submit: bool = True) -> dict[str, int]:
    """Fill every village plan of ``round_`` that has no proposal yet (see the module
    docstring) and, if ``submit``, submit it with the real transition. Returns counts:
    ``filled`` plans, of which ``submitted`` and ``drafts``; ``not_started`` plans the demo
    leaves empty on purpose; ``kept`` plans left as they were; ``lines`` created."""
    counts: Counter[str] = Counter()
    catalog = demo_catalog()
    urban_commune = round_.commune.kind == Kind.WARD
    plans = (
        VillagePlan.objects.filter(round=round_)
        .select_related("village", "round__profile", "round__commune")
        .order_by("village__code")
    )
    for plan in plans:
        village = plan.village
        if plan.status != PlanStatus.DRAFT or ProposalLine.objects.filter(plan=plan).exists():
            counts["kept"] += 1
            continue
        urban = urban_commune or village.kind == Kind.RESIDENTIAL_GROUP
        year = round_.plan_year
        # 2027 (the round being planned) keeps its proposals; another year gets others.
        rng = random.Random(f"kehoach-demo:{village.code}" + ("" if year == 2027 else f":{year}"))
        spec = spec_for(village, rng, urban)
        if spec.stage == Stage.NOT_STARTED or not spec.keys:
            counts["not_started"] += 1
            continue
        v = DemoVillage(plan, rng, urban, spec.keys, spec.stage, spec.ethnic_minority)
        _fill(v, actor=actor, catalog=catalog, submit=submit, counts=counts)
        counts["filled"] += 1
    keys = ("filled", "submitted", "drafts", "not_started", "kept", "lines")
    return {key: counts[key] for key in keys}
