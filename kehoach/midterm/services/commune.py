"""What every write to the commune's five-year plan shares (the plan of a period, who may act,
whether it can still change, optimistic versions, the history), and the commune's decision on
each line (R21, R22). The synthesis, the merges and splits, the frame and the workflow are in
``commune_synthesis``, ``commune_operations``, ``frame`` and ``commune_workflow``."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.bounds import NOTE_TEXT
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.reasons import Reason
from kehoach.core.text import nfc
from kehoach.synthesis.choices import Decision, LineState

from ..models import MediumTermCommuneLine, MediumTermCommunePlan, MediumTermRound

LINE_AUDIT = [
    "number",
    "sector",
    "activity",
    "location",
    "unit",
    "contribution_mvnd",
    "external_support_mvnd",
    "proposed_source",
    "state",
    "share",
    "decision",
    "decision_reason",
]
"""What the history keeps of a commune five-year line."""

DECISION_AUDIT = ["decision", "decision_reason"]

DECISIONS = (Decision.FUNDED, Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED)
"""What the planner may decide on a line (R21); "merged" is set by a merge only."""


def commune_plan_for(round_: MediumTermRound) -> MediumTermCommunePlan:
    """The commune's five-year plan of the period, created (empty, draft) when first needed."""
    plan, _created = MediumTermCommunePlan.objects.get_or_create(round=round_)
    return plan


def require(actor: Any, action: Action, round_: MediumTermRound) -> None:
    """Refuse with the same error as a missing object: nobody learns what they may not touch."""
    if not has_permission(actor, action, round_.commune):
        raise NotFoundError()


def lock(plan: MediumTermCommunePlan) -> MediumTermCommunePlan:
    """The plan's row, locked until the transaction ends (writes to a plan are serialised)."""
    return (
        MediumTermCommunePlan.objects.select_for_update(of=("self",))
        .select_related("round__profile", "round__commune")
        .get(pk=plan.pk)
    )


def draft_reason(plan: MediumTermCommunePlan) -> Reason | None:
    """Why the plan (lines, decisions, frame) cannot change now — it is no longer a draft."""
    if plan.is_editable:
        return None
    return Reason.of(
        ApplicationError(
            "commune_plan_locked",
            _(
                "The commune five-year plan is “%(status)s” and cannot be changed. A change "
                "after approval is made as an amendment."
            )
            % {"status": plan.get_status_display()},
        )
    )


def require_editable(actor: Any, plan: MediumTermCommunePlan) -> MediumTermCommunePlan:
    """Check the actor may edit the plan, lock it, check (under the lock) that it is a draft."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    locked = lock(plan)
    reason = draft_reason(locked)
    if reason is not None:
        reason.raise_error()
    return locked


def check_version(line: MediumTermCommuneLine, expected: int | None) -> None:
    """Refuse a change made on an older version of a line (code "conflict")."""
    if expected is not None and line.version != expected:
        raise ApplicationError(
            "conflict",
            _(
                "Line %(number)s was changed by someone else after you opened it. Nothing was "
                "saved; reload the page and make your change again."
            )
            % {"number": line.number},
        )


def record(
    actor: Any,
    plan: MediumTermCommunePlan,
    obj: models.Model,
    operation: str,
    *,
    fields: list[str] | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """The audit row of a change to ``obj``: ``fields`` after (none for a delete)."""
    after = snapshot(obj, fields or LINE_AUDIT) if operation != "delete" else None
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=obj,
        operation=operation,
        before=before if operation != "create" else None,
        after=after,
    )


def lines_locked(plan: MediumTermCommunePlan, ids: list[int]) -> list[MediumTermCommuneLine]:
    """The plan's lines ``ids``, locked, in number order (a missing one: not found)."""
    found = list(
        MediumTermCommuneLine.objects.select_for_update(of=("self",))
        .filter(plan=plan, pk__in=ids)
        .select_related("sector", "unit", "proposed_source")
        .order_by("number")
    )
    if len(found) != len(set(ids)):
        raise NotFoundError()
    return found


def decision_problems(line: MediumTermCommuneLine, decision: str, reason: str) -> list[Any]:
    """Why ``decision`` with ``reason`` cannot be recorded on ``line``: pure."""
    errors: list[ApplicationError] = []
    if line.state != LineState.ACTIVE:
        errors.append(
            ApplicationError(
                "decision_not_active",
                _("Line %(number)s is “%(state)s”; only lines in the plan are decided.")
                % {"number": line.number, "state": line.get_state_display()},
            )
        )
    if decision not in DECISIONS:
        errors.append(
            ApplicationError(
                "decision_invalid",
                _(
                    "Line %(number)s, decision: choose in the plan (funded), in the plan (not "
                    "funded), deferred or rejected."
                )
                % {"number": line.number},
                Where(field="decision"),
            )
        )
    elif decision != Decision.FUNDED and not reason:
        errors.append(
            ApplicationError(
                "decision_reason_required",
                _(
                    "Line %(number)s, reason: a line that is not funded needs a reason the "
                    "village will read (R22)."
                )
                % {"number": line.number},
                Where(field="reason"),
            )
        )
    if len(reason) > NOTE_TEXT:
        errors.append(
            ApplicationError(
                "decision_reason_long",
                _("Line %(number)s, reason: write at most %(n)s characters.")
                % {"number": line.number, "n": NOTE_TEXT},
                Where(field="reason"),
            )
        )
    return errors


@transaction.atomic
def commune_line_decide(
    *,
    actor: Any,
    line: MediumTermCommuneLine,
    decision: str,
    reason: str = "",
    expected_version: int | None = None,
) -> MediumTermCommuneLine:
    """Record the commune's decision on a line of its five-year plan: in the plan funded or
    not funded, deferred or rejected; a reason for every decision but "funded" (R21, R22)."""
    plan = require_editable(actor, line.plan)
    (current,) = lines_locked(plan, [line.pk])
    check_version(current, expected_version)
    text = nfc(reason or "").strip()
    errors = decision_problems(current, decision, text)
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, DECISION_AUDIT)
    current.decision = decision
    current.decision_reason = text
    current.review_note = ""  # decided again: the villages' change was seen
    current.version += 1
    current.save(
        update_fields=["decision", "decision_reason", "review_note", "version", "updated_at"]
    )
    record(actor, plan, current, "update", fields=DECISION_AUDIT, before=before)
    return current
