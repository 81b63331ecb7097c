"""The approved version's snapshot of a generated commune plan, made from the objects in memory.

It is the JSON ``synthesis.versions.plan_snapshot`` reads from the database when a plan is
approved (the portal, feedback and open data read it back), key for key: both are made by the
row functions of ``synthesis.versions.rows``, and a test compares the two on generated plans.
Reading each plan back would cost a few hundred milliseconds a plan, minutes at national scale.
The generated values carry the decimal places of their columns, so their text is the text the
database gives back. A generated plan has no merge, split or amendment and no targets table,
and each of its lines has one source.
"""

from __future__ import annotations

from typing import Any

from kehoach.synthesis.models import (
    CommuneLine,
    CommunePlan,
    EnvelopeLine,
    LineFunding,
    LineSource,
)
from kehoach.synthesis.selectors import published_row
from kehoach.synthesis.versions.rows import line_row, plan_row


def memory_snapshot(
    plan: CommunePlan,
    lines: list[tuple[CommuneLine, LineSource]],
    funding: dict[int, list[LineFunding]],
    pots: list[EnvelopeLine],
) -> dict[str, Any]:
    """``plan_snapshot(plan)`` of a generated plan: ``lines`` are its (line, source) in number
    order, ``funding`` its funding rows by ``id(line)``, ``pots`` its envelope lines."""
    return plan_row(
        plan,
        amendment_reason="",
        lines=[
            line_row(line, funding=funding.get(id(line), []), sources=[source])
            for line, source in lines
        ],
        envelope=[published_row(pot) for pot in pots],
        targets=[],
    )
