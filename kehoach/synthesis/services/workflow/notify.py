"""Who is told of a step of the commune plan, and where they act next."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment
from kehoach.approvals.services import notify
from kehoach.approvals.workflow import Transition

from ...models import CommunePlan


def _holders(plan: CommunePlan, roles: set[str], *, villages: bool = False) -> list[Any]:
    """Users holding these roles on the commune (or on its villages)."""
    commune = plan.round.commune
    assignments = RoleAssignment.objects.filter(role__in=roles).select_related("user")
    if villages:
        assignments = assignments.filter(unit__parent=commune, unit__path__startswith=commune.path)
    else:
        assignments = assignments.filter(unit=commune)
    return [a.user for a in assignments]


def _url(plan: CommunePlan) -> str:
    """Where the person told acts next: the approval tab (approve or return a submitted plan,
    read the comments of a return and reopen, publish an approved plan, start implementation
    after publication, follow an amendment). Notifications stored earlier keep their link to
    the plan's first tab, which still opens."""
    return reverse("synthesis:approval", args=[plan.uid])


def notify_after(plan: CommunePlan, step: Transition, actor: Any) -> None:
    name = plan.round.commune.name
    year = plan.round.plan_year
    values = {"commune": name, "year": year}
    planners = _holders(plan, {Role.COMMUNE_PLANNER})
    approvers = _holders(plan, {Role.COMMUNE_APPROVER})
    if step.action == "submit":
        notify(
            approvers,
            _("Commune plan %(year)s of %(commune)s submitted for approval") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "return":
        notify(
            planners,
            _("The commune plan %(year)s of %(commune)s was returned for revision") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "approve":
        notify(
            planners,
            _("The commune plan %(year)s of %(commune)s was approved") % values,
            _url(plan),
            skip=actor,
        )
    elif step.action == "publish":
        notify(
            [*planners, *approvers],
            _("The commune plan %(year)s of %(commune)s was published") % values,
            _url(plan),
            skip=actor,
        )
        for assignment in RoleAssignment.objects.filter(
            role=Role.VILLAGE_EDITOR, unit__parent=plan.round.commune
        ).select_related("user", "unit"):
            village_plan = plan.round.plans.filter(village=assignment.unit).first()
            if village_plan is None:
                continue
            notify(
                [assignment.user],
                _(
                    "The commune plan %(year)s was published: see what became of the proposals "
                    "of %(village)s"
                )
                % {"year": year, "village": assignment.unit.name if assignment.unit else ""},
                reverse("synthesis:feedback", args=[village_plan.uid]),
                skip=actor,
            )
    elif step.action == "amend":
        notify(
            approvers,
            _("An amendment of the commune plan %(year)s of %(commune)s was started") % values,
            _url(plan),
            skip=actor,
        )
