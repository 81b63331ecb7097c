"""The web form's one-line services: each is one change given to ``proposal_lines_apply``."""

from __future__ import annotations

from typing import Any

from ...models import ProposalLine, VillagePlan
from .writer import LineChange, lines_apply


def proposal_line_create(*, actor: Any, plan: VillagePlan, data: dict[str, Any]) -> ProposalLine:
    """Add a line at the end of the plan (the next number)."""
    return lines_apply(actor=actor, plan=plan, changes=[LineChange(data=data)]).added[0]


def proposal_line_update(
    *, actor: Any, line: ProposalLine, data: dict[str, Any], expected_version: int
) -> ProposalLine:
    """Change a line. If someone saved it after ``expected_version``, refuse
    (``ConflictError``) and show both values of every field that differs; nothing is
    overwritten silently."""
    change = LineChange(data=data, line=line, version=expected_version)
    return lines_apply(actor=actor, plan=line.plan, changes=[change]).touched[line.pk]


def proposal_line_delete(*, actor: Any, line: ProposalLine) -> ProposalLine:
    """Delete a line so that it can be restored (undo): it is marked, not removed."""
    change = LineChange(data={}, line=line, delete=True)
    return lines_apply(actor=actor, plan=line.plan, changes=[change]).touched[line.pk]


def proposal_line_restore(*, actor: Any, line: ProposalLine) -> ProposalLine:
    """Undo a delete (a line not deleted stays as it is)."""
    change = LineChange(data={}, line=line, restore=True)
    return lines_apply(actor=actor, plan=line.plan, changes=[change]).touched[line.pk]
