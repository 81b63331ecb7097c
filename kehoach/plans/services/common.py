"""What every plan write shares: who may do it, whether the plan can still change, history."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import ApplicationError, NotFoundError

from ..choices import PlanStatus
from ..models import VillagePlan
from .guards import EDIT, check_plan_guards


def require(actor: Any, action: Action, plan: VillagePlan) -> None:
    """Refuse with the same error as a missing plan: nobody learns what they may not touch."""
    if not has_permission(actor, action, plan.village):
        raise NotFoundError()


def require_editable(actor: Any, plan: VillagePlan) -> None:
    """The actor may edit this plan, the plan is a draft (a submitted plan is locked) and no
    other app's guard refuses the change (``services.guards``, e.g. the commune plan made from
    it is approved).

    Inside a transaction the plan row is locked (``select_for_update``) and its status read
    under the lock, so that a plan submitted at the same moment is refused; ``plan.status`` is
    refreshed with it. Every write to a plan calls this inside its transaction."""
    require(actor, Action.EDIT_PLAN, plan)
    rows = VillagePlan.objects.filter(pk=plan.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    status = rows.values_list("status", flat=True).first()
    if status is None:
        raise NotFoundError()
    plan.status = status
    if plan.status != PlanStatus.DRAFT:
        raise ApplicationError(
            "plan_locked",
            _(
                "The plan of %(village)s is “%(status)s” and cannot be changed. "
                "Ask the commune to return it if something must be corrected."
            )
            % {"village": plan.village.name, "status": plan.get_status_display()},
        )
    check_plan_guards(plan, EDIT)


def record_create(actor: Any, plan: VillagePlan, obj: models.Model, fields: list[str]) -> None:
    audit_record(
        actor=actor, plan_uid=plan.uid, obj=obj, operation="create", after=snapshot(obj, fields)
    )


def record_update(
    actor: Any, plan: VillagePlan, obj: models.Model, before: dict[str, Any], fields: list[str]
) -> None:
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=obj,
        operation="update",
        before=before,
        after=snapshot(obj, fields),
    )


def record_delete(actor: Any, plan: VillagePlan, obj: models.Model, fields: list[str]) -> None:
    audit_record(
        actor=actor, plan_uid=plan.uid, obj=obj, operation="delete", before=snapshot(obj, fields)
    )


def check_version(current: int, expected: int | None, *, what: str) -> None:
    """Optimistic locking for records without field-by-field conflict display."""
    if expected is not None and current != expected:
        raise ApplicationError(
            "conflict",
            _(
                "Someone else saved %(what)s after you opened it. Your changes were not saved; "
                "reload the page to see the saved values, then make your changes again."
            )
            % {"what": what},
        )
