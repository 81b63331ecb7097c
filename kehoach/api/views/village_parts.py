"""A village plan's basic information (F1) and meeting (F8) through the API (issue 17):
``GET/PUT /village-plans/<uid>/basic-info/`` and ``GET/PUT /village-plans/<uid>/meeting/``.

Each is one record of the plan, read and written whole like its page's form. A write is the
page's service (``basic_info_save``, ``meeting_save`` — with the attendance list replaced as the
workbook F8 does, ``replace_attendees``), so the rules, the version and the history rows are
the same; ``?dry_run=1`` asks ``basic_info_check`` / ``meeting_check``, the same checks without
writing. ``If-Match`` names the version read ("0" while nothing is saved yet); an older one
answers 412 with the saved values."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.village_parts import (
    BasicInfoInput,
    BasicInfoOutput,
    MeetingInput,
    MeetingOutput,
    basic_info_shown,
    meeting_shown,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.plans.models import VillageMeeting, VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.info import (
    basic_info_check,
    basic_info_copy_previous,
    basic_info_copy_previous_check,
    basic_info_get_or_empty,
    basic_info_save,
)
from kehoach.plans.services.meeting import MEETING_FIELDS, meeting_check, meeting_save

from .common import bilingual, uid_param

DRY_RUN_ANSWER = inline_serializer(
    "VillagePartDryRun",
    {
        "dry_run": serializers.BooleanField(),
        "would_save": serializers.BooleanField(
            help_text="Mọi kiểm tra đều đạt — every check passed"
        ),
    },
)

INFO_EXAMPLE = {
    "version": 2,
    "values": {
        "total_households": 214,
        "population": 861,
        "population_female": 432,
        "poor_households": 21,
        "land_wet_rice_ha": "48.50",
        "road_all_season": True,
        "is_p135": False,
        "ntm_status": "Đạt chuẩn NTM",
    },
    "percentages": {"female_pct": "50.2", "poor_pct": "9.8"},
    "sources": {"poor_households": {"source": "Rà soát hộ nghèo 2025", "date": "2025-12-15"}},
    "ethnic_groups": [{"name": "Vân Kiều", "households": 30, "persons": 121}],
    "updated_at": "2026-08-12T10:00:00+07:00",
}

MEETING_EXAMPLE_VALUES = {
    "held_on": "2026-08-20",
    "place": "Nhà văn hóa thôn",
    "chair": "Lê Văn Hùng",
    "secretary": "Trần Thị Lan",
    "agenda": "Thảo luận kế hoạch năm 2027",
    "commune_staff": "Nguyễn Văn Bình",
    "households_total": 214,
    "households_represented": 150,
    "participants_total": 180,
    "participants_women": 70,
    "participants_poor": 25,
    "participants_em": 12,
    "participants_youth": None,
    "participants_elderly": None,
    "decision": "Thông qua kế hoạch",
    "votes_agree": 160,
    "votes_disagree": 5,
    "votes_abstain": 15,
}


def _plan(request: Request, kwargs: dict[str, Any]) -> VillagePlan:
    return plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _dry_run() -> Response:
    return Response({"dry_run": True, "would_save": True})


class BasicInfoView(generics.GenericAPIView[VillagePlan]):
    serializer_class = BasicInfoOutput

    @extend_schema(
        operation_id="village_plans_basic_info_retrieve",
        summary=bilingual("Thông tin cơ bản của thôn (F1)", "Village basic information (F1)"),
        description=bilingual(
            "Mọi dòng của biểu F1 theo tên trường, các tỷ lệ tính ra (không lưu), nguồn số "
            'liệu và các dân tộc; ETag là phiên bản ("0" khi chưa nhập).',
            "Every row of form F1 by field, the computed shares (never stored), the data "
            'sources and the ethnic groups; the ETag is its version ("0" while nothing is '
            "saved).",
        ),
        responses={200: BasicInfoOutput},
        examples=[OpenApiExample("Thôn Diên Sanh", value=INFO_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shown = basic_info_shown(basic_info_get_or_empty(_plan(request, kwargs)))
        return Response(shown, headers={"ETag": etag(shown["version"])})

    @extend_schema(
        operation_id="village_plans_basic_info_update",
        summary=bilingual("Lưu thông tin cơ bản", "Save the basic information"),
        description=bilingual(
            "Lưu cả biểu F1 một lần như trên trang: giá trị bỏ qua thì để trống, các dân tộc "
            "thay toàn bộ; kiểm tra theo đúng các quy tắc của biểu. Chỉ khi kế hoạch còn là "
            'bản nháp. If-Match bắt buộc ("0" khi chưa nhập).',
            "Save the whole F1 at once as the page does: a value left out is emptied, the "
            "ethnic groups are all replaced; checked by the form's rules. Only while the plan "
            'is a draft. If-Match is required ("0" while nothing is saved).',
        ),
        request=BasicInfoInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: BasicInfoOutput},
        examples=[
            OpenApiExample(
                "Số hộ và dân tộc — households and ethnic groups",
                value={
                    "values": {"total_households": 214, "population": 861},
                    "sources": {"total_households": {"source": "Thôn", "date": "2026-07-01"}},
                    "ethnic_groups": [{"name": "Vân Kiều", "households": 30, "persons": 121}],
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, kwargs)
        saved = basic_info_get_or_empty(plan)
        version = saved.version if saved.pk else 0
        expected = require_version(request, version, lambda: basic_info_shown(saved))
        given = BasicInfoInput(data=request.data)
        given.is_valid(raise_exception=True)
        arguments = {
            "actor": request.user,
            "plan": plan,
            "data": given.validated_data["values"],
            "sources": given.validated_data["sources"],
            "ethnic_groups": given.validated_data["ethnic_groups"],
            "expected_version": expected,
        }
        if is_dry_run(request):
            basic_info_check(**arguments)
            return _dry_run()
        basic_info_save(**arguments)
        shown = basic_info_shown(basic_info_get_or_empty(plan))  # as saved, like a read
        return Response(shown, headers={"ETag": etag(shown["version"])})


def _meeting(plan: VillagePlan) -> VillageMeeting | None:
    return VillageMeeting.objects.filter(plan=plan).prefetch_related("attendees").first()


class MeetingView(generics.GenericAPIView[VillagePlan]):
    serializer_class = MeetingOutput

    @extend_schema(
        operation_id="village_plans_meeting_retrieve",
        summary=bilingual("Họp thôn (F8)", "Village meeting (F8)"),
        description=bilingual(
            "Biên bản họp thôn: ngày, địa điểm, chủ trì, số hộ và người dự theo giới, hộ "
            "nghèo, dân tộc thiểu số, biểu quyết; kết quả (đủ số hộ, thông qua) tính ra; danh "
            'sách người dự. ETag là phiên bản ("0" khi chưa ghi).',
            "The meeting record: date, place, chair, households and participants by gender, "
            "poor households and ethnic minority, the vote; the result (quorum, approval) "
            'computed; the attendance list. The ETag is its version ("0" while none).',
        ),
        responses={200: MeetingOutput},
        examples=[
            OpenApiExample(
                "Họp thôn — village meeting",
                value={
                    "version": 1,
                    "values": MEETING_EXAMPLE_VALUES,
                    "result": {
                        "households_pct": "70.1",
                        "agree_pct": "88.9",
                        "quorate": True,
                        "approved": True,
                    },
                    "attendees": [
                        {
                            "full_name": "Hồ Thị Mai",
                            "sex": "female",
                            "ethnicity": "Vân Kiều",
                            "poverty_status": "poor",
                            "household": "Hồ Văn Sơn",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, kwargs)
        shown = meeting_shown(plan, _meeting(plan))
        return Response(shown, headers={"ETag": etag(shown["version"])})

    @extend_schema(
        operation_id="village_plans_meeting_update",
        summary=bilingual("Ghi biên bản họp thôn", "Record the village meeting"),
        description=bilingual(
            "Ghi cả biên bản như trên trang (giá trị bỏ qua thì để trống) và, nếu gửi, thay "
            "toàn bộ danh sách người dự như biểu F8 trong tệp Excel; kiểm tra theo đúng các quy "
            'tắc (R9). Chỉ khi kế hoạch còn là bản nháp. If-Match bắt buộc ("0" khi chưa ghi).',
            "Record the whole meeting as the page does (a value left out is empty) and, when "
            "given, replace the whole attendance list as the workbook's F8 does; checked by "
            'the same rules (R9). Only while the plan is a draft. If-Match is required ("0" '
            "while none).",
        ),
        request=MeetingInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: MeetingOutput},
        examples=[
            OpenApiExample(
                "Họp thôn — village meeting",
                value={"values": MEETING_EXAMPLE_VALUES},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, kwargs)
        meeting = _meeting(plan)
        version = meeting.version if meeting is not None else 0
        expected = require_version(request, version, lambda: meeting_shown(plan, meeting))
        given = MeetingInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data["values"]
        attendees = given.validated_data.get("attendees")
        arguments = {
            "actor": request.user,
            "plan": plan,
            "data": {field: values.get(field) for field in MEETING_FIELDS},
            "attendees": [dict(row) for row in attendees] if attendees is not None else None,
            "expected_version": expected,
        }
        if is_dry_run(request):
            meeting_check(**arguments)
            return _dry_run()
        meeting_save(**arguments)
        shown = meeting_shown(plan, _meeting(plan))
        return Response(shown, headers={"ETag": etag(shown["version"])})


class BasicInfoCopyPrevious(generics.GenericAPIView[VillagePlan]):
    serializer_class = BasicInfoOutput

    @extend_schema(
        operation_id="village_plans_basic_info_copy_previous",
        summary=bilingual("Chép thông tin cơ bản năm trước", "Copy last year's basic information"),
        description=bilingual(
            "Như nút «Chép từ năm trước» của trang F1: chép giá trị, nguồn và các dân tộc của "
            'kỳ trước vào biểu còn trống. If-Match bắt buộc ("0" khi chưa nhập); ?dry_run=1 '
            "chỉ kiểm tra.",
            "As the F1 page's 'Copy from last year' button: copies the values, sources and "
            "ethnic groups of the earlier round into the still empty form. If-Match is "
            'required ("0" while nothing is saved); ?dry_run=1 only checks.',
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: BasicInfoOutput},
        examples=[OpenApiExample("Đã chép — copied", value=INFO_EXAMPLE, response_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, kwargs)
        saved = basic_info_get_or_empty(plan)
        version = saved.version if saved.pk else 0
        expected = require_version(request, version, lambda: basic_info_shown(saved))
        if is_dry_run(request):
            basic_info_copy_previous_check(actor=request.user, plan=plan, expected_version=expected)
            return _dry_run()
        basic_info_copy_previous(actor=request.user, plan=plan, expected_version=expected)
        shown = basic_info_shown(basic_info_get_or_empty(plan))
        return Response(shown, headers={"ETag": etag(shown["version"])})
