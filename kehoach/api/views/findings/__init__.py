"""A village plan's findings through the API (issue 17), one module per job:

- ``swot``: the SWOT by sector (F3, ``/village-plans/<uid>/swot/`` and
  ``…/swot/<sector_code>/``: one entry per sector, the sector's code is its key);
- ``problems``: the problems with their solutions (F4, ``…/problems/`` and
  ``…/problems/<problem_uid>/``);
- ``ranking``: the ranking matrix (F5, ``…/ranking/``, ``…/ranking/batch/``,
  ``…/ranking/actions/apply-priorities/``);
- ``common``: what they share (the plan by UUID, the services' field names, proposals by UUID).

Every read is the findings page's selector (``swot_entries``, ``problems_of``,
``ranking_table``), every write the page's service (``swot_save``/``swot_delete``,
``problem_create/update/delete``, ``ranking_items_apply``, ``ranking_apply_priorities``), so the
rules and the history rows are the same; ``?dry_run=1`` asks the services' ``*_check``
functions, the same checks without writing or locking. Each record's ETag is its ``version``
column: ``If-Match`` is required and compared first (412 with the current values), then its
version is passed to the service as ``expected_version``, which checks it again under its lock
(a save landing between the two is refused with the same 412)."""

from __future__ import annotations

from .problems import ProblemDetail, ProblemList
from .ranking import RankingApplyPriorities, RankingBatch, RankingView
from .swot import SwotDetail, SwotList

__all__ = [
    "ProblemDetail",
    "ProblemList",
    "RankingApplyPriorities",
    "RankingBatch",
    "RankingView",
    "SwotDetail",
    "SwotList",
]
