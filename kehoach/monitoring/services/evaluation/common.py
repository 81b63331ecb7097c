"""What the evaluation writes share: the plan locked with the actor's right checked."""

from __future__ import annotations

from typing import Any

from kehoach.accounts.permissions import Action
from kehoach.synthesis.models import CommunePlan

from ..common import require_monitor


def locked_plan(actor: Any, plan: CommunePlan) -> CommunePlan:
    """The commune plan (locked), if the actor may evaluate it now."""
    locked = (
        CommunePlan.objects.select_for_update(of=("self",))
        .select_related("round__commune")
        .get(pk=plan.pk)
    )
    require_monitor(actor, locked, Action.EVALUATE_PLAN)
    return locked
