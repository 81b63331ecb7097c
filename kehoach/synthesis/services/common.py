"""What every write to a commune plan shares: the plan of a round, who may act, whether the
plan can still change, and the history (one audit trail per commune plan, envelope included).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.workflow import Reason
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.numbers import format_number_vi
from kehoach.plans.models import PlanningRound

from ..models import CommunePlan, Envelope

THOUSANDTH = Decimal("0.001")


def money(value: Decimal) -> Decimal:
    """Round to the stored precision of amounts (0.001 million VND = 1,000 đồng)."""
    return Decimal(value).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None) -> str:
    """An amount in million VND for a message: "1.234,5", trailing zeros dropped."""
    text = format_number_vi(value or Decimal(0), 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def commune_plan_for(round_: PlanningRound) -> CommunePlan:
    """The commune plan of the round, created (empty, draft) the first time it is needed."""
    plan, _created = CommunePlan.objects.get_or_create(round=round_)
    return plan


def envelope_for(round_: PlanningRound) -> Envelope:
    envelope, _created = Envelope.objects.get_or_create(round=round_)
    return envelope


def require(actor: Any, action: Action, round_: PlanningRound) -> None:
    """Refuse with the same error as a missing object: nobody learns what they may not touch."""
    if not has_permission(actor, action, round_.commune):
        raise NotFoundError()


def lock(plan: CommunePlan) -> CommunePlan:
    """The plan's row, locked until the transaction ends (writes to a plan are serialised)."""
    return (
        CommunePlan.objects.select_for_update(of=("self",))
        .select_related("round__profile", "round__commune")
        .get(pk=plan.pk)
    )


def require_editable(actor: Any, plan: CommunePlan) -> CommunePlan:
    """Lock the plan, check that the actor may edit it and that it is still a draft."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    locked = lock(plan)
    ensure_draft(locked)
    return locked


def draft_reason(plan: CommunePlan) -> Reason | None:
    """Why the plan (and its envelope) cannot be changed now — it is no longer a draft — or
    None. ``ensure_draft`` raises it; pages ask it which buttons to show."""
    if plan.is_editable:
        return None
    return Reason.of(
        ApplicationError(
            "commune_plan_locked",
            _(
                "The commune plan is “%(status)s” and cannot be changed. A change after "
                "approval is made as an amendment."
            )
            % {"status": plan.get_status_display()},
        )
    )


def ensure_draft(plan: CommunePlan) -> None:
    reason = draft_reason(plan)
    if reason is not None:
        reason.raise_error()


def bump(plan: CommunePlan) -> None:
    """Something an allocation depends on changed: earlier runs can no longer be applied."""
    CommunePlan.objects.filter(pk=plan.pk).update(data_version=F("data_version") + 1)
    plan.refresh_from_db(fields=["data_version"])


def record(
    actor: Any,
    plan: CommunePlan,
    obj: models.Model,
    operation: str,
    fields: list[str],
    before: dict[str, Any] | None = None,
) -> None:
    """Write the audit row of a change to ``obj`` (its ``fields`` before and after)."""
    after = snapshot(obj, fields) if operation != "delete" else None
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=obj,
        operation=operation,
        before=before if operation != "create" else None,
        after=after,
    )


# --- HB1: what the line writers and the scoring share (issue 14) ------------------------------


def check_version(current: Any, expected: int | None) -> None:
    """Refuse a change made on an older version of a commune line (optimistic versions)."""
    if expected is not None and current.version != expected:
        raise ApplicationError(
            "conflict",
            _(
                "Line %(number)s was changed by someone else after you opened it. Nothing was "
                "saved; reload the page and make your change again."
            )
            % {"number": current.number},
        )
