"""``GET /api/v1/village-plans/<uid>/pra/``: the PRA tools a village used for its plan (F2),
each with its date, facilitators, women and men taking part, findings, the SWOT entries (F3,
by sector code) and problems (F4) it supports and its photos (by UUID). The read is the PRA
page's selector (``plans.services.pra.pra_outputs_of``) on the plan the user may see
(``plan_get_for_user``): another unit's plan answers 404, like a missing one. Nothing is
written here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics

from kehoach.api import filters
from kehoach.api.serializers.pra import PraOutputOutput
from kehoach.plans.models import PraOutput
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.pra import pra_outputs_of

from .common import CursorPage, bilingual, uid_param

PRA_EXAMPLE = {
    "uid": "4e7a1c2b-9d3f-4a8e-b6c5-1f2e3d4c5b6a",
    "tool_code": "PRA-01",
    "tool_name": "Sơ đồ thôn",
    "held_on": "2026-07-20",
    "facilitators": "Nguyễn Văn An, Lê Thị Bình",
    "participants_women": 18,
    "participants_men": 14,
    "findings": "Đường xóm Trên lầy lội mùa mưa\nKênh mương xuống cấp",
    "supports_swot_sector_codes": ["HT-GT"],
    "supports_problem_uids": ["5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d"],
    "photo_uids": ["2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"],
    "version": 1,
    "created_at": "2026-07-20T16:00:00+07:00",
    "updated_at": "2026-07-20T16:00:00+07:00",
}


class PraOutputList(generics.ListAPIView[PraOutput]):
    serializer_class = PraOutputOutput
    pagination_class = CursorPage
    cursor_ordering = ("held_on", "created_at", "uid")

    def get_queryset(self) -> QuerySet[PraOutput]:
        plan = plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))
        return pra_outputs_of(plan)

    @extend_schema(
        operation_id="village_plans_pra_list",
        summary=bilingual("Kết quả công cụ PRA (F2)", "PRA outputs (F2)"),
        description=bilingual(
            "Các công cụ PRA thôn đã dùng khi lập kế hoạch, theo ngày thực hiện: công cụ (mã "
            "và tên), ngày, người điều hành, số nữ và nam tham gia, kết quả, các mục SWOT (F3, "
            "theo mã lĩnh vực) và mã các vấn đề (F4) được làm căn cứ, mã các ảnh. Kế hoạch "
            "không có hoặc không thuộc đơn vị của bạn: 404.",
            "The PRA tools the village used for the plan, by date: the tool (code and name), "
            "date, facilitators, women and men taking part, findings, the SWOT entries (F3, by "
            "sector code) and the UUIDs of the problems (F4) they support and of the photos. A "
            "plan that is missing or not in your units: 404.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample("Sơ đồ thôn — village map", value=PRA_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
