"""Community supervision of a commune plan's works (F17) through the API: the plan's boards
(``/commune-plans/<uid>/supervision/``, read) and one work's board
(``…/lines/<line_uid>/supervision-board/``): read, established or corrected (PUT), dissolved.
Its members are in ``supervision_members``, its visits in ``supervision_visits``; what they
share in ``supervision_common``.

Every write is the page's own service (``monitoring.services.supervision``), so the rules, the
locks and the history rows are the page's; ``?dry_run=1`` asks the service's ``…_check``
function. The ETag of the board is its version, re-checked by the services under their lock."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.progress import SupervisionOutput
from kehoach.api.serializers.supervision import (
    BoardInput,
    DissolveInput,
    SupervisionBoardDetailOutput,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, require_version
from kehoach.monitoring.models import SupervisionBoard
from kehoach.monitoring.services import supervision as svc
from kehoach.synthesis.models import CommunePlan

from .common import bilingual
from .supervision_common import board_of, dry, parsed, plan_of, work_of, written

NO_BOARD: dict[str, Any] = {
    "uid": None,
    "established_on": None,
    "decision_ref": None,
    "dissolved_on": None,
    "notes": "",
    "version": 0,
    "members": [],
    "visits": [],
}
BOARD_EXAMPLE = {"established_on": "2027-02-15", "decision_ref": "12/QĐ-MTTQ", "notes": ""}


def board_body(board: SupervisionBoard) -> Response:
    shown = SupervisionBoard.objects.prefetch_related("members__village", "visits").get(pk=board.pk)
    return Response(SupervisionBoardDetailOutput(shown).data, headers={"ETag": etag(shown.version)})


class SupervisionView(generics.GenericAPIView[CommunePlan]):
    serializer_class = SupervisionOutput

    @extend_schema(
        operation_id="commune_plans_supervision_retrieve",
        summary=bilingual("Giám sát cộng đồng (F17)", "Community supervision (F17)"),
        description=bilingual(
            "Như trang ban giám sát: mỗi công trình với ban giám sát của nó (thành lập, giải "
            "thể, số thành viên hiện tại và có thiếu so với tối thiểu không, số lần giám sát, "
            "lần cuối, kiến nghị chưa xử lý) và các kiến nghị chưa xử lý, cũ nhất trước.",
            "As the boards page: each work with its supervision board (established, dissolved, "
            "current members and whether below the minimum, visits, the last one, follow-ups "
            "still open) and the open follow-ups, oldest first.",
        ),
        responses={200: SupervisionOutput},
        examples=[
            OpenApiExample(
                "Một ban giám sát — one board",
                value={
                    "minimum_members": 3,
                    "without_board": 0,
                    "works": [
                        {
                            "line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                            "number": 1,
                            "activity": "Bê tông hóa đường xóm Trên",
                            "board_uid": "2b7d1e40-8c3a-4f5b-9d6e-0a1b2c3d4e5f",
                            "established_on": "2027-02-15",
                            "decision_ref": "12/QĐ-UBND",
                            "dissolved_on": None,
                            "members": 5,
                            "short_of_members": False,
                            "visits": 2,
                            "last_visit": "2027-04-10",
                            "open_follow_ups": 1,
                        }
                    ],
                    "follow_ups": [
                        {
                            "visit_uid": "7a11c3e0-5f0c-4b8a-9e3c-61b44f0e1d5f",
                            "line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                            "visited_on": "2027-04-10",
                            "findings": "Mặt đường mỏng hơn thiết kế ở đoạn cuối",
                            "follow_up": "Nhà thầu đổ bù 50 m cuối",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        works = list(svc.boards_of(plan))
        minimum = svc.min_members(plan)
        without_board = 0
        for work in works:
            board = getattr(work, "supervision_board", None)
            without_board += board is None
            work.board = board  # type: ignore[attr-defined]
            work.short = board is not None and work.board_members < minimum  # type: ignore[attr-defined]
        body = {
            "minimum_members": minimum,
            "without_board": without_board,
            "works": works,
            "follow_ups": list(svc.open_follow_ups(plan)),
        }
        return Response(SupervisionOutput(body).data)


class BoardDetail(generics.GenericAPIView[SupervisionBoard]):
    serializer_class = SupervisionBoardDetailOutput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_retrieve",
        summary=bilingual("Ban giám sát của công trình", "The work's supervision board"),
        description=bilingual(
            'Ban giám sát với thành viên và các lần giám sát; ETag là phiên bản của ban ("0" '
            "khi chưa thành lập).",
            'The board with its members and visits; the ETag is the board\'s version ("0" '
            "while not established).",
        ),
        responses={200: SupervisionBoardDetailOutput},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        board = SupervisionBoard.objects.filter(line=work_of(request, self.kwargs)).first()
        if board is None:  # not established yet: version 0, as other resources entered later
            return Response(NO_BOARD, headers={"ETag": etag(0)})
        return board_body(board)

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_update",
        summary=bilingual("Thành lập hoặc sửa ban giám sát", "Establish or correct the board"),
        description=bilingual(
            "Chưa có ban: thành lập (không cần If-Match, 201). Đã có: sửa ngày, quyết định, "
            "ghi chú (If-Match bắt buộc). Quy tắc như trên trang.",
            "No board yet: establishes it (no If-Match, 201). A board: corrects its date, "
            "decision, notes (If-Match required). The page's rules.",
        ),
        request=BoardInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SupervisionBoardDetailOutput, 201: SupervisionBoardDetailOutput},
        examples=[OpenApiExample("Thành lập — establish", value=BOARD_EXAMPLE, request_only=True)],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = work_of(request, self.kwargs)
        data = parsed(BoardInput, request)
        board = SupervisionBoard.objects.filter(line=line).first()
        user = request.user
        if board is None:
            made = written(
                request,
                lambda: svc.board_establish_check(actor=user, line=line, data=data),
                lambda: svc.board_establish(actor=user, line=line, data=data),
            )
            if made is None:
                return dry()
            answer = board_body(made)
            answer.status_code = status.HTTP_201_CREATED
            return answer
        expected = require_version(
            request, board.version, lambda: dict(SupervisionBoardDetailOutput(board).data)
        )
        done = written(
            request,
            lambda: svc.board_update_check(
                actor=user, board=board, data=data, expected_version=expected
            ),
            lambda: svc.board_update(actor=user, board=board, data=data, expected_version=expected),
        )
        return dry() if done is None else board_body(done)


class BoardDissolve(generics.GenericAPIView[SupervisionBoard]):
    serializer_class = DissolveInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_dissolve",
        summary=bilingual("Giải thể ban giám sát", "Dissolve the board"),
        description=bilingual(
            "Ngày giải thể không trước lần giám sát cuối, không ở tương lai. If-Match: phiên "
            "bản của ban.",
            "The date is not before the last visit nor in the future. If-Match: the board's "
            "version.",
        ),
        request=DissolveInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SupervisionBoardDetailOutput},
        examples=[
            OpenApiExample(
                "Giải thể — dissolve", value={"dissolved_on": "2027-12-20"}, request_only=True
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        board = board_of(request, self.kwargs)
        day = parsed(DissolveInput, request)["dissolved_on"]
        expected = require_version(
            request, board.version, lambda: dict(SupervisionBoardDetailOutput(board).data)
        )
        user = request.user
        done = written(
            request,
            lambda: svc.board_dissolve_check(
                actor=user, board=board, dissolved_on=day, expected_version=expected
            ),
            lambda: svc.board_dissolve(
                actor=user, board=board, dissolved_on=day, expected_version=expected
            ),
        )
        return dry() if done is None else board_body(done)
