"""Who may keep which record of a commune plan's implementation, now (issue 14):
``can_<action>(user, obj) -> Reason | None`` (``None``: allowed; a ``Reason`` says why not).
The pages ask these to decide what they offer; the services refuse with the same rules
(``services.common.require_monitor`` / ``require_work``), so a button is shown exactly when the
service would accept the click."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.workflow import Reason, reason_of
from kehoach.core.errors import ApplicationError
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from .services.common import require_monitor

__all__ = [
    "Reason",
    "can_add_photo",
    "can_evaluate",
    "can_manage_board",
    "can_record_visit",
    "can_report_progress",
    "can_supervise",
    "is_work",
]


def is_work(line: CommuneLine) -> bool:
    """A line followed as a work: in the plan and funded."""
    return line.state == LineState.ACTIVE and line.decision == Decision.FUNDED


def _on_work(user: Any, line: CommuneLine, action: Action) -> Reason | None:
    reason = reason_of(lambda: require_monitor(user, line.plan, action))
    if reason is None and not is_work(line):
        return Reason.of(
            ApplicationError(
                "not_a_work",
                _(
                    "Line %(number)s is not a funded work of the plan; only funded works are "
                    "followed."
                )
                % {"number": line.number},
            )
        )
    return reason


def can_report_progress(user: Any, line: CommuneLine) -> Reason | None:
    """Record a progress report of the work."""
    return _on_work(user, line, Action.REPORT_PROGRESS)


def can_add_photo(user: Any, line: CommuneLine) -> Reason | None:
    """Upload (or remove) a photo of the work: whoever may report its progress."""
    return can_report_progress(user, line)


def can_supervise(user: Any, plan: CommunePlan) -> Reason | None:
    """Keep the community supervision records of the plan's works."""
    return reason_of(lambda: require_monitor(user, plan, Action.RECORD_SUPERVISION))


def can_manage_board(user: Any, line: CommuneLine) -> Reason | None:
    """Establish, correct or dissolve the work's board and keep its members."""
    return _on_work(user, line, Action.RECORD_SUPERVISION)


def can_record_visit(user: Any, line: CommuneLine) -> Reason | None:
    """Record (or correct) a visit of the work's board and its follow-ups."""
    return can_manage_board(user, line)


def can_evaluate(user: Any, plan: CommunePlan) -> Reason | None:
    """Write the evaluation of the year, of a work, and the targets achieved."""
    return reason_of(lambda: require_monitor(user, plan, Action.EVALUATE_PLAN))
