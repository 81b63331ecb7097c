"""Commune scoring (F10): ``compute`` — each line's score with its breakdown and the commune's
rank (``plan_ranks``: the same scores and ranks without the breakdown, from plain values);
``stored`` — those ranks kept per state of the plan for its page (``stored_ranks``);
``writers`` — the planner's inputs (scores of the criteria only people can judge, a rank set by
hand with a reason), checked by ``scores_clean`` and written by ``line_scores_apply``."""

from .compute import (
    AUTO,
    SCORED_FIELDS,
    Criterion,
    LineFacts,
    LineScore,
    Point,
    Rank,
    criteria_of,
    line_scores,
    lines_for_scoring,
    lines_scoring_facts,
    plan_ranks,
)
from .stored import StoredRank, ranks_key, stored_ranks
from .writers import (
    ScoreChange,
    line_rank_check,
    line_rank_set,
    line_scores_apply,
    line_scores_check,
    line_scores_set,
    scores_clean,
)

__all__ = [
    "AUTO",
    "SCORED_FIELDS",
    "Criterion",
    "LineFacts",
    "LineScore",
    "Point",
    "Rank",
    "ScoreChange",
    "StoredRank",
    "criteria_of",
    "line_rank_check",
    "line_rank_set",
    "line_scores",
    "line_scores_apply",
    "line_scores_check",
    "line_scores_set",
    "lines_for_scoring",
    "lines_scoring_facts",
    "plan_ranks",
    "ranks_key",
    "scores_clean",
    "stored_ranks",
]
