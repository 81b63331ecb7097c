"""Proposals of a village plan (F6): their rules and their one writer (issue 14).

- ``fields``: the line's fields (``LINE_FIELDS``), those the history records, the defaults;
- ``validators``: ``validate_proposal_line(context, number, data)`` — R1, R2, R5, R6, the
  sector, the proposed source, the beneficiaries, the bounds — pure, with the plan's
  ``LineContext``; ``validate_line`` raises its problems (the commune's own lines use it, R14);
- ``plan_rules``: R3 and R4 over the set of a plan's lines (``validate_plan_lines``: warnings);
- ``writer``: ``proposal_lines_apply(*, actor, plan, changes)`` — adds, changes, deletes and
  restores in one transaction, versions checked, bulk writes, one history row per change;
  ``proposal_lines_check`` the same checks without writing (a dry run);
  ``inserts``: its way of writing many validated new lines (``NewLines``) without instances;
- ``single``: the web form's one-line services, one change each;
- ``conflicts``: the refusal of a stale edit with both values of each field.
"""

from .conflicts import ConflictError, Difference
from .fields import (
    AUDIT_FIELDS,
    DEFAULTS,
    LINE_FIELDS,
    MODES,
    MONEY_FIELDS,
    NON_NEGATIVE_FIELDS,
    field_label,
    line_values,
)
from .inserts import NewLines
from .plan_rules import RuleState, sector_rules, validate_plan_lines
from .single import (
    proposal_line_create,
    proposal_line_delete,
    proposal_line_restore,
    proposal_line_update,
)
from .validators import (
    LineContext,
    check_proposal_line,
    clean_line_values,
    line_context,
    validate_line,
    validate_proposal_line,
)
from .writer import (
    Applied,
    LineChange,
    lines_apply,
    proposal_lines_apply,
    proposal_lines_check,
    proposal_lines_import,
)

__all__ = [
    "AUDIT_FIELDS",
    "DEFAULTS",
    "LINE_FIELDS",
    "MODES",
    "MONEY_FIELDS",
    "NON_NEGATIVE_FIELDS",
    "Applied",
    "ConflictError",
    "Difference",
    "LineChange",
    "LineContext",
    "NewLines",
    "RuleState",
    "check_proposal_line",
    "clean_line_values",
    "field_label",
    "line_context",
    "line_values",
    "lines_apply",
    "proposal_line_create",
    "proposal_line_delete",
    "proposal_line_restore",
    "proposal_line_update",
    "proposal_lines_apply",
    "proposal_lines_check",
    "proposal_lines_import",
    "sector_rules",
    "validate_line",
    "validate_plan_lines",
    "validate_proposal_line",
]
