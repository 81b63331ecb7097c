"""The supervision section of a work's page (F17): the board, its members, its visits and,
for those who may record them, the forms. A refused form comes back as typed: the bound forms
reach ``work_section`` through the request (``BOUND``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..choices import MemberOrganisation
from ..forms_supervision import BoardForm, FollowUpForm, MemberForm, VisitForm
from ..permissions import can_supervise, is_work
from ..services.supervision import (
    board_for,
    members_in_order,
    min_members,
    serving,
    work_villages,
)

SECTION = "monitoring/partials/supervision_section.html"
BOUND = "_supervision_forms"
"""Request attribute holding the forms of a refused post, for ``work_section``."""


def may_supervise(request: HttpRequest, plan: CommunePlan) -> bool:
    """The user may keep the supervision records of the plan's works now."""
    return can_supervise(request.user, plan) is None


def work_section(request: HttpRequest, line: CommuneLine) -> tuple[str, dict[str, Any]] | None:
    """The supervision board of the work, its members and visits, and for those who may record
    them the forms; None for a line that is not a work and has no board."""
    board = board_for(line)
    if board is None and not is_work(line):
        return None
    plan = line.plan
    commune = plan.round.commune
    bound: dict[str, Any] = getattr(request, BOUND, {})
    may = is_work(line) and may_supervise(request, plan)
    minimum = min_members(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "line": line,
        "board": board,
        "may_supervise": may,
        "minimum": minimum,
    }
    if board is None:
        if may:
            context["establish_form"] = bound.get("establish") or BoardForm(prefix="board")
        return SECTION, context

    members = members_in_order(list(board.members.all()))
    current = serving(members)
    villages = work_villages(line)
    visits = list(board.visits.all())
    context.update(
        {
            "members": members,
            "current_count": len(current),
            "meets_minimum": len(current) >= minimum,
            "work_villages": villages,
            "no_local_resident": bool(villages)
            and not any(
                m.organisation == MemberOrganisation.RESIDENT and m.village in villages
                for m in current
            ),
            "visits": visits,
            "open_count": sum(1 for v in visits if v.follow_up and not v.follow_up_done),
        }
    )
    if may:
        if board.dissolved_on is None:
            context["member_form"] = bound.get("member") or MemberForm(
                prefix="member", commune=commune, adding=True
            )
        context["visit_form"] = bound.get("visit") or VisitForm(prefix="visit")
        refused = bound.get("follow_up")
        for visit in visits:
            if visit.follow_up and not visit.follow_up_done:
                form = (
                    refused[1]
                    if refused and refused[0] == visit.pk
                    else FollowUpForm(
                        prefix=f"followup-{visit.pk}", initial={"version": visit.version}
                    )
                )
                visit.follow_up_form = form  # type: ignore[attr-defined]
    return SECTION, context
