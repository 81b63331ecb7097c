"""Reads of supervision: a work's board with its members and visits, the plan's boards with
their counts, the open follow-ups, and the small rules of order the pages share."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet

from kehoach.core.text import fold
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineSource

from ...choices import MemberRole
from ...models import BoardMember, SupervisionBoard, SupervisionVisit
from ...selectors import works_of
from ...validators.supervision import BoardContext, DissolutionContext, serving

MIN_MEMBERS = 5
"""At least five members (Law on investment supervision by the community, [S]); a process
profile may set ``supervision_min_members`` in its policy (``catalog.policy``)."""

ROLE_ORDER: dict[str, int] = {MemberRole.HEAD: 0, MemberRole.DEPUTY: 1, MemberRole.MEMBER: 2}

__all__ = [
    "MIN_MEMBERS",
    "ROLE_ORDER",
    "board_context",
    "board_for",
    "boards_of",
    "dissolution_context",
    "member_stamp",
    "members_in_order",
    "min_members",
    "open_follow_ups",
    "serving",
    "work_villages",
]


def min_members(plan: CommunePlan) -> int:
    """The minimum number of members of a board for the plan's process profile."""
    return plan.round.profile.policy.supervision_min_members


def member_stamp(member: BoardMember) -> str:
    """What an edit form of a member carries to detect a change saved in between."""
    return member.updated_at.isoformat() if member.updated_at else ""


def member_version(member: BoardMember) -> int:
    """The API's version of a member (its ETag): the microsecond its row was last saved."""
    saved = member.updated_at
    return int(saved.timestamp() * 1_000_000) if saved else 0


def members_in_order(members: list[BoardMember]) -> list[BoardMember]:
    """Current members first (head, deputies, members, by name), then those who left."""
    return sorted(
        members,
        key=lambda m: (m.left_on is not None, ROLE_ORDER.get(m.role, 9), fold(m.full_name)),
    )


def board_for(line: CommuneLine) -> SupervisionBoard | None:
    """The work's board with its members (and their villages) and visits, newest first."""
    return (
        SupervisionBoard.objects.filter(line=line)
        .prefetch_related(
            Prefetch("members", queryset=BoardMember.objects.select_related("village")),
            Prefetch(
                "visits",
                queryset=SupervisionVisit.objects.select_related("recorded_by").order_by(
                    "-visited_on", "-id"
                ),
            ),
        )
        .first()
    )


def work_villages(line: CommuneLine) -> list[AdministrativeUnit]:
    """The villages the work came from (its residents are the board's village members)."""
    return list(
        AdministrativeUnit.objects.filter(
            pk__in=LineSource.objects.filter(line=line, withdrawn=False).values(
                "village_line__plan__village"
            )
        ).order_by("sort_key", "code")
    )


def boards_of(plan: CommunePlan) -> QuerySet[CommuneLine]:
    """The plan's works, each with its board (or none) and the board's counts: current
    members, visits, last visit, open follow-ups — one query."""
    return (
        works_of(plan)
        .select_related("supervision_board")
        .annotate(
            board_members=Count(
                "supervision_board__members",
                filter=Q(supervision_board__members__left_on__isnull=True),
                distinct=True,
            ),
            board_visits=Count("supervision_board__visits", distinct=True),
            board_last_visit=Max("supervision_board__visits__visited_on"),
            board_open=Count(
                "supervision_board__visits",
                filter=Q(supervision_board__visits__follow_up_done=False)
                & ~Q(supervision_board__visits__follow_up=""),
                distinct=True,
            ),
        )
    )


def open_follow_ups(plan: CommunePlan) -> QuerySet[SupervisionVisit]:
    """Visits of the plan's boards whose follow-up is not done yet, oldest first."""
    return (
        SupervisionVisit.objects.filter(board__line__plan=plan, follow_up_done=False)
        .exclude(follow_up="")
        .select_related("board__line")
        .order_by("visited_on", "id")
    )


def board_context(board: SupervisionBoard, today: datetime.date) -> BoardContext:
    """What a change of the board's values is judged against, as saved now (two queries)."""
    first = board.visits.order_by("visited_on").values_list("visited_on", flat=True).first()
    left = board.members.aggregate(first=Min("left_on"))["first"]
    return BoardContext(today, first, board.dissolved_on, left)


def dissolution_context(board: SupervisionBoard, today: datetime.date) -> DissolutionContext:
    last = board.visits.aggregate(last=Max("visited_on"))["last"]
    return DissolutionContext(board.established_on, last, today)
