"""Rules other apps add to changes of a village plan, without plans importing them.

A later step of the cycle may need to refuse a change to a village plan: once the commune plan
made from the village plans is submitted or approved, returning a village plan and editing the
lines the commune plan was made from would change approved data behind its back (R23: approved
data changes only through an amendment). ``synthesis`` knows the commune plan; ``plans`` must
not import it (design.md §3). So ``synthesis`` registers a guard here, at start-up
(``AppConfig.ready``), and plans calls every registered guard:

- ``RETURN`` — before a submitted village plan is returned to the village;
- ``REVISE`` — before a returned village plan is reopened as a draft;
- ``EDIT`` — before any write to a draft village plan: its proposals, meeting, basic information,
  findings (``services.common.require_editable``), and the commune's acceptance of the meeting.

A guard is ``guard(plan, operation)``; it returns nothing when the change may go ahead and
raises ``ApplicationError`` (a translated message saying why and what to do) when it may not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import VillagePlan

RETURN = "return"
REVISE = "revise"
EDIT = "edit"
OPERATIONS = (RETURN, REVISE, EDIT)

PlanGuard = Callable[["VillagePlan", str], None]

_guards: list[PlanGuard] = []


def register_plan_guard(guard: PlanGuard) -> None:
    """Add a guard (once: registering the same function again does nothing)."""
    if guard not in _guards:
        _guards.append(guard)


def unregister_plan_guard(guard: PlanGuard) -> None:
    """Remove a guard (for tests)."""
    if guard in _guards:
        _guards.remove(guard)


def check_plan_guards(plan: VillagePlan, operation: str) -> None:
    """Run every registered guard; the first refusal propagates."""
    if operation not in OPERATIONS:
        raise ValueError(operation)
    for guard in list(_guards):
        guard(plan, operation)
