"""Community supervision of a commune plan's works (F17) through the API: the plan's boards
(``/commune-plans/<uid>/supervision/``, read) and one work's board
(``…/lines/<line_uid>/supervision-board/``): established or corrected (PUT), dissolved, its
members added, corrected, leaving or removed, its visits recorded and corrected, a follow-up
marked done.

Every write is the page's own service (``monitoring.services.supervision``), so the rules, the
locks and the history rows are the page's; ``?dry_run=1`` asks the service's ``…_check``
function, the same checks writing and locking nothing. The ETag of the board and of a visit is
their version; a member has no version column, so its ETag is the microsecond its row was last
saved (``member_version``) — the services re-check either under their lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.progress import SupervisionOutput
from kehoach.api.serializers.supervision import (
    BoardInput,
    BoardMemberOutput,
    DissolveInput,
    FollowUpDoneInput,
    LeaveInput,
    MemberInput,
    MemberPatch,
    SupervisionBoardDetailOutput,
    SupervisionVisitOutput,
    VisitInput,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.monitoring.models import BoardMember, SupervisionBoard, SupervisionVisit
from kehoach.monitoring.services import supervision as svc
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import bilingual, uid_param

NAMES = {"village": "village_code"}
DRY_RUN_OUTPUT = inline_serializer(
    "SupervisionDryRunOutput", {"dry_run": serializers.BooleanField()}
)
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
MEMBER_EXAMPLE = {
    "full_name": "Lê Thị Hoa",
    "role": "member",
    "organisation": "resident",
    "village_code": "19435-01",
    "no_conflict": True,
}
VISIT_EXAMPLE = {
    "visited_on": "2027-04-10",
    "items_checked": "Độ dày mặt đường, mác bê tông",
    "findings": "Mặt đường mỏng hơn thiết kế ở đoạn cuối",
    "recommendations": "Đổ bù",
    "follow_up": "Nhà thầu đổ bù 50 m cuối",
}


def _plan(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _work(request: Request, kwargs: dict[str, Any]) -> CommuneLine:
    plan = _plan(request, kwargs)
    line = CommuneLine.objects.filter(plan=plan, uid=uid_param(kwargs, "line_uid")).first()
    if line is None:
        raise NotFoundError()
    return line


def _board(request: Request, kwargs: dict[str, Any]) -> SupervisionBoard:
    board = SupervisionBoard.objects.filter(line=_work(request, kwargs)).first()
    if board is None:
        raise NotFoundError()
    return board


def _member(request: Request, kwargs: dict[str, Any]) -> BoardMember:
    board = _board(request, kwargs)
    found = board.members.filter(uid=uid_param(kwargs, "member_uid")).first()
    if found is None:
        raise NotFoundError()
    return found


def _visit(request: Request, kwargs: dict[str, Any]) -> SupervisionVisit:
    board = _board(request, kwargs)
    found = board.visits.filter(uid=uid_param(kwargs, "visit_uid")).first()
    if found is None:
        raise NotFoundError()
    return found


def _parsed(kind: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    given = kind(data=request.data)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _written(request: Request, check: Callable[[], Any], write: Callable[[], Any]) -> Any:
    """``check()`` on a dry run (answered ``None``), else ``write()``; the services' refusals
    with their fields named as the API names them."""
    try:
        if is_dry_run(request):
            check()
            return None
        return write()
    except ApplicationError as error:
        raise renamed(error, NAMES) from error


def _dry() -> Response:
    return Response({"dry_run": True})


def _board_body(board: SupervisionBoard) -> Response:
    shown = SupervisionBoard.objects.prefetch_related("members__village", "visits").get(pk=board.pk)
    return Response(SupervisionBoardDetailOutput(shown).data, headers={"ETag": etag(shown.version)})


def _member_body(member: BoardMember, code: int = status.HTTP_200_OK) -> Response:
    version = svc.member_version(member)
    return Response(BoardMemberOutput(member).data, status=code, headers={"ETag": etag(version)})


def _visit_body(visit: SupervisionVisit, code: int = status.HTTP_200_OK) -> Response:
    return Response(
        SupervisionVisitOutput(visit).data, status=code, headers={"ETag": etag(visit.version)}
    )


def _member_values(data: dict[str, Any]) -> dict[str, Any]:
    """The member's values as the page's form gives them (the village by its code)."""
    values = {k: v for k, v in data.items() if k != "village_code"}
    if "village_code" in data:
        code = data["village_code"]
        found = AdministrativeUnit.objects.filter(code=code).first() if code else None
        values["village"] = found if found is not None or not code else code
    return values


def _member_current(member: BoardMember) -> dict[str, Any]:
    return dict(BoardMemberOutput(member).data)


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
        plan = _plan(request, self.kwargs)
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
        board = SupervisionBoard.objects.filter(line=_work(request, self.kwargs)).first()
        if board is None:  # not established yet: version 0, as other resources entered later
            return Response(NO_BOARD, headers={"ETag": etag(0)})
        return _board_body(board)

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
        line = _work(request, self.kwargs)
        data = _parsed(BoardInput, request)
        board = SupervisionBoard.objects.filter(line=line).first()
        user = request.user
        if board is None:
            made = _written(
                request,
                lambda: svc.board_establish_check(actor=user, line=line, data=data),
                lambda: svc.board_establish(actor=user, line=line, data=data),
            )
            if made is None:
                return _dry()
            answer = _board_body(made)
            answer.status_code = status.HTTP_201_CREATED
            return answer
        expected = require_version(
            request, board.version, lambda: dict(SupervisionBoardDetailOutput(board).data)
        )
        done = _written(
            request,
            lambda: svc.board_update_check(
                actor=user, board=board, data=data, expected_version=expected
            ),
            lambda: svc.board_update(actor=user, board=board, data=data, expected_version=expected),
        )
        return _dry() if done is None else _board_body(done)


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
        board = _board(request, self.kwargs)
        day = _parsed(DissolveInput, request)["dissolved_on"]
        expected = require_version(
            request, board.version, lambda: dict(SupervisionBoardDetailOutput(board).data)
        )
        user = request.user
        done = _written(
            request,
            lambda: svc.board_dissolve_check(
                actor=user, board=board, dissolved_on=day, expected_version=expected
            ),
            lambda: svc.board_dissolve(
                actor=user, board=board, dissolved_on=day, expected_version=expected
            ),
        )
        return _dry() if done is None else _board_body(done)


class MemberList(generics.GenericAPIView[BoardMember]):
    serializer_class = MemberInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_members_create",
        summary=bilingual("Thêm thành viên ban giám sát", "Add a board member"),
        description=bilingual(
            "Như trên trang: cư dân ghi thôn của xã; no_conflict xác nhận cư trú tại xã và không "
            "xung đột lợi ích; một trưởng ban.",
            "As on the page: a resident names a village of the commune; no_conflict confirms "
            "they live in the commune with no conflict of interest; one head.",
        ),
        request=MemberInput,
        parameters=[DRY_RUN],
        responses={201: BoardMemberOutput, 200: DRY_RUN_OUTPUT},
        examples=[OpenApiExample("Cư dân — resident", value=MEMBER_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        board = _board(request, self.kwargs)
        data = _member_values(_parsed(MemberInput, request))
        user = request.user
        made = _written(
            request,
            lambda: svc.member_add_check(actor=user, board=board, data=data),
            lambda: svc.member_add(actor=user, board=board, data=data),
        )
        return _dry() if made is None else _member_body(made, status.HTTP_201_CREATED)


class MemberDetail(generics.GenericAPIView[BoardMember]):
    serializer_class = MemberPatch

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_members_partial_update",
        summary=bilingual("Sửa thành viên", "Correct a member"),
        description=bilingual(
            "Họ tên, vai trò, đại diện, thôn. If-Match: ETag của thành viên.",
            "Name, role, whom they represent, village. If-Match: the member's ETag.",
        ),
        request=MemberPatch,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: BoardMemberOutput},
        examples=[OpenApiExample("Phó ban — deputy", value={"role": "deputy"}, request_only=True)],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = _member(request, self.kwargs)
        given = MemberPatch(data=request.data)
        given.is_valid(raise_exception=True)
        data = {
            "full_name": member.full_name,
            "role": member.role,
            "organisation": member.organisation,
            "village": member.village,
            **_member_values(dict(given.validated_data)),
        }
        expected = require_version(
            request, svc.member_version(member), lambda: _member_current(member)
        )
        user = request.user
        done = _written(
            request,
            lambda: svc.member_update_check(
                actor=user, member=member, data=data, expected_stamp=expected
            ),
            lambda: svc.member_update(
                actor=user, member=member, data=data, expected_stamp=expected
            ),
        )
        return _dry() if done is None else _member_body(done)

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_members_destroy",
        summary=bilingual("Xóa thành viên nhập nhầm", "Remove a member entered by mistake"),
        description=bilingual(
            "Chỉ khi ban chưa có lần giám sát nào. If-Match: ETag của thành viên.",
            "Only while the board has no visit. If-Match: the member's ETag.",
        ),
        parameters=[IF_MATCH, DRY_RUN],
        responses={204: None, 200: DRY_RUN_OUTPUT},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = _member(request, self.kwargs)
        expected = require_version(
            request, svc.member_version(member), lambda: _member_current(member)
        )
        user = request.user
        if is_dry_run(request):
            _written(
                request,
                lambda: svc.member_remove_check(actor=user, member=member, expected_stamp=expected),
                lambda: None,
            )
            return _dry()
        _written(
            request,
            lambda: None,
            lambda: svc.member_remove(actor=user, member=member, expected_stamp=expected),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberLeave(generics.GenericAPIView[BoardMember]):
    serializer_class = LeaveInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_members_leave",
        summary=bilingual("Thành viên rời ban", "A member leaves the board"),
        description=bilingual(
            "Hàng được giữ với ngày rời ban. If-Match: ETag của thành viên.",
            "The row stays with the date they left. If-Match: the member's ETag.",
        ),
        request=LeaveInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: BoardMemberOutput},
        examples=[
            OpenApiExample("Rời ban — leaves", value={"left_on": "2027-05-01"}, request_only=True)
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = _member(request, self.kwargs)
        day = _parsed(LeaveInput, request)["left_on"]
        expected = require_version(
            request, svc.member_version(member), lambda: _member_current(member)
        )
        user = request.user
        done = _written(
            request,
            lambda: svc.member_leave_check(
                actor=user, member=member, left_on=day, expected_stamp=expected
            ),
            lambda: svc.member_leave(
                actor=user, member=member, left_on=day, expected_stamp=expected
            ),
        )
        return _dry() if done is None else _member_body(done)


class VisitList(generics.GenericAPIView[SupervisionVisit]):
    serializer_class = VisitInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_visits_create",
        summary=bilingual("Ghi một lần giám sát", "Record a visit"),
        description=bilingual(
            "Chỉ khi ban đủ số thành viên tối thiểu vào ngày giám sát; ngày trong thời gian "
            "hoạt động của ban, không ở tương lai.",
            "Only while the board has its minimum members serving on the visit date; the date "
            "within the board's life, not in the future.",
        ),
        request=VisitInput,
        parameters=[DRY_RUN],
        responses={201: SupervisionVisitOutput, 200: DRY_RUN_OUTPUT},
        examples=[OpenApiExample("Lần giám sát — a visit", value=VISIT_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        board = _board(request, self.kwargs)
        data = _parsed(VisitInput, request)
        user = request.user
        made = _written(
            request,
            lambda: svc.visit_record_check(actor=user, board=board, data=data),
            lambda: svc.visit_record(actor=user, board=board, data=data),
        )
        return _dry() if made is None else _visit_body(made, status.HTTP_201_CREATED)


class VisitDetail(generics.GenericAPIView[SupervisionVisit]):
    serializer_class = VisitInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_visits_partial_update",
        summary=bilingual("Sửa một lần giám sát", "Correct a visit"),
        description=bilingual(
            "Các trường gửi thay giá trị đang lưu. If-Match: phiên bản của lần giám sát.",
            "The fields sent replace those saved. If-Match: the visit's version.",
        ),
        request=VisitInput(partial=True),
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SupervisionVisitOutput},
        examples=[
            OpenApiExample("Kiến nghị — recommendation", value={"follow_up": ""}, request_only=True)
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = _visit(request, self.kwargs)
        given = VisitInput(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        saved = {name: getattr(visit, name) for name in VisitInput().fields}
        data = {**saved, **given.validated_data}
        expected = require_version(
            request, visit.version, lambda: dict(SupervisionVisitOutput(visit).data)
        )
        user = request.user
        done = _written(
            request,
            lambda: svc.visit_update_check(
                actor=user, visit=visit, data=data, expected_version=expected
            ),
            lambda: svc.visit_update(actor=user, visit=visit, data=data, expected_version=expected),
        )
        return _dry() if done is None else _visit_body(done)


class FollowUpDone(generics.GenericAPIView[SupervisionVisit]):
    serializer_class = FollowUpDoneInput

    @extend_schema(
        operation_id="commune_plans_lines_supervision_board_visits_follow_up_done",
        summary=bilingual("Kiến nghị đã xử lý", "Mark the follow-up done"),
        description=bilingual(
            "Ngày không trước lần giám sát, không ở tương lai. If-Match: phiên bản của lần "
            "giám sát.",
            "The date is not before the visit nor in the future. If-Match: the visit's version.",
        ),
        request=FollowUpDoneInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SupervisionVisitOutput},
        examples=[
            OpenApiExample("Đã xử lý — done", value={"done_on": "2027-05-02"}, request_only=True)
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = _visit(request, self.kwargs)
        day = _parsed(FollowUpDoneInput, request)["done_on"]
        expected = require_version(
            request, visit.version, lambda: dict(SupervisionVisitOutput(visit).data)
        )
        user = request.user
        done = _written(
            request,
            lambda: svc.follow_up_mark_done_check(
                actor=user, visit=visit, done_on=day, expected_version=expected
            ),
            lambda: svc.follow_up_mark_done(
                actor=user, visit=visit, done_on=day, expected_version=expected
            ),
        )
        return _dry() if done is None else _visit_body(done)
