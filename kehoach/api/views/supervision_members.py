"""A supervision board's members through the API (F17): added, corrected, leaving or removed
(``…/supervision-board/members/`` and ``…/members/<member_uid>/``). A member has no version
column, so its ETag is the microsecond its row was last saved (``member_version``), re-checked
by the services under their lock."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.supervision import (
    BoardMemberOutput,
    LeaveInput,
    MemberInput,
    MemberPatch,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.monitoring.models import BoardMember
from kehoach.monitoring.services import supervision as svc

from .common import bilingual, uid_param
from .supervision_common import DRY_RUN_OUTPUT, board_of, dry, parsed, written

MEMBER_EXAMPLE = {
    "full_name": "Lê Thị Hoa",
    "role": "member",
    "organisation": "resident",
    "village_code": "19435-01",
    "no_conflict": True,
}


def member_of(request: Request, kwargs: dict[str, Any]) -> BoardMember:
    board = board_of(request, kwargs)
    found = board.members.filter(uid=uid_param(kwargs, "member_uid")).first()
    if found is None:
        raise NotFoundError()
    return found


def member_body(member: BoardMember, code: int = status.HTTP_200_OK) -> Response:
    version = svc.member_version(member)
    return Response(BoardMemberOutput(member).data, status=code, headers={"ETag": etag(version)})


def member_values(data: dict[str, Any]) -> dict[str, Any]:
    """The member's values as the page's form gives them (the village by its code)."""
    values = {k: v for k, v in data.items() if k != "village_code"}
    if "village_code" in data:
        code = data["village_code"]
        found = AdministrativeUnit.objects.filter(code=code).first() if code else None
        values["village"] = found if found is not None or not code else code
    return values


def member_current(member: BoardMember) -> dict[str, Any]:
    return dict(BoardMemberOutput(member).data)


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
        board = board_of(request, self.kwargs)
        data = member_values(parsed(MemberInput, request))
        user = request.user
        made = written(
            request,
            lambda: svc.member_add_check(actor=user, board=board, data=data),
            lambda: svc.member_add(actor=user, board=board, data=data),
        )
        return dry() if made is None else member_body(made, status.HTTP_201_CREATED)


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
        member = member_of(request, self.kwargs)
        given = MemberPatch(data=request.data)
        given.is_valid(raise_exception=True)
        data = {
            "full_name": member.full_name,
            "role": member.role,
            "organisation": member.organisation,
            "village": member.village,
            **member_values(dict(given.validated_data)),
        }
        expected = require_version(
            request, svc.member_version(member), lambda: member_current(member)
        )
        user = request.user
        done = written(
            request,
            lambda: svc.member_update_check(
                actor=user, member=member, data=data, expected_stamp=expected
            ),
            lambda: svc.member_update(
                actor=user, member=member, data=data, expected_stamp=expected
            ),
        )
        return dry() if done is None else member_body(done)

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
        member = member_of(request, self.kwargs)
        expected = require_version(
            request, svc.member_version(member), lambda: member_current(member)
        )
        user = request.user
        if is_dry_run(request):
            written(
                request,
                lambda: svc.member_remove_check(actor=user, member=member, expected_stamp=expected),
                lambda: None,
            )
            return dry()
        written(
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
        member = member_of(request, self.kwargs)
        day = parsed(LeaveInput, request)["left_on"]
        expected = require_version(
            request, svc.member_version(member), lambda: member_current(member)
        )
        user = request.user
        done = written(
            request,
            lambda: svc.member_leave_check(
                actor=user, member=member, left_on=day, expected_stamp=expected
            ),
            lambda: svc.member_leave(
                actor=user, member=member, left_on=day, expected_stamp=expected
            ),
        )
        return dry() if done is None else member_body(done)
