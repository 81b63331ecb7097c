"""The approved version's snapshot of a generated commune plan, made from the objects in memory.

It is the JSON ``synthesis.versions.plan_snapshot`` reads from the database when a plan is
approved (the portal, feedback and open data read it back), key for key: a test compares the
two on generated plans. Reading each plan back would cost a few hundred milliseconds a plan,
minutes at national scale. The generated values carry the decimal places of their columns, so
their text is the text the database gives back. A generated plan has no merge, split or
amendment and no targets table, and each of its lines has one source.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine, LineFunding
from kehoach.synthesis.selectors import published_row


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0))


def _line(line: CommuneLine, funding: list[LineFunding], source: Any) -> dict[str, Any]:
    vline = source.village_line
    village = vline.plan.village
    share = source.share
    return {
        "uid": str(line.uid),
        "number": line.number,
        "state": line.state,
        "merged_into": None,
        "split_from": None,
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
            for f in funding
        ],
        "sources": [
            {
                "village_line": str(vline.uid),
                "village": village.code,
                "village_name": village.name,
                "village_plan": str(vline.plan.uid),
                "number": vline.number,
                "activity": vline.activity,
                "priority": vline.priority,
                "share": str(share),
                "total": _money(vline.total_cost_mvnd * share),
                "contribution": _money(vline.contribution_mvnd * share),
                "support": _money(vline.external_support_mvnd * share),
            }
        ],
    }


def memory_snapshot(
    plan: CommunePlan,
    lines: list[tuple[CommuneLine, Any]],
    funding: dict[int, list[LineFunding]],
    pots: list[EnvelopeLine],
) -> dict[str, Any]:
    """``plan_snapshot(plan)`` of a generated plan: ``lines`` are its (line, source) in number
    order, ``funding`` its funding rows by ``id(line)``, ``pots`` its envelope lines."""
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
        "amendment_reason": "",
        "lines": [_line(line, funding.get(id(line), []), source) for line, source in lines],
        "envelope": [published_row(pot) for pot in pots],
        "targets": [],
    }
