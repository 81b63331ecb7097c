"""Commune lines (F9): the synthesis from the village plans, the commune's own proposals (R14),
decisions taken by hand, merging, splitting and undoing (issue 14: a package of one job per
module).

Traceability (R12). Every commune line built from villages has ``LineSource`` rows, one per
village line, with the share of it that the line carries (1, or the part's share after a
split). Amounts, quantities and beneficiaries are never typed at the commune for those lines:
they are the sum over the sources times their share, so commune totals equal the village plans
(R13).

- ``fields``: the field lists, derived from ``kehoach.plans.line_values``;
- ``values``: a line's values from its sources (sums, apportioned parts, bounds);
- ``synthesis``: ``commune_plan_synthesise`` — building the plan from the villages, again;
- ``validators``: ``validate_commune_line``, ``validate_line_decision`` — pure;
- ``writer``: ``commune_lines_apply(*, actor, plan, changes)`` — the one writer of the lines;
  ``commune_lines_check`` — its checks without writing (a dry run);
- ``single``: the line page's one-change services;
- ``operations``, ``undo``: merge, split and their undoing.
"""

from ...selectors import lines_with_sources  # kept here for one release (moved, issue 14)
from .fields import (
    AMOUNT_FIELDS,
    AUDIT_FIELDS,
    COUNT_FIELDS,
    DECISION_FIELDS,
    OWN_FIELDS,
    SOURCE_FIELDS,
    TEXT_FIELDS,
)
from .operations import Part, line_split, line_split_check, lines_merge, lines_merge_check
from .single import (
    commune_line_create,
    commune_line_remove,
    commune_line_restore,
    commune_line_update,
    line_mark_reviewed,
)
from .synthesis import SynthesisReport, commune_plan_synthesise
from .undo import last_operation, operation_undo, operation_undo_check
from .validators import (
    UNFUNDED_DECISIONS,
    check_commune_line,
    validate_commune_line,
    validate_line_decision,
)
from .values import fingerprint, recompute, require_within_bounds
from .writer import AppliedLines, CommuneLineChange, commune_lines_apply, commune_lines_check

__all__ = [
    "AMOUNT_FIELDS",
    "AUDIT_FIELDS",
    "COUNT_FIELDS",
    "DECISION_FIELDS",
    "OWN_FIELDS",
    "SOURCE_FIELDS",
    "TEXT_FIELDS",
    "UNFUNDED_DECISIONS",
    "AppliedLines",
    "CommuneLineChange",
    "Part",
    "SynthesisReport",
    "check_commune_line",
    "commune_line_create",
    "commune_line_remove",
    "commune_line_restore",
    "commune_line_update",
    "commune_lines_apply",
    "commune_lines_check",
    "commune_plan_synthesise",
    "fingerprint",
    "last_operation",
    "line_mark_reviewed",
    "line_split",
    "line_split_check",
    "lines_merge",
    "lines_merge_check",
    "lines_with_sources",
    "operation_undo",
    "operation_undo_check",
    "recompute",
    "require_within_bounds",
    "validate_commune_line",
    "validate_line_decision",
]
