"""The visits of a supervision board to its work, and the follow-ups they ask for."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.core.errors import ApplicationError
from kehoach.core.validation import raise_errors
from kehoach.plans.services.common import check_version
from kehoach.synthesis.models import CommunePlan

from ...models import SupervisionBoard, SupervisionVisit
from ...validators.board_people import (
    LifeContext,
    VisitContext,
    clean_follow_up_done,
    clean_visit,
)
from ...validators.supervision import day_text
from ..common import record, require_work
from .common import VISIT_FIELDS, locked_board, locked_visit
from .selectors import min_members


def visit_context(
    board: SupervisionBoard, plan: CommunePlan, visit: SupervisionVisit | None = None
) -> VisitContext:
    """What a visit of ``board`` is judged against (its members read once)."""
    life = LifeContext(board.established_on, board.dissolved_on, timezone.localdate())
    return VisitContext(
        life,
        list(board.members.all()),
        min_members(plan),
        visited_on=visit.visited_on if visit else None,
        follow_up_on=visit.follow_up_on if visit else None,
    )


@transaction.atomic
def visit_record(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> SupervisionVisit:
    """Record a visit of the board to the work."""
    line, current = locked_board(actor, board)
    values = _visit_values(current, line.plan, data)
    visit = SupervisionVisit.objects.create(
        board=current, recorded_by=actor if getattr(actor, "pk", None) else None, **values
    )
    record(actor, line.plan, visit, "create", VISIT_FIELDS)
    return visit


@transaction.atomic
def visit_update(
    *,
    actor: Any,
    visit: SupervisionVisit,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> SupervisionVisit:
    """Correct a visit's record (the follow-up's completion has its own service). A new date
    is checked against the board's members serving on that date."""
    line, board, current = locked_visit(actor, visit)
    check_version(current.version, expected_version, what=_("the record of this visit"))
    values = _visit_values(board, line.plan, data, current)
    before = snapshot(current, VISIT_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, VISIT_FIELDS) != before:
        current.version += 1
        current.save()
        record(actor, line.plan, current, "update", VISIT_FIELDS, before=before)
    return current


@transaction.atomic
def follow_up_mark_done(
    *,
    actor: Any,
    visit: SupervisionVisit,
    done_on: Any,
    expected_version: int | None = None,
) -> SupervisionVisit:
    """The follow-up a visit asked for has been done, on ``done_on``."""
    line, _board, current = locked_visit(actor, visit)
    day = _done_day(current, done_on, expected_version)
    before = snapshot(current, VISIT_FIELDS)
    current.follow_up_done = True
    current.follow_up_on = day
    current.version += 1
    current.save()
    record(actor, line.plan, current, "update", VISIT_FIELDS, before=before)
    return current


def _done_day(current: SupervisionVisit, done_on: Any, expected_version: int | None) -> Any:
    check_version(current.version, expected_version, what=_("the record of this visit"))
    if not current.follow_up:
        raise ApplicationError(
            "no_follow_up",
            _("The visit of %(date)s has no follow-up to mark done; write it in the visit first.")
            % {"date": day_text(current.visited_on)},
        )
    if current.follow_up_done:
        raise ApplicationError(
            "follow_up_done",
            _("The follow-up of the visit of %(visit)s was already marked done on %(date)s.")
            % {
                "visit": day_text(current.visited_on),
                "date": day_text(current.follow_up_on) if current.follow_up_on else "—",
            },
        )
    day, problems = clean_follow_up_done(current.visited_on, done_on, timezone.localdate())
    raise_errors(problems)
    return day


def _visit_values(
    board: SupervisionBoard,
    plan: CommunePlan,
    data: dict[str, Any],
    visit: SupervisionVisit | None = None,
) -> dict[str, Any]:
    values, problems = clean_visit(visit_context(board, plan, visit), data)
    raise_errors(problems)
    return values


def _unlocked(actor: Any, visit: SupervisionVisit) -> tuple[CommunePlan, SupervisionVisit]:
    current = SupervisionVisit.objects.select_related("board").get(pk=visit.pk)
    line = require_work(actor, current.board.line, Action.RECORD_SUPERVISION, lock=False)
    return line.plan, current


def visit_record_check(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> None:
    """``visit_record``'s checks (a dry run): nothing written, nothing locked."""
    line = require_work(actor, board.line, Action.RECORD_SUPERVISION, lock=False)
    _visit_values(SupervisionBoard.objects.get(pk=board.pk), line.plan, data)


def visit_update_check(
    *, actor: Any, visit: SupervisionVisit, data: dict[str, Any], expected_version: int | None
) -> None:
    """``visit_update``'s checks (a dry run): nothing written, nothing locked."""
    plan, current = _unlocked(actor, visit)
    check_version(current.version, expected_version, what=_("the record of this visit"))
    _visit_values(current.board, plan, data, current)


def follow_up_mark_done_check(
    *, actor: Any, visit: SupervisionVisit, done_on: Any, expected_version: int | None
) -> None:
    """``follow_up_mark_done``'s checks (a dry run): nothing written, nothing locked."""
    _plan, current = _unlocked(actor, visit)
    _done_day(current, done_on, expected_version)
