"""Findings of a village plan: SWOT by sector (F3), problems with their causes and solutions
(F4) and the ranking matrix (F5), one module per job:

- ``fields``: the fields the package names, the two ways texts are normalised;
- ``selectors``: the entries, problems and ranking matrix (totals and ranks computed, never
  stored) and the plan's proposals a finding may link to;
- ``validators``: ``validate_swot``, ``validate_problem``; ``ranking_validators``:
  ``validate_ranking_item`` — pure;
- ``swot``, ``problems``, ``ranking``: the writes. Every write checks that the actor may edit
  the plan and that it is a draft, runs in one transaction and writes an audit row per change;
  ``ranking_items_apply`` is the ranking's batch writer, ``ranking_apply_priorities`` turns
  the ranking into proposal priorities (R2, R3); ``*_check`` are their checks without
  writing (dry runs of the API).
"""

from __future__ import annotations

from .fields import (
    LINE_PRIORITY_FIELDS,
    PROBLEM_COUNT_FIELDS,
    PROBLEM_FIELDS,
    RANKING_AUDIT_FIELDS,
    SCORE_MAX,
    SCORE_MIN,
    SWOT_AUDIT_FIELDS,
    SWOT_TEXT_FIELDS,
    multiline_nfc,
    one_per_line,
)
from .problems import (
    problem_check,
    problem_create,
    problem_delete,
    problem_delete_check,
    problem_update,
)
from .ranking import (
    RankingChanges,
    RankingItemChange,
    RankingResult,
    ranking_apply_priorities,
    ranking_item_create,
    ranking_item_delete,
    ranking_item_update,
    ranking_items_apply,
    ranking_items_check,
    ranking_priorities_check,
    ranking_version,
)
from .ranking_validators import RankingContext, clean_ranking_item, validate_ranking_item
from .selectors import (
    RankingCriterion,
    RankingRow,
    plan_lines,
    problems_of,
    rank_rows,
    ranking_criteria,
    ranking_table,
    swot_entries,
)
from .swot import swot_check, swot_delete, swot_delete_check, swot_save
from .validators import (
    ProblemContext,
    clean_problem,
    clean_swot,
    validate_problem,
    validate_swot,
)

__all__ = [
    "LINE_PRIORITY_FIELDS",
    "PROBLEM_COUNT_FIELDS",
    "PROBLEM_FIELDS",
    "RANKING_AUDIT_FIELDS",
    "SCORE_MAX",
    "SCORE_MIN",
    "SWOT_AUDIT_FIELDS",
    "SWOT_TEXT_FIELDS",
    "ProblemContext",
    "RankingChanges",
    "RankingContext",
    "RankingCriterion",
    "RankingItemChange",
    "RankingResult",
    "RankingRow",
    "clean_problem",
    "clean_ranking_item",
    "clean_swot",
    "multiline_nfc",
    "one_per_line",
    "plan_lines",
    "problem_check",
    "problem_create",
    "problem_delete",
    "problem_delete_check",
    "problem_update",
    "problems_of",
    "rank_rows",
    "ranking_apply_priorities",
    "ranking_criteria",
    "ranking_item_create",
    "ranking_item_delete",
    "ranking_item_update",
    "ranking_items_apply",
    "ranking_items_check",
    "ranking_priorities_check",
    "ranking_table",
    "ranking_version",
    "swot_check",
    "swot_delete",
    "swot_delete_check",
    "swot_entries",
    "swot_save",
    "validate_problem",
    "validate_ranking_item",
    "validate_swot",
]
