"""Commune scoring (F10): ``compute`` — each line's score with its breakdown and the commune's
rank (``plan_ranks``: the same scores and ranks without the breakdown, from plain values);
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
from .writers import ScoreChange, line_rank_set, line_scores_apply, line_scores_set, scores_clean

__all__ = [
    "AUTO",
    "SCORED_FIELDS",
    "Criterion",
    "LineFacts",
    "LineScore",
    "Point",
    "Rank",
    "ScoreChange",
    "criteria_of",
    "line_rank_set",
    "line_scores",
    "line_scores_apply",
    "line_scores_set",
    "lines_for_scoring",
    "lines_scoring_facts",
    "plan_ranks",
    "scores_clean",
]
