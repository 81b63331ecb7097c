"""A work's supervision board: established, corrected, dissolved."""

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
from kehoach.synthesis.models import CommuneLine

from ...models import SupervisionBoard
from ...validators.supervision import BoardContext, clean_board, clean_dissolution, day_text
from ..common import record, require_work
from .common import BOARD_FIELDS, locked_board, refuse_if_dissolved
from .selectors import board_context, dissolution_context


@transaction.atomic
def board_establish(*, actor: Any, line: CommuneLine, data: dict[str, Any]) -> SupervisionBoard:
    """Record the supervision board of a work (one per work)."""
    line = require_work(actor, line, Action.RECORD_SUPERVISION)
    values = _establish_values(line, data)
    board = SupervisionBoard.objects.create(line=line, **values)
    record(actor, line.plan, board, "create", BOARD_FIELDS)
    return board


def board_establish_check(*, actor: Any, line: CommuneLine, data: dict[str, Any]) -> None:
    """``board_establish``'s checks (a dry run): nothing written, nothing locked."""
    _establish_values(require_work(actor, line, Action.RECORD_SUPERVISION, lock=False), data)


def _establish_values(line: CommuneLine, data: dict[str, Any]) -> dict[str, Any]:
    existing = SupervisionBoard.objects.filter(line=line).first()
    if existing is not None:
        raise ApplicationError(
            "board_exists",
            _(
                "Work %(number)s already has a supervision board (established on %(date)s); a "
                "work has one board. Change that board instead."
            )
            % {"number": line.number, "date": day_text(existing.established_on)},
        )
    values, problems = clean_board(BoardContext(timezone.localdate()), data)
    raise_errors(problems)
    return values


@transaction.atomic
def board_update(
    *,
    actor: Any,
    board: SupervisionBoard,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> SupervisionBoard:
    """Correct the board's date, decision or notes (the dissolution has its own service)."""
    line, current = locked_board(actor, board)
    values = _update_values(current, data, expected_version)
    before = snapshot(current, BOARD_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, BOARD_FIELDS) != before:
        current.version += 1
        current.save()
        record(actor, line.plan, current, "update", BOARD_FIELDS, before=before)
    return current


def board_update_check(
    *, actor: Any, board: SupervisionBoard, data: dict[str, Any], expected_version: int | None
) -> None:
    """``board_update``'s checks (a dry run): nothing written, nothing locked."""
    require_work(actor, board.line, Action.RECORD_SUPERVISION, lock=False)
    _update_values(SupervisionBoard.objects.get(pk=board.pk), data, expected_version)


def _update_values(
    current: SupervisionBoard, data: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    check_version(current.version, expected_version, what=_("the supervision board"))
    values, problems = clean_board(board_context(current, timezone.localdate()), data)
    raise_errors(problems)
    return values


@transaction.atomic
def board_dissolve(
    *,
    actor: Any,
    board: SupervisionBoard,
    dissolved_on: Any,
    expected_version: int | None = None,
) -> SupervisionBoard:
    """The board has done its task: record the date it was dissolved."""
    line, current = locked_board(actor, board)
    day = _dissolution_day(current, dissolved_on, expected_version)
    before = snapshot(current, BOARD_FIELDS)
    current.dissolved_on = day
    current.version += 1
    current.save()
    record(actor, line.plan, current, "update", BOARD_FIELDS, before=before)
    return current


def board_dissolve_check(
    *, actor: Any, board: SupervisionBoard, dissolved_on: Any, expected_version: int | None
) -> None:
    """``board_dissolve``'s checks (a dry run): nothing written, nothing locked."""
    require_work(actor, board.line, Action.RECORD_SUPERVISION, lock=False)
    _dissolution_day(SupervisionBoard.objects.get(pk=board.pk), dissolved_on, expected_version)


def _dissolution_day(current: SupervisionBoard, dissolved_on: Any, expected: int | None) -> Any:
    check_version(current.version, expected, what=_("the supervision board"))
    refuse_if_dissolved(current, _("The board was already dissolved on %(date)s."))
    day, problems = clean_dissolution(
        dissolution_context(current, timezone.localdate()), dissolved_on
    )
    raise_errors(problems)
    return day
