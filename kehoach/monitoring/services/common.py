"""What every monitoring write shares: which commune plans and works can be followed, who may
write, the row lock, the audit."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..selectors import is_monitored, works_of

__all__ = ["is_monitored", "record", "require_monitor", "require_work", "works_of"]


def require_monitor(actor: Any, plan: CommunePlan, action: Action) -> None:
    """The actor may keep this record of the plan's implementation, now."""
    if not has_permission(actor, action, plan.round.commune):
        raise NotFoundError()
    if not is_monitored(plan):
        raise ApplicationError(
            "not_published",
            _(
                "The commune plan %(year)s has not been published yet: its works are followed "
                "once the approved plan is published."
            )
            % {"year": plan.round.plan_year},
        )
    if plan.status == CommunePlanStatus.CLOSED:
        raise ApplicationError(
            "plan_closed",
            _("The commune plan %(year)s is closed; its records can no longer be changed.")
            % {"year": plan.round.plan_year},
        )


def require_work(
    actor: Any, line: CommuneLine, action: Action, *, lock: bool = True
) -> CommuneLine:
    """The work (locked unless only checked), if the actor may record on it: a funded line of
    a followed plan."""
    rows = (
        CommuneLine.objects.select_for_update(of=("self",)) if lock else CommuneLine.objects.all()
    )
    locked = rows.select_related("plan__round__commune", "unit", "sector").get(pk=line.pk)
    require_monitor(actor, locked.plan, action)
    if locked.state != LineState.ACTIVE or locked.decision != Decision.FUNDED:
        raise ApplicationError(
            "not_a_work",
            _("Line %(number)s is not a funded work of the plan; only funded works are followed.")
            % {"number": locked.number},
        )
    return locked


def record(
    actor: Any,
    plan: CommunePlan,
    obj: Any,
    operation: str,
    fields: list[str],
    before: dict[str, Any] | None = None,
) -> None:
    """The audit row of a monitoring write, in the commune plan's history."""
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=obj,
        operation=operation,
        before=before or {},
        after=snapshot(obj, fields) if operation != "delete" else {},
    )
