"""What the evaluation writes share: the plan locked with the actor's right checked."""

from __future__ import annotations

from typing import Any

from kehoach.accounts.permissions import Action
from kehoach.synthesis.models import CommunePlan

from ..common import require_monitor


def locked_plan(actor: Any, plan: CommunePlan, *, lock: bool = True) -> CommunePlan:
    """The commune plan (locked unless only checked), if the actor may evaluate it now."""
    rows = CommunePlan.objects.select_for_update(of=("self",)) if lock else CommunePlan.objects
    found = rows.select_related("round__commune").get(pk=plan.pk)
    require_monitor(actor, found, Action.EVALUATE_PLAN)
    return found
