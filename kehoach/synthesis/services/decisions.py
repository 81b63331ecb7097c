"""The history of commune lines' decisions: what the audit trail keeps of a decision (its
fields and its funding by envelope line) and one audit row per line changed by a write that
lives elsewhere (the envelope takes funding back, the allocation decides many lines)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import AuditEntry

from ..models import CommuneLine
from ..selectors import funding_by_line

DECISION_AUDIT = ["decision", "decision_origin", "decision_reason"]
"""A line's decision as its history shows it; ``decision_state`` adds the funding (amount per
envelope line), so a change of source or amount with the same decision is recorded too."""


def decision_state(
    line: CommuneLine, funding: dict[str, str], fields: list[str] = DECISION_AUDIT
) -> dict[str, Any]:
    """What the history keeps of a line's decision: its fields and its funding."""
    return {**snapshot(line, fields), "funding": dict(funding)}


def decisions_audit(
    actor: Any, lines: list[CommuneLine], fields: list[str] = DECISION_AUDIT
) -> Callable[[], None]:
    """For a write that changes the decisions and funding of many lines (with their plans
    loaded): takes their state now, and returns the function to call once they are written,
    which records one audit row per changed line in one query."""
    funding = funding_by_line(line.pk for line in lines)
    before = {line.pk: decision_state(line, funding.get(line.pk, {}), fields) for line in lines}

    def write() -> None:
        now = funding_by_line(line.pk for line in lines)
        audit_bulk(
            audit_entry(
                actor=actor,
                plan_uid=line.plan.uid,
                obj=line,
                operation=AuditEntry.Operation.UPDATE,
                before=before[line.pk],
                after=decision_state(line, now.get(line.pk, {}), fields),
            )
            for line in lines
        )

    return write
