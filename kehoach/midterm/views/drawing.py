"""Drawing the yearly village plan from the five-year plan: the panel on the village plan page
(the year's activities to tick, the lines that are new), the panel on the round page (per
village, the new lines) and the POST that draws the ticked activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.models import PlanningRound, VillagePlan
from kehoach.plans.selectors import plan_get_for_user

from ..selectors_drawing import (
    drawable_plan,
    medium_term_round_covering,
    new_lines,
    offered_years,
    round_new_lines,
)
from ..services.drawing import can_draw, draw_from_medium_term


def plan_drawing_panel(
    request: HttpRequest, plan: VillagePlan
) -> tuple[str, dict[str, Any]] | None:
    """On the village plan page: this year's activities of the five-year plan not drawn yet,
    to tick (for a user who may edit the plan), and the plan's lines that are new (not from
    the five-year plan). Nothing when no five-year plan can be drawn from and no line was
    drawn. Four queries."""
    source = drawable_plan(plan.village, plan.round.plan_year)
    drawn = plan.lines.filter(deleted_at__isnull=True, medium_term_year__isnull=False).count()
    if source is None and not drawn:
        return None
    lines = new_lines(plan)
    offered = list(offered_years(plan, source=source)) if source is not None else []
    return (
        "midterm/drawing_panel.html",
        {
            "plan": plan,
            "source": source,
            "offered": offered,
            "new_lines": lines,
            "drawn_count": drawn,
            "can_draw": can_draw(request.user, plan) is None,
        },
    )


def round_drawing_panel(
    request: HttpRequest, round_: PlanningRound
) -> tuple[str, dict[str, Any]] | None:
    """On the round page, when a five-year period of the commune covers the year: per village,
    how many lines were drawn from the five-year plan and which are new. Three queries."""
    if not has_permission(request.user, Action.VIEW_UNIT, round_.commune):
        return None
    medium_round = medium_term_round_covering(round_)
    if medium_round is None:
        return None
    return (
        "midterm/drawing_round_panel.html",
        {"round": round_, "medium_round": medium_round, "rows": round_new_lines(round_)},
    )


def _versions(request: HttpRequest) -> dict[int, int]:
    """The version of each ticked activity as the page showed it (``v-<year id>`` fields)."""
    out: dict[int, int] = {}
    for key in request.POST:
        if not key.startswith("v-"):
            continue
        try:
            out[int(key[2:])] = int(request.POST.get(key, ""))
        except ValueError:
            continue
    return out


@login_required
@require_POST
def draw_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Draw the ticked activities of the five-year plan into the village plan, then back to
    the plan's page with what was done or why nothing was."""
    plan = plan_get_for_user(user=request.user, uid=uid)
    try:
        done = draw_from_medium_term(
            request.user, plan, request.POST.getlist("years"), expected=_versions(request)
        )
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, _("Nothing was drawn from the five-year plan:"))
        for error in getattr(exc, "errors", None) or [exc]:
            messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s activity drawn from the five-year plan; set its priority in the "
                "ranking.",
                "%(count)s activities drawn from the five-year plan; set their priorities in "
                "the ranking.",
                len(done.lines),
            )
            % {"count": len(done.lines)},
        )
        for note in done.notes:
            messages.warning(request, note)
    return redirect("plans:plan", uid=plan.uid)
