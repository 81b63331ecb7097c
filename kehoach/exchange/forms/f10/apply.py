"""F10: applying a checked workbook — the changed scores of each line, at once, by the grid's
writer ``line_scores_apply`` with the real user; the confirmation gives it the scores the check
kept (``keep``/``restore``/``write``) without reading the workbook again."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.scoring import ScoreChange, line_scores_apply

from .. import kept as keeping
from .reading import Reading

KEPT_VERSION = 1


@transaction.atomic
def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    return write(
        actor,
        plan,
        [ScoreChange(item.line, item.scores, item.version) for item in reading.items],
    )


def keep(reading: Reading) -> dict[str, Any]:
    """The changed rows as JSON: ``[pk, version at download, scores]`` each (a score is a
    number or None, as ``scores_clean`` gave it)."""
    return {
        "v": KEPT_VERSION,
        "items": [[item.line.pk, item.version, item.scores] for item in reading.items],
    }


def restore(plan: CommunePlan, kept: dict[str, Any]) -> list[ScoreChange]:
    """The kept rows as the writer's changes; it locks each line and checks its version."""
    kept = keeping.opened(kept, KEPT_VERSION)
    return [
        ScoreChange(CommuneLine(pk=pk, plan=plan), scores, version)
        for pk, version, scores in kept["items"]
    ]


@transaction.atomic
def write(actor: Any, plan: CommunePlan, changes: list[ScoreChange]) -> dict[str, int]:
    """The scores at once with the real user (the writer takes them as ``scores_clean`` gives
    them: judging a clean score again is judging only the changed cells)."""
    line_scores_apply(actor=actor, plan=plan, changes=changes)
    return {"added": 0, "changed": len(changes), "deleted": 0}
