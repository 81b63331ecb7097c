"""The evaluation of the year (F15, F16 achieved): the one way it is written, and the read that
next year's plan document takes its first part from.

What is achieved is never typed here: it is each work's latest progress report (quantity done
and its %, money disbursed from each source against what was approved, community contribution
realised against what was promised). What the commune writes:

- per work (``LineEvaluation``): the reasons for the difference from the plan — required when
  less than the planned quantity was done or the work is not completed (no report counts as not
  started); the beneficiaries' opinion, with what they said when they were not (fully)
  satisfied; the operation and maintenance arrangement — required for a completed work; a
  lesson;
- per plan (``PlanEvaluation``): the date, the results, the shortcomings and their causes, the
  lessons (the results are required, the date is not in the future);
- per target of the plan (``TargetAchievement``): the value achieved, compared with the plan of
  the year (``TargetValue.plan_next``) in % — computed.

Every write checks ``Action.EVALUATE_PLAN`` on the commune (another commune's user gets
``NotFoundError``), needs the plan published and not closed (``common.require_monitor``), runs
under a row lock, refuses a record someone saved after the user opened it (``version``), lists
every problem with the field it names, saves nothing on a refusal and is audited in the commune
plan's history. Each write has a check-only twin (``*_check``: the same checks, nothing
written or locked — the API's dry run). Evaluating does not move the plan's status; the
"evaluate" transition of ``synthesis.services.workflow`` does.

The package: ``selectors`` (the rows planned against achieved, the summary), ``lines`` (the
batch writer of works' evaluations and its one-work wrapper), ``plan`` (the year's evaluation,
the targets achieved); the rules are pure validators in ``monitoring/validators/evaluation.py``.
"""

from ...validators.evaluation import (
    LINE_FIELDS,
    NEEDS_NOTES,
    NON_NEGATIVE_UNITS,
    PLAN_FIELDS,
    TARGET_FIELDS,
    ZERO,
    validate_line_evaluation,
)
from .lines import (
    LineEvaluationChange,
    LineEvaluationsResult,
    line_evaluation_save,
    line_evaluations_apply,
    line_evaluations_check,
)
from .plan import (
    achievements_version,
    plan_evaluation_check,
    plan_evaluation_save,
    target_achievements_check,
    target_achievements_save,
)
from .selectors import (
    EvaluationSummary,
    SourceMoney,
    TargetRow,
    Totals,
    WorkRow,
    evaluation_summary,
    plan_evaluation_of,
    target_rows,
    work_row,
    work_rows,
)

__all__ = [
    "LINE_FIELDS",
    "NEEDS_NOTES",
    "NON_NEGATIVE_UNITS",
    "PLAN_FIELDS",
    "TARGET_FIELDS",
    "ZERO",
    "EvaluationSummary",
    "LineEvaluationChange",
    "LineEvaluationsResult",
    "SourceMoney",
    "TargetRow",
    "Totals",
    "WorkRow",
    "achievements_version",
    "evaluation_summary",
    "line_evaluation_save",
    "line_evaluations_apply",
    "line_evaluations_check",
    "plan_evaluation_check",
    "plan_evaluation_of",
    "plan_evaluation_save",
    "target_achievements_check",
    "target_achievements_save",
    "target_rows",
    "validate_line_evaluation",
    "work_row",
    "work_rows",
]
