"""Summaries of the commune plans' lines (issue 16, ``LineSummary``, and per plan
``PlanSummary``: the villages' priority-1 proposals): the writers of lines,
funding and plan status call ``summaries_refresh(plan)`` at their end, in their transaction
(one DELETE and one INSERT … SELECT for the plan); ``generate_scale`` calls
``summaries_refresh_communes`` after each province; ``manage.py check_summaries`` compares the
table with a full recomputation (``summaries_differences``). Roll-ups read the table:
``reports.rollup`` (F18) and ``national`` (the country, its provinces and communes).
``published`` keeps what is published in each unit (``PublishedState``) for the portal."""

from __future__ import annotations

from .published import (
    EVERY_YEAR,
    published_state,
    published_states_forget,
    published_states_refresh,
)
from .refresh import (
    Difference,
    plan_summaries_rebuild,
    summaries_differences,
    summaries_rebuild,
    summaries_refresh,
    summaries_refresh_communes,
)

__all__ = [
    "EVERY_YEAR",
    "Difference",
    "plan_summaries_rebuild",
    "published_state",
    "published_states_forget",
    "published_states_refresh",
    "summaries_differences",
    "summaries_rebuild",
    "summaries_refresh",
    "summaries_refresh_communes",
]
