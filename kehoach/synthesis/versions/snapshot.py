"""Snapshots of a commune plan (R23): plain JSON that an approved version keeps for ever.

The shape of the JSON is ``rows`` (shared with the generator's snapshot made in memory); this
module reads the plan's rows for it."""

from __future__ import annotations

from typing import Any

from kehoach.approvals.models import StatusChange

from ..choices import LineState
from ..models import CommunePlan
from ..selectors import envelope_lines, lines_with_sources, published_row, targets_table
from .rows import line_row, plan_row, snapshot_money

SNAPSHOT_STATES = (LineState.ACTIVE, LineState.MERGED, LineState.SPLIT)


def plan_snapshot(plan: CommunePlan) -> dict[str, Any]:
    """The commune plan as it is now, as JSON."""
    lines = lines_with_sources(plan, states=SNAPSHOT_STATES)
    numbers = {line.pk: line.number for line in lines}
    envelope = envelope_lines(plan.round)
    return plan_row(
        plan,
        amendment_reason=amendment_reason(plan) if plan.is_amendment else "",
        lines=[
            line_row(
                line,
                funding=line.funding.all(),
                sources=[s for s in line.sources.all() if not s.withdrawn],
                merged_into=numbers.get(line.merged_into_id) if line.merged_into_id else None,
                split_from=numbers.get(line.split_from_id) if line.split_from_id else None,
            )
            for line in lines
        ],
        envelope=[published_row(e) for e in envelope],
        targets=[
            {
                "code": row.indicator.code,
                "name": row.indicator.name,
                "unit": row.indicator.unit,
                **{
                    name: snapshot_money(row.get(name)) if row.get(name) is not None else None
                    for name in ("actual_previous", "plan_current", "estimate_current", "plan_next")
                },
            }
            for row in targets_table(plan)
            if row.value is not None
        ],
    )


def amendment_reason(plan: CommunePlan) -> str:
    """Why the approved plan is being changed: the comment of its latest amendment."""
    start = (
        StatusChange.objects.filter(plan_uid=plan.uid, action="amend")
        .order_by("-at", "-id")
        .first()
    )
    return start.comment if start is not None else ""
