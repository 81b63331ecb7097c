"""The sections of the home page (one per role the user holds) and the plans on a village's
page, registered with ``geo.panels`` in ``SynthesisConfig.ready`` — geo does not import plans
or synthesis. The reads are in ``..stages``; here each row gets the next step in words and the
link to the page where it is done, and what the user may do is asked of the permission module
and the workflow tables."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehoach.accounts.choices import Role
from kehoach.accounts.permissions import Action, has_permission
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.services.workflow import VILLAGE_PLAN_WORKFLOW

from ..choices import CommunePlanStatus as S
from ..services.workflow import commune_plan_workflow
from ..stages import (
    FOLLOWED,
    CommuneRounds,
    RoundProgress,
    VillagePlanRow,
    VillageStage,
    commune_plans_of,
    commune_rounds,
    commune_units,
    communes_by_stage,
    editor_plan_rows,
    editor_units,
    meetings_short_of_quorum,
    overview_units,
    reader_communes,
    rounds_to_read,
    village_plans_of,
)

Panel = tuple[str, dict[str, Any]] | None

NEXT_STEP: dict[str, Any] = {
    VillageStage.NOT_STARTED: gettext_lazy("Enter the proposals"),
    VillageStage.DRAFT: gettext_lazy("Finish the plan and send it to the commune"),
    VillageStage.RETURNED: gettext_lazy("Revise it as the commune asked"),
    VillageStage.SUBMITTED: gettext_lazy("Sent — waiting for the commune's synthesis"),
    VillageStage.IN_APPROVAL: gettext_lazy("Sent — the commune plan is awaiting approval"),
    VillageStage.FROZEN: gettext_lazy(
        "Not sent: the commune plan has gone for approval; ask the commune for an amendment"
    ),
    VillageStage.PUBLISHED: gettext_lazy("See the approval result (F13)"),
}
"""What the village does next, in words, for each stage."""

ACTING = (VillageStage.NOT_STARTED, VillageStage.DRAFT, VillageStage.RETURNED)

STEP_LABELS = {
    "envelope": gettext_lazy("Publish the resource envelope to the villages (F11)"),
    "synthesis": gettext_lazy("Synthesise the village plans (F9)"),
    "allocation": gettext_lazy("Allocate: a decision and a reason for every line"),
    "conference": gettext_lazy("Agreement of the commune conference"),
    "submit": gettext_lazy("Submit for approval"),
    "district_review": gettext_lazy("Review by the district"),
    "approve": gettext_lazy("Approval (council resolution)"),
    "publish": gettext_lazy("Publication and feedback to the villages"),
}


def _today() -> Any:
    return timezone.localdate()


def _next_step(request: HttpRequest, row: VillagePlanRow) -> None:
    """Give the row the words and the link of what comes next for this user."""
    plan = row.plan
    url = reverse("plans:plan", args=[plan.uid])
    acts = False
    if row.stage == VillageStage.RETURNED:
        acts = any(
            t.action == "revise"
            for t in VILLAGE_PLAN_WORKFLOW.available(plan.status, request.user, plan.village)
        )
    elif row.stage in (VillageStage.NOT_STARTED, VillageStage.DRAFT):
        acts = has_permission(request.user, Action.EDIT_PLAN, plan.village)
    if row.stage == VillageStage.PUBLISHED:
        url = reverse("synthesis:feedback", args=[plan.uid])
        label = str(NEXT_STEP[row.stage])
    elif row.stage in ACTING and not acts:
        label = _("Open the plan")
    else:
        label = str(NEXT_STEP[row.stage])
        if row.stage == VillageStage.NOT_STARTED:
            url += "#line-create"  # the form that adds a proposal
    row.next_label, row.next_url, row.acts = label, url, acts


def editor_home_panel(request: HttpRequest, user: Any) -> Panel:
    """A village planning team: its plans by year, their stage, the deadline, what comes next."""
    units = editor_units(user)
    if not units:
        return None
    rows = editor_plan_rows(user=user, today=_today())
    for row in rows:
        _next_step(request, row)
    return (
        "synthesis/home/editor.html",
        {
            "units": units,
            "rows": rows,
            "many": len(units) > 1 or any(u.level != Level.VILLAGE for u in units),
        },
    )


def village_plans_panel(request: HttpRequest, village: AdministrativeUnit) -> Panel:
    """On a village's page: every plan of the village with its stage and next step."""
    rows = village_plans_of(user=request.user, village=village, today=_today())
    for row in rows:
        _next_step(request, row)
    return ("synthesis/home/village_plans.html", {"village": village, "rows": rows})


