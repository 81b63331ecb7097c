"""Who is told of a step of a five-year plan, and where they act next (as the yearly plans:
``plans.services.workflow._notify``, ``synthesis.services.workflow.notify``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment
from kehoach.approvals.services import notify

from ..models import MediumTermCommunePlan, MediumTermPlan


def _holders(roles: set[str], **unit: Any) -> list[Any]:
    return [
        a.user for a in RoleAssignment.objects.filter(role__in=roles, **unit).select_related("user")
    ]


def notify_village_step(plan: MediumTermPlan, action: str, actor: Any) -> None:
    """The commune's planners when a village submits its five-year plan; the village's editors
    when it is returned."""
    values = {
        "village": plan.village.name,
        "first": plan.round.first_year,
        "last": plan.round.last_year,
    }
    url = reverse("midterm:plan", args=[plan.uid])
    if action == "submit":
        notify(
            _holders({Role.COMMUNE_PLANNER}, unit_id=plan.village.parent_id),
            _("%(village)s submitted its five-year plan %(first)s–%(last)s") % values,
            url,
            skip=actor,
        )
    elif action == "return":
        notify(
            _holders({Role.VILLAGE_EDITOR}, unit=plan.village),
            _("The five-year plan %(first)s–%(last)s of %(village)s was returned for revision")
            % values,
            url,
            skip=actor,
        )


def notify_commune_step(plan: MediumTermCommunePlan, action: str, actor: Any) -> None:
    """The approvers when the plan is submitted or amended, the planners when it is returned or
    approved, everyone of the commune and each village's editors (to their feedback) when it
    is published."""
    round_ = plan.round
    commune = round_.commune
    values = {"commune": commune.name, "first": round_.first_year, "last": round_.last_year}
    url = reverse("midterm:commune_plan", args=[round_.uid])
    planners = _holders({Role.COMMUNE_PLANNER}, unit=commune)
    approvers = _holders({Role.COMMUNE_APPROVER}, unit=commune)
    texts = {
        "submit": (approvers, _("Five-year plan %(first)s–%(last)s of %(commune)s submitted")),
        "return": (
            planners,
            _("The five-year plan %(first)s–%(last)s of %(commune)s was returned for revision"),
        ),
        "approve": (
            planners,
            _("The five-year plan %(first)s–%(last)s of %(commune)s was approved"),
        ),
        "publish": (
            [*planners, *approvers],
            _("The five-year plan %(first)s–%(last)s of %(commune)s was published"),
        ),
        "amend": (
            approvers,
            _("An amendment of the five-year plan %(first)s–%(last)s of %(commune)s was started"),
        ),
    }
    if action not in texts:
        return
    users, text = texts[action]
    notify(users, text % values, url, skip=actor)
    if action != "publish":
        return
    plans = {p.village_id: p for p in round_.plans.all()}
    for assignment in RoleAssignment.objects.filter(
        role=Role.VILLAGE_EDITOR, unit__parent=commune
    ).select_related("user", "unit"):
        if assignment.unit is None or assignment.unit.pk not in plans:
            continue
        village_plan = plans[assignment.unit.pk]
        notify(
            [assignment.user],
            _(
                "The five-year plan %(first)s–%(last)s was published: see what became of the "
                "activities of %(village)s"
            )
            % {**values, "village": assignment.unit.name},
            reverse("midterm:commune_feedback", args=[village_plan.uid]),
            skip=actor,
        )
