"""The members of a supervision board: added, corrected, leaving, removed when entered by
mistake. Members have no version column: the time their row was last saved stands in."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.core.errors import ApplicationError
from kehoach.core.validation import raise_errors
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.services.common import check_version

from ...models import BoardMember, SupervisionBoard
from ...validators.board_people import LifeContext, MemberContext, clean_member, clean_member_leave
from ...validators.supervision import day_text
from ..common import record, require_work
from .common import MEMBER_FIELDS, locked_board, locked_member, refuse_if_dissolved
from .selectors import member_stamp, member_version

Stamp = str | int | None  # the page's form stamp, or the API's version (``member_version``)


def _resolved(data: dict[str, Any]) -> dict[str, Any]:
    """The values with the village chosen by its id looked up (left as typed when unknown, for
    the validator to refuse)."""
    village = data.get("village")
    if village is None or isinstance(village, AdministrativeUnit):
        return data
    found = AdministrativeUnit.objects.filter(pk=village).first()
    return {**data, "village": found if found is not None else village}


def _context(board: SupervisionBoard, commune: AdministrativeUnit, **kwargs: Any) -> MemberContext:
    return MemberContext(commune, list(board.members.all()), **kwargs)


@transaction.atomic
def member_add(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> BoardMember:
    """Add a member to a board that has not been dissolved. ``data["no_conflict"]`` is the
    confirmation that the person lives in the commune and has no conflict of interest."""
    line, current = locked_board(actor, board)
    values = _add_values(current, line.plan.round.commune, data)
    member = BoardMember.objects.create(board=current, **values)
    record(actor, line.plan, member, "create", MEMBER_FIELDS)
    return member


def member_add_check(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> None:
    """``member_add``'s checks (a dry run): nothing written, nothing locked."""
    line = require_work(actor, board.line, Action.RECORD_SUPERVISION, lock=False)
    _add_values(SupervisionBoard.objects.get(pk=board.pk), line.plan.round.commune, data)


def _add_values(
    board: SupervisionBoard, commune: AdministrativeUnit, data: dict[str, Any]
) -> dict[str, Any]:
    refuse_if_dissolved(
        board, _("The board was dissolved on %(date)s; members can no longer be added.")
    )
    values, problems = clean_member(_context(board, commune, adding=True), _resolved(data))
    raise_errors(problems)
    return values


def _check_stamp(current: BoardMember, expected: Stamp) -> None:
    saved = member_version(current) if isinstance(expected, int) else member_stamp(current)
    if expected is not None and expected != saved:
        check_version(0, 1, what=_("the row of %(name)s") % {"name": current.full_name})


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: BoardMember,
    data: dict[str, Any],
    expected_stamp: Stamp = None,
) -> BoardMember:
    """Correct a member's name, role, whom they represent or their village."""
    line, board, current = locked_member(actor, member)
    values = _update_values(board, current, line.plan.round.commune, data, expected_stamp)
    before = snapshot(current, MEMBER_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, MEMBER_FIELDS) != before:
        current.save()
        record(actor, line.plan, current, "update", MEMBER_FIELDS, before=before)
    return current


@transaction.atomic
def member_leave(
    *,
    actor: Any,
    member: BoardMember,
    left_on: Any,
    expected_stamp: Stamp = None,
) -> BoardMember:
    """A member leaves the board: the row stays with the date (who served at each visit)."""
    line, board, current = locked_member(actor, member)
    day = _leave_day(board, current, left_on, expected_stamp)
    before = snapshot(current, MEMBER_FIELDS)
    current.left_on = day
    current.save()
    record(actor, line.plan, current, "update", MEMBER_FIELDS, before=before)
    return current


@transaction.atomic
def member_remove(*, actor: Any, member: BoardMember, expected_stamp: Stamp = None) -> None:
    """Remove a member entered by mistake — only while the board has no visit; after its first
    visit the board's composition is a record, and a member who goes has a date they left."""
    line, board, current = locked_member(actor, member)
    _check_stamp(current, expected_stamp)
    _refuse_if_served(board, current)
    before = snapshot(current, MEMBER_FIELDS)
    record(actor, line.plan, current, "delete", MEMBER_FIELDS, before=before)
    current.delete()


def _refuse_if_served(board: SupervisionBoard, current: BoardMember) -> None:
    if board.visits.exists():
        raise ApplicationError(
            "member_served",
            _(
                "%(name)s cannot be removed: the board has recorded visits, so its members are "
                "kept. Record the date they left the board instead."
            )
            % {"name": current.full_name},
        )


def _update_values(
    board: SupervisionBoard,
    current: BoardMember,
    commune: AdministrativeUnit,
    data: dict[str, Any],
    expected: Stamp,
) -> dict[str, Any]:
    _check_stamp(current, expected)
    context = _context(board, commune, editing=current)
    values, problems = clean_member(context, _resolved(data))
    raise_errors(problems)
    return values


def _leave_day(board: SupervisionBoard, current: BoardMember, left_on: Any, expected: Stamp) -> Any:
    _check_stamp(current, expected)
    if current.left_on is not None:
        raise ApplicationError(
            "already_left",
            _("%(name)s already left the board on %(date)s.")
            % {"name": current.full_name, "date": day_text(current.left_on)},
        )
    life = LifeContext(board.established_on, board.dissolved_on, timezone.localdate())
    day, problems = clean_member_leave(life, left_on)
    raise_errors(problems)
    return day


def _unlocked(actor: Any, member: BoardMember) -> tuple[AdministrativeUnit, BoardMember]:
    """The member as saved now and the work's commune, read for a check (nothing locked)."""
    current = BoardMember.objects.select_related("board").get(pk=member.pk)
    line = require_work(actor, current.board.line, Action.RECORD_SUPERVISION, lock=False)
    return line.plan.round.commune, current


def member_update_check(
    *, actor: Any, member: BoardMember, data: dict[str, Any], expected_stamp: Stamp
) -> None:
    """``member_update``'s checks (a dry run): nothing written, nothing locked."""
    commune, current = _unlocked(actor, member)
    _update_values(current.board, current, commune, data, expected_stamp)


def member_leave_check(
    *, actor: Any, member: BoardMember, left_on: Any, expected_stamp: Stamp
) -> None:
    """``member_leave``'s checks (a dry run): nothing written, nothing locked."""
    _commune, current = _unlocked(actor, member)
    _leave_day(current.board, current, left_on, expected_stamp)


def member_remove_check(*, actor: Any, member: BoardMember, expected_stamp: Stamp) -> None:
    """``member_remove``'s checks (a dry run): nothing written, nothing locked."""
    _commune, current = _unlocked(actor, member)
    _check_stamp(current, expected_stamp)
    _refuse_if_served(current.board, current)
