"""What every plan write shares: who may do it, whether the plan can still change, history."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import ApplicationError, NotFoundError

from ..models import VillagePlan
from ..permissions import plan_edit_refusal


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
    # the same answer the pages ask (``permissions.can_edit_plan``), read under the lock
    refusal = plan_edit_refusal(plan)
    if refusal is not None:
        refusal.raise_error()


def lock_editable(actor: Any, plan: VillagePlan) -> VillagePlan:
    """Check the actor may edit the plan, then lock it for this transaction and check again
    with the status read under the lock (a plan submitted meanwhile is refused); the locked
    plan, with its round, profile and village."""
    require_editable(actor, plan)
    locked = (
        VillagePlan.objects.select_for_update()
        .select_related("round__profile", "village")
        .get(pk=plan.pk)
    )
    require_editable(actor, locked)
    return locked


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
