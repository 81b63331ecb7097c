"""What every monitoring page shares: the commune plan and the work for this user (404 for
another commune's, as for nothing), and the context of ``monitoring/base.html``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from kehoach.accounts.permissions import Action, has_permission
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user
from kehoach.synthesis.views.common import plan_context

from ..services.common import is_monitored


def plan_or_404(request: HttpRequest, uid: Any) -> CommunePlan:
    """The plan, if the user may see it (``NotFoundError`` otherwise: the middleware answers
    404)."""
    return commune_plan_get_for_user(user=request.user, uid=uid)


def work_or_404(plan: CommunePlan, line_uid: Any) -> CommuneLine:
    """A line of the plan (any state: a work's page stays readable after an amendment)."""
    line = (
        CommuneLine.objects.filter(plan=plan, uid=line_uid)
        .select_related("sector", "unit", "plan__round__commune")
        .first()
    )
    if line is None:
        raise Http404
    return line


def monitoring_context(request: HttpRequest, plan: CommunePlan, tab: str) -> dict[str, Any]:
    """The commune plan's header and tabs, with what the user may record."""
    context = plan_context(request, plan, tab)
    commune = plan.round.commune
    followed = is_monitored(plan)
    context.update(
        {
            "followed": followed,
            "may_report": followed
            and has_permission(request.user, Action.REPORT_PROGRESS, commune),
            "may_supervise": followed
            and has_permission(request.user, Action.RECORD_SUPERVISION, commune),
            "may_evaluate": followed
            and has_permission(request.user, Action.EVALUATE_PLAN, commune),
        }
    )
    return context
