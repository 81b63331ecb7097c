"""Allocating the envelope to the commune plan's lines (R16–R18) and the planner's overrides.

One module per job: ``runs`` (the allocation problem built from the database, both procedures
of ``kehoach.synthesis.allocation`` run, stored and applied), ``decide`` (decisions by hand:
the pure ``validate_line_funding`` and the batch writer ``line_fundings_apply``), ``labels``.
The reads are in ``kehoach.synthesis.selectors`` and the decisions' history in
``services.decisions`` (re-exported here for the callers of before).
"""

from ...selectors import funding_by_line, remaining_for, runs_to_compare
from ..decisions import DECISION_AUDIT, decision_state, decisions_audit
from .decide import (
    MANUAL_DECISIONS,
    FundingChange,
    FundingContext,
    check_line_fundings,
    line_decide,
    line_decision_clear,
    line_decision_clear_check,
    line_fundings_apply,
    line_fundings_check,
    validate_line_funding,
)
from .labels import line_label, pot_label, villages_of
from .runs import (
    DEFAULT_WEIGHTS,
    FIRMNESS_ORDER,
    AllocationProblem,
    allocation_apply,
    allocation_apply_check,
    allocation_check,
    allocation_run,
)

Problem = AllocationProblem

__all__ = [
    "DECISION_AUDIT",
    "DEFAULT_WEIGHTS",
    "FIRMNESS_ORDER",
    "MANUAL_DECISIONS",
    "AllocationProblem",
    "FundingChange",
    "FundingContext",
    "Problem",
    "allocation_apply",
    "allocation_apply_check",
    "allocation_check",
    "allocation_run",
    "check_line_fundings",
    "decision_state",
    "decisions_audit",
    "funding_by_line",
    "line_decide",
    "line_decision_clear",
    "line_decision_clear_check",
    "line_fundings_apply",
    "line_fundings_check",
    "line_label",
    "pot_label",
    "remaining_for",
    "runs_to_compare",
    "validate_line_funding",
    "villages_of",
]