def _tab_url(progress: RoundProgress, name: str) -> str:
    plan = progress.commune_plan
    if plan is None:  # the commune plan is created the first time someone opens it
        return reverse("synthesis:plan_for_round", args=[progress.round.uid])
    return reverse(name, args=[plan.uid])


def _step_links(progress: RoundProgress) -> None:
    urls = {
        "envelope": reverse("synthesis:envelope", args=[progress.round.uid]),
        "synthesis": _tab_url(progress, "synthesis:plan"),
        "allocation": _tab_url(progress, "synthesis:allocation"),
    }
    approval = _tab_url(progress, "synthesis:approval")
    for step in progress.steps:
        step.label = str(STEP_LABELS[step.code])
        step.url = urls.get(step.code, approval)


def planner_home_panel(request: HttpRequest, user: Any) -> Panel:
    """A commune planning officer: each open round's village plans, deadlines and the next step
    of the commune plan; plans being carried out; next year's round if it is not open yet."""
    communes = commune_units(user, [Role.COMMUNE_PLANNER])
    if not communes:
        return None
    entries: list[CommuneRounds] = commune_rounds(communes, today=_today())
    for entry in entries:
        entry.can_open_round = has_permission(user, Action.MANAGE_ROUNDS, entry.commune)  # type: ignore[attr-defined]
        for progress in entry.preparing:
            _step_links(progress)
    single = sum(len(e.preparing) for e in entries) == 1
    return ("synthesis/home/planner.html", {"entries": entries, "single": single})


def approver_home_panel(request: HttpRequest, user: Any) -> Panel:
    """A commune leader: the commune plans on which a step of theirs is possible now (approve,
    return, publish, close — from the workflow table), and the village meetings that fall short
    and wait for their acceptance."""
    communes = commune_units(user, [Role.COMMUNE_APPROVER])
    if not communes:
        return None
    waiting = []
    for plan in commune_plans_of(communes):
        commune = plan.round.commune
        steps = commune_plan_workflow(plan.round.profile).available(plan.status, user, commune)
        if steps:
            waiting.append({"plan": plan, "steps": [str(t.label) for t in steps]})
    meetings = [
        m
        for m in meetings_short_of_quorum(communes)
        if has_permission(user, Action.ACCEPT_MEETING, m.plan.village)
    ]
    return ("synthesis/home/approver.html", {"waiting": waiting, "meetings": meetings})


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def overview_home_panel(request: HttpRequest, user: Any) -> Panel:
    """A role on a province (or former district): its communes grouped by the stage of their
    plan of one year, with links, and the province's reports."""
    units = overview_units(user)
    if not units:
        return None
    year = _year(request)
    overviews = []
    for unit in units:
        overview = communes_by_stage(unit, year=year)
        overview.can_read_rollup = has_permission(user, Action.VIEW_ROLLUP, unit)  # type: ignore[attr-defined]
        overview.edits_envelope = has_permission(user, Action.EDIT_ENVELOPE_PROVINCE, unit)  # type: ignore[attr-defined]
        overviews.append(overview)
    return ("synthesis/home/overview.html", {"overviews": overviews})


def reader_home_panel(request: HttpRequest, user: Any) -> Panel:
    """A reading role on a commune (a donor or programme, for instance): what they may read."""
    communes = reader_communes(user)
    if not communes:
        return None
    rounds = rounds_to_read(communes)
    for round_ in rounds:
        plan = getattr(round_, "commune_plan", None)
        round_.followed = plan is not None and plan.status in FOLLOWED | {S.CLOSED}  # type: ignore[attr-defined]
    return ("synthesis/home/reader.html", {"rounds": rounds})


HOME_PANELS = [
    editor_home_panel,
    planner_home_panel,
    approver_home_panel,
    overview_home_panel,
    reader_home_panel,
]
