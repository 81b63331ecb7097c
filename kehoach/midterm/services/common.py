"""What every write to a five-year plan shares: who may do it, whether the plan can still
change (read under the plan row's lock), history rows."""

from __future__ import annotations

from typing import Any

from django.db import models

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import NotFoundError

from ..models import MediumTermPlan
from ..permissions import plan_edit_refusal


def require(actor: Any, action: Action, plan: MediumTermPlan) -> None:
    """Refuse with the same error as a missing plan: nobody learns what they may not touch."""
    if not has_permission(actor, action, plan.village):
        raise NotFoundError()


def lock_editable(actor: Any, plan: MediumTermPlan) -> MediumTermPlan:
    """Check the actor may edit the plan, lock its row for this transaction and check with the
    status read under the lock (a plan submitted meanwhile is refused); the locked plan, with
    its period, profile and village. Call inside ``transaction.atomic``."""
    require(actor, Action.EDIT_PLAN, plan)
    locked = (
        MediumTermPlan.objects.select_for_update()
        .select_related("round__profile", "village")
        .filter(pk=plan.pk)
        .first()
    )
    if locked is None:
        raise NotFoundError()
    refusal = plan_edit_refusal(locked)
    if refusal is not None:
        refusal.raise_error()
    return locked


def lock_plan(actor: Any, plan: MediumTermPlan) -> MediumTermPlan:
    """Check the actor may edit the plan's village and lock the plan's row, whatever its status
    (for what changes after submission: a year's status). Call inside ``transaction.atomic``."""
    require(actor, Action.EDIT_PLAN, plan)
    locked = (
        MediumTermPlan.objects.select_for_update()
        .select_related("round__profile", "village")
        .filter(pk=plan.pk)
        .first()
    )
    if locked is None:
        raise NotFoundError()
    return locked


def record(
    actor: Any,
    plan: MediumTermPlan,
    obj: models.Model,
    operation: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor, plan_uid=plan.uid, obj=obj, operation=operation, before=before, after=after
    )


__all__ = ["lock_editable", "lock_plan", "record", "require", "snapshot"]
