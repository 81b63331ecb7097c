"""A supervision board's visits through the API (F17): recorded and corrected
(``…/supervision-board/visits/`` and ``…/visits/<visit_uid>/``), a follow-up marked done
(``…/visits/<visit_uid>/follow-up-done/``). The ETag of a visit is its version, re-checked by
the services under their lock."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.supervision import (
    FollowUpDoneInput,
    SupervisionVisitOutput,
    VisitInput,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, require_version
from kehoach.core.errors import NotFoundError
from kehoach.monitoring.models import SupervisionVisit
from kehoach.monitoring.services import supervision as svc

from .common import bilingual, uid_param
from .supervision_common import DRY_RUN_OUTPUT, board_of, dry, parsed, written

VISIT_EXAMPLE = {
    "visited_on": "2027-04-10",
    "items_checked": "Độ dày mặt đường, mác bê tông",
    "findings": "Mặt đường mỏng hơn thiết kế ở đoạn cuối",
    "recommendations": "Đổ bù",
    "follow_up": "Nhà thầu đổ bù 50 m cuối",
}


def visit_of(request: Request, kwargs: dict[str, Any]) -> SupervisionVisit:
    board = board_of(request, kwargs)
    found = board.visits.filter(uid=uid_param(kwargs, "visit_uid")).first()
    if found is None:
        raise NotFoundError()
    return found


def visit_body(visit: SupervisionVisit, code: int = status.HTTP_200_OK) -> Response:
    return Response(
        SupervisionVisitOutput(visit).data, status=code, headers={"ETag": etag(visit.version)}
    )


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
        board = board_of(request, self.kwargs)
        data = parsed(VisitInput, request)
        user = request.user
        made = written(
            request,
            lambda: svc.visit_record_check(actor=user, board=board, data=data),
            lambda: svc.visit_record(actor=user, board=board, data=data),
        )
        return dry() if made is None else visit_body(made, status.HTTP_201_CREATED)


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
        visit = visit_of(request, self.kwargs)
        given = VisitInput(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        saved = {name: getattr(visit, name) for name in VisitInput().fields}
        data = {**saved, **given.validated_data}
        expected = require_version(
            request, visit.version, lambda: dict(SupervisionVisitOutput(visit).data)
        )
        user = request.user
        done = written(
            request,
            lambda: svc.visit_update_check(
                actor=user, visit=visit, data=data, expected_version=expected
            ),
            lambda: svc.visit_update(actor=user, visit=visit, data=data, expected_version=expected),
        )
        return dry() if done is None else visit_body(done)


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
        visit = visit_of(request, self.kwargs)
        day = parsed(FollowUpDoneInput, request)["done_on"]
        expected = require_version(
            request, visit.version, lambda: dict(SupervisionVisitOutput(visit).data)
        )
        user = request.user
        done = written(
            request,
            lambda: svc.follow_up_mark_done_check(
                actor=user, visit=visit, done_on=day, expected_version=expected
            ),
            lambda: svc.follow_up_mark_done(
                actor=user, visit=visit, done_on=day, expected_version=expected
            ),
        )
        return dry() if done is None else visit_body(done)
