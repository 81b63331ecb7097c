"""The fields of a commune line that each job reads or writes, derived from the one line shape
(``kehoach.plans.line_values``): what a commune line takes from its village lines, what adds
up, what the commune's own lines carry (R14), what the history records."""

from __future__ import annotations

from kehoach.plans.line_values import (
    AMOUNT_FIELDS,
    COUNT_FIELDS,
    LINE_VALUE_FIELDS,
    PROPOSAL_LINE_FIELDS,
)

__all__ = [
    "AMOUNT_FIELDS",
    "AUDIT_FIELDS",
    "COUNT_FIELDS",
    "DECISION_FIELDS",
    "FROM_PARENT",
    "OWN_FIELDS",
    "SOURCE_FIELDS",
    "TEXT_FIELDS",
    "TYPED_TEXT",
]

SOURCE_FIELDS: list[str] = [name for name in PROPOSAL_LINE_FIELDS if name != "notes"]
"""What a commune line takes from a village line; a change to any of them is a change."""

TEXT_FIELDS: list[str] = ["activity", "location", "expenditure_type", "notes"]
"""What the commune may change on a line built from villages."""
TYPED_TEXT: tuple[str, ...] = ("activity", "location", "notes")
"""The texts typed on a line built from villages (the expenditure type is a choice)."""

OWN_FIELDS: list[str] = list(LINE_VALUE_FIELDS)
"""The fields of a commune sector's or organisation's own line (R14), checked like F6."""

AUDIT_FIELDS: list[str] = [
    "number",
    "state",
    "organisation",
    *OWN_FIELDS,
    "village_priority",
    "expenditure_type",
    "decision",
    "decision_reason",
]
DECISION_FIELDS: list[str] = [
    "decision",
    "decision_origin",
    "decision_reason",
    "decision_code",
    "decision_params",
]
FROM_PARENT: list[str] = [
    "sector_id",
    "unit_id",
    "start_month",
    "end_month",
    "village_priority",
    "proposed_source_id",
    "implementation_mode",
]
"""What each part of a split line keeps of the line it was split from."""
