"""The line page's services: one change each, through the one writer (``writer``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ...models import CommuneLine, CommunePlan
from .writer import CommuneLineChange, commune_lines_apply

__all__ = [
    "commune_line_create",
    "commune_line_remove",
    "commune_line_restore",
    "commune_line_update",
    "line_mark_reviewed",
]


def _one(actor: Any, plan: CommunePlan, change: CommuneLineChange) -> CommuneLine:
    return commune_lines_apply(actor=actor, plan=plan, changes=[change]).lines[0]


@transaction.atomic
def commune_line_create(*, actor: Any, plan: CommunePlan, data: dict[str, Any]) -> CommuneLine:
    """A line proposed by a commune sector or mass organisation (R14), checked like F6."""
    return _one(actor, plan, CommuneLineChange("add", data=data))


@transaction.atomic
def commune_line_update(
    *, actor: Any, line: CommuneLine, data: dict[str, Any], expected_version: int | None = None
) -> CommuneLine:
    """Change a line: its name, location, expenditure type and notes; a commune-level line
    (R14) also its amounts, checked like F6. Amounts of lines built from villages come from
    the villages and cannot be typed here."""
    change = CommuneLineChange("change", line, data=data, version=expected_version)
    return _one(actor, line.plan, change)


@transaction.atomic
def commune_line_remove(*, actor: Any, line: CommuneLine) -> CommuneLine:
    """Remove a commune-level line (R14); lines from villages are removed by the villages."""
    return _one(actor, line.plan, CommuneLineChange("remove", line))


@transaction.atomic
def commune_line_restore(*, actor: Any, line: CommuneLine) -> CommuneLine:
    return _one(actor, line.plan, CommuneLineChange("restore", line))


@transaction.atomic
def line_mark_reviewed(*, actor: Any, line: CommuneLine) -> CommuneLine:
    return _one(actor, line.plan, CommuneLineChange("reviewed", line))
