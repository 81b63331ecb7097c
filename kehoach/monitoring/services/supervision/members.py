"""The members of a supervision board: added, corrected, leaving, removed when entered by
mistake. Members have no version column: the time their row was last saved stands in."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.core.errors import ApplicationError
from kehoach.core.validation import raise_errors
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.services.common import check_version

from ...models import BoardMember, SupervisionBoard
from ...validators.board_people import LifeContext, MemberContext, clean_member, clean_member_leave
from ...validators.supervision import day_text
from ..common import record
from .common import MEMBER_FIELDS, locked_board, locked_member, refuse_if_dissolved
from .selectors import member_stamp


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
    refuse_if_dissolved(
        current, _("The board was dissolved on %(date)s; members can no longer be added.")
    )
    context = _context(current, line.plan.round.commune, adding=True)
    values, problems = clean_member(context, _resolved(data))
    raise_errors(problems)
    member = BoardMember.objects.create(board=current, **values)
    record(actor, line.plan, member, "create", MEMBER_FIELDS)
    return member


def _check_stamp(current: BoardMember, expected: str | None) -> None:
    if expected is not None and expected != member_stamp(current):
        check_version(0, 1, what=_("the row of %(name)s") % {"name": current.full_name})


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: BoardMember,
    data: dict[str, Any],
    expected_stamp: str | None = None,
) -> BoardMember:
    """Correct a member's name, role, whom they represent or their village."""
    line, board, current = locked_member(actor, member)
    _check_stamp(current, expected_stamp)
    context = _context(board, line.plan.round.commune, editing=current)
    values, problems = clean_member(context, _resolved(data))
    raise_errors(problems)
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
    expected_stamp: str | None = None,
) -> BoardMember:
    """A member leaves the board: the row stays with the date (who served at each visit)."""
    line, board, current = locked_member(actor, member)
    _check_stamp(current, expected_stamp)
    if current.left_on is not None:
        raise ApplicationError(
            "already_left",
            _("%(name)s already left the board on %(date)s.")
            % {"name": current.full_name, "date": day_text(current.left_on)},
        )
    life = LifeContext(board.established_on, board.dissolved_on, timezone.localdate())
    day, problems = clean_member_leave(life, left_on)
    raise_errors(problems)
    before = snapshot(current, MEMBER_FIELDS)
    current.left_on = day
    current.save()
    record(actor, line.plan, current, "update", MEMBER_FIELDS, before=before)
    return current


@transaction.atomic
def member_remove(*, actor: Any, member: BoardMember) -> None:
    """Remove a member entered by mistake — only while the board has no visit; after its first
    visit the board's composition is a record, and a member who goes has a date they left."""
    line, board, current = locked_member(actor, member)
    if board.visits.exists():
        raise ApplicationError(
            "member_served",
            _(
                "%(name)s cannot be removed: the board has recorded visits, so its members are "
                "kept. Record the date they left the board instead."
            )
            % {"name": current.full_name},
        )
    before = snapshot(current, MEMBER_FIELDS)
    record(actor, line.plan, current, "delete", MEMBER_FIELDS, before=before)
    current.delete()
