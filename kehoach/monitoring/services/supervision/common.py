"""What the supervision services share: the fields each audit row records and the row locks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.core.errors import ApplicationError
from kehoach.synthesis.models import CommuneLine

from ...models import BoardMember, SupervisionBoard, SupervisionVisit
from ...validators.supervision import day_text
from ..common import require_work

BOARD_FIELDS = ["established_on", "decision_ref", "dissolved_on", "notes"]
MEMBER_FIELDS = ["full_name", "role", "organisation", "village", "left_on"]
VISIT_FIELDS = [
    "visited_on",
    "items_checked",
    "findings",
    "recommendations",
    "follow_up",
    "follow_up_done",
    "follow_up_on",
]


def locked_board(actor: Any, board: SupervisionBoard) -> tuple[CommuneLine, SupervisionBoard]:
    """The work (locked, permission checked) and its board as saved now (locked)."""
    line = require_work(actor, board.line, Action.RECORD_SUPERVISION)
    current = SupervisionBoard.objects.select_for_update().get(pk=board.pk)
    current.line = line
    return line, current


def refuse_if_dissolved(board: SupervisionBoard, text: str) -> None:
    if board.dissolved_on is not None:
        raise ApplicationError(
            "board_dissolved",
            text % {"date": day_text(board.dissolved_on)},
        )


def locked_member(
    actor: Any, member: BoardMember
) -> tuple[CommuneLine, SupervisionBoard, BoardMember]:
    line, board = locked_board(actor, member.board)
    current = BoardMember.objects.select_for_update().filter(pk=member.pk).first()
    if current is None:
        raise ApplicationError(
            "member_gone",
            _("%(name)s was removed from the board by someone else.") % {"name": member.full_name},
        )
    current.board = board
    return line, board, current


def locked_visit(
    actor: Any, visit: SupervisionVisit
) -> tuple[CommuneLine, SupervisionBoard, SupervisionVisit]:
    line, board = locked_board(actor, visit.board)
    current = SupervisionVisit.objects.select_for_update().get(pk=visit.pk)
    current.board = board
    return line, board, current
