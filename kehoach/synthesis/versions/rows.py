"""The shape of a snapshot (R23), written once: the plan's heading, a commune line with its
funding and the village lines it comes from.

Two callers give it their rows: ``snapshot.plan_snapshot`` the rows read from the database when
a plan is approved, ``monitoring.scale.snapshot`` the rows the generator holds in memory (the
same model instances, never saved yet). Both therefore store the same keys in the same order;
a key added here reaches both."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..models import CommuneLine, CommunePlan, LineFunding, LineSource


def snapshot_money(value: Decimal | None) -> str:
    """An amount as a snapshot keeps it: its text with the column's decimal places."""
    return str(Decimal(value or 0))


def funding_row(funding: LineFunding) -> dict[str, Any]:
    """What a line receives from one envelope line."""
    return {
        "envelope_line": str(funding.envelope_line.uid),
        "source": funding.envelope_line.source.code,
        "source_name": funding.envelope_line.source.name,
        "amount": snapshot_money(funding.amount_mvnd),
    }


def source_row(source: LineSource) -> dict[str, Any]:
    """A village line a commune line comes from, with the line's share of its amounts."""
    vline = source.village_line
    village = vline.plan.village
    share = source.share
    return {
        "village_line": str(vline.uid),
        "village": village.code,
        "village_name": village.name,
        "village_plan": str(vline.plan.uid),
        "number": vline.number,
        "activity": vline.activity,
        "priority": vline.priority,
        "share": str(share),
        "total": snapshot_money(vline.total_cost_mvnd * share),
        "contribution": snapshot_money(vline.contribution_mvnd * share),
        "support": snapshot_money(vline.external_support_mvnd * share),
    }


def line_row(
    line: CommuneLine,
    *,
    funding: Iterable[LineFunding],
    sources: Iterable[LineSource],
    merged_into: int | None = None,
    split_from: int | None = None,
) -> dict[str, Any]:
    """A commune line: its values, decision, funding and sources (those not withdrawn);
    ``merged_into`` and ``split_from`` are the numbers of the lines it went into or came
    from."""
    return {
        "uid": str(line.uid),
        "number": line.number,
        "state": line.state,
        "merged_into": merged_into,
        "split_from": split_from,
        "sector": line.sector.code,
        "sector_name": line.sector.name,
        "sector_order": line.sector.sort_order,
        "activity": line.activity,
        "location": line.location,
        "organisation": line.organisation,
        "unit": line.unit.name,
        "quantity": snapshot_money(line.quantity),
        "start": line.start_month.strftime("%Y-%m"),
        "end": line.end_month.strftime("%Y-%m"),
        "total": snapshot_money(line.total_cost_mvnd),
        "contribution": snapshot_money(line.contribution_mvnd),
        "contribution_cash": snapshot_money(line.contribution_cash_mvnd),
        "contribution_labour": snapshot_money(line.contribution_labour_mvnd),
        "labour_days": snapshot_money(line.contribution_labour_days),
        "contribution_materials": snapshot_money(line.contribution_materials_mvnd),
        "land_m2": snapshot_money(line.contribution_land_m2),
        "support": snapshot_money(line.external_support_mvnd),
        "beneficiaries": line.beneficiary_households,
        "village_priority": line.village_priority,
        "expenditure_type": line.expenditure_type,
        "implementation_mode": line.implementation_mode,
        "decision": line.decision,
        "decision_reason": line.decision_reason,
        "funding": [funding_row(f) for f in funding],
        "sources": [source_row(s) for s in sources],
    }


def plan_row(
    plan: CommunePlan,
    *,
    lines: list[dict[str, Any]],
    envelope: list[dict[str, Any]],
    targets: list[dict[str, Any]],
    amendment_reason: str,
) -> dict[str, Any]:
    """The whole snapshot: the plan's heading around its line rows, the envelope as published
    and the targets."""
    round_ = plan.round
    commune = round_.commune
    return {
        "plan": str(plan.uid),
        "commune": commune.code,
        "commune_name": commune.name,
        "province_name": commune.parent.name if commune.parent else "",
        "year": round_.plan_year,
        "version": plan.version_number,
        "is_amendment": plan.is_amendment,
        "amendment_reason": amendment_reason,
        "lines": lines,
        "envelope": envelope,
        "targets": targets,
    }
