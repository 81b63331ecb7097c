"""The plan page's scores and ranks, counted once per state of the plan (issue 16).

Ranks are plan-wide, so a page of 50 lines would score all the plan's lines on every request.
``stored_ranks`` keeps what ``plan_ranks`` counted in ``PlanRanks`` under a key that changes
with everything the count reads:

- the plan's ``data_version``, raised in their transaction by every writer of what scoring
  reads (lines added, changed, removed, restored, merged, split, synthesised; scores; ranks
  set by hand; undo) — the same number that makes an allocation run stale;
- the profile's criteria and priority levels;
- the scoring code itself (``compute.py``'s text), so a new formula is never served old ranks.

The plan is read before its lines, so a key never holds ranks older than its data_version (a
concurrent writer can only make the stored ranks newer than their key, and the next reader
with the new version counts again). A missing or different row is counted and written
(one UPDATE or INSERT), never locked: two readers at once write the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.db import IntegrityError, transaction

from ...models import CommunePlan, PlanRanks
from . import compute


@dataclass(frozen=True)
class StoredRank:
    """A line's score and rank as the plan page shows them."""

    score: Decimal
    computed_rank: int
    rank: int


@lru_cache(maxsize=1)
def _code_digest() -> str:
    return hashlib.sha256(Path(compute.__file__).read_bytes()).hexdigest()


def ranks_key(plan: CommunePlan) -> str:
    """What the plan's ranks depend on, as one digest."""
    profile = plan.round.profile
    inputs = [
        plan.data_version,
        profile.scoring_criteria,
        profile.min_priority,
        profile.max_priority,
        _code_digest(),
    ]
    text = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_ranks(plan: CommunePlan) -> dict[int, StoredRank]:
    """line id → score and rank of every active line: ``plan_ranks``'s numbers, read from
    ``PlanRanks`` in one query when the plan has not changed since they were counted, else
    counted and stored."""
    key = ranks_key(plan)
    found = PlanRanks.objects.filter(plan=plan, key=key).values_list("ranks", flat=True).first()
    if found is None:
        counted = compute.plan_ranks(plan)
        found = {str(pk): [str(r.score), r.computed_rank, r.rank] for pk, r in counted.items()}
        _store(plan, key, found)
    return {
        int(pk): StoredRank(score=Decimal(score), computed_rank=computed, rank=rank)
        for pk, (score, computed, rank) in found.items()
    }


def _store(plan: CommunePlan, key: str, ranks: dict[str, list[object]]) -> None:
    if PlanRanks.objects.filter(plan=plan).update(key=key, ranks=ranks):
        return
    try:
        with transaction.atomic():
            PlanRanks.objects.create(plan=plan, key=key, ranks=ranks)
    except IntegrityError:  # another reader stored them first: the same numbers or newer
        pass
