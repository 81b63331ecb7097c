"""Snapshots of a commune plan (R23): plain JSON that an approved version keeps for ever."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kehoach.approvals.models import StatusChange

from ..choices import LineState
from ..models import CommuneLine, CommunePlan
from ..selectors import envelope_lines, lines_with_sources, published_row, targets_table

SNAPSHOT_STATES = (LineState.ACTIVE, LineState.MERGED, LineState.SPLIT)


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0))


def _line(line: CommuneLine, numbers: dict[int, int]) -> dict[str, Any]:
    return {
        "uid": str(line.uid),
        "number": line.number,
        "state": line.state,
        "merged_into": numbers.get(line.merged_into_id) if line.merged_into_id else None,
        "split_from": numbers.get(line.split_from_id) if line.split_from_id else None,
        "sector": line.sector.code,
        "sector_name": line.sector.name,
        "sector_order": line.sector.sort_order,
        "activity": line.activity,
        "location": line.location,
        "organisation": line.organisation,
        "unit": line.unit.name,
        "quantity": _money(line.quantity),
        "start": line.start_month.strftime("%Y-%m"),
        "end": line.end_month.strftime("%Y-%m"),
        "total": _money(line.total_cost_mvnd),
        "contribution": _money(line.contribution_mvnd),
        "contribution_cash": _money(line.contribution_cash_mvnd),
        "contribution_labour": _money(line.contribution_labour_mvnd),
        "labour_days": _money(line.contribution_labour_days),
        "contribution_materials": _money(line.contribution_materials_mvnd),
        "land_m2": _money(line.contribution_land_m2),
        "support": _money(line.external_support_mvnd),
        "beneficiaries": line.beneficiary_households,
        "village_priority": line.village_priority,
        "expenditure_type": line.expenditure_type,
        "implementation_mode": line.implementation_mode,
        "decision": line.decision,
        "decision_reason": line.decision_reason,
        "funding": [
            {
                "envelope_line": str(f.envelope_line.uid),
                "source": f.envelope_line.source.code,
                "source_name": f.envelope_line.source.name,
                "amount": _money(f.amount_mvnd),
            }
            for f in line.funding.all()
        ],
        "sources": [
            {
                "village_line": str(s.village_line.uid),
                "village": s.village_line.plan.village.code,
                "village_name": s.village_line.plan.village.name,
                "village_plan": str(s.village_line.plan.uid),
                "number": s.village_line.number,
                "activity": s.village_line.activity,
                "priority": s.village_line.priority,
                "share": str(s.share),
                "total": _money(s.village_line.total_cost_mvnd * s.share),
                "contribution": _money(s.village_line.contribution_mvnd * s.share),
                "support": _money(s.village_line.external_support_mvnd * s.share),
            }
            for s in line.sources.all()
            if not s.withdrawn
        ],
    }


def plan_snapshot(plan: CommunePlan) -> dict[str, Any]:
    """The commune plan as it is now, as JSON."""
    round_ = plan.round
    lines = lines_with_sources(plan, states=SNAPSHOT_STATES)
    numbers = {line.pk: line.number for line in lines}
    envelope = envelope_lines(round_)
    commune = round_.commune
    return {
        "plan": str(plan.uid),
        "commune": commune.code,
        "commune_name": commune.name,
        "province_name": commune.parent.name if commune.parent else "",
        "year": round_.plan_year,
        "version": plan.version_number,
        "is_amendment": plan.is_amendment,
        "amendment_reason": amendment_reason(plan) if plan.is_amendment else "",
        "lines": [_line(line, numbers) for line in lines],
        "envelope": [published_row(e) for e in envelope],
        "targets": [
            {
                "code": row.indicator.code,
                "name": row.indicator.name,
                "unit": row.indicator.unit,
                **{
                    name: _money(row.get(name)) if row.get(name) is not None else None
                    for name in ("actual_previous", "plan_current", "estimate_current", "plan_next")
                },
            }
            for row in targets_table(plan)
            if row.value is not None
        ],
    }


def amendment_reason(plan: CommunePlan) -> str:
    """Why the approved plan is being changed: the comment of its latest amendment."""
    start = (
        StatusChange.objects.filter(plan_uid=plan.uid, action="amend")
        .order_by("-at", "-id")
        .first()
    )
    return start.comment if start is not None else ""
