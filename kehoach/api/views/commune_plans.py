"""``GET /api/v1/commune-plans/`` and ``/commune-plans/<uid>/``: the commune plans the user may
see (``synthesis.selectors.commune_plans_visible_to``). Another unit's plan answers 404. Their
lines (F9) are in ``commune_lines``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.actions import plan_version
from kehoach.api.serializers.synthesis import CommunePlanOutput
from kehoach.api.writes import etag
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user, commune_plans_visible_to

from .common import CursorPage, bilingual, uid_param

PLAN_EXAMPLE = {
    "uid": "3c1a9d3e-8b7f-4e0a-9c55-2f1e6d7b8a90",
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "plan_year": 2027,
    "round_uid": "0f6f3b0a-2c55-4d8e-8a1e-6a3c1f2b7d10",
    "status": "published",
    "version_number": 1,
    "is_amendment": False,
    "synthesised_at": "2026-10-01T14:00:00+07:00",
    "submitted_at": "2026-10-20T09:00:00+07:00",
    "created_at": "2026-09-20T08:00:00+07:00",
    "updated_at": "2026-11-05T10:00:00+07:00",
}

LINE_EXAMPLE = {
    "uid": "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
    "number": 4,
    "state": "active",
    "merged_into_uid": None,
    "split_from_uid": None,
    "share": "1.000000",
    "sector_code": "HT-GT",
    "activity": "Bê tông hóa đường thôn",
    "location": "Thôn Diên Sanh, Xóm Trên",
    "unit_of_measure_code": "km",
    "quantity": "1.200",
    "start_month": "2027-03-01",
    "end_month": "2027-06-01",
    "total_cost_mvnd": "100.000",
    "contribution_mvnd": "30.000",
    "contribution_cash_mvnd": "10.000",
    "contribution_labour_days": "200.0",
    "contribution_labour_mvnd": "20.000",
    "contribution_materials_mvnd": "0.000",
    "contribution_land_m2": "0.0",
    "external_support_mvnd": "70.000",
    "proposed_source_code": "NTP26",
    "beneficiary_households": 80,
    "beneficiary_poor": 12,
    "beneficiary_em": 0,
    "implementation_mode": "community",
    "notes": "",
    "organisation": "",
    "village_priority": 1,
    "expenditure_type": "investment",
    "decision": "funded",
    "decision_origin": "allocation",
    "decision_reason": "Xếp hạng 1, đủ nguồn CTMTQG.",
    "decision_code": "funded_by_rank",
    "review": "",
    "sources": [
        {
            "village_line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
            "village_plan_uid": "5b0c5a7e-3f1d-4c55-9a57-0d7c2b1e9f40",
            "village_code": "19702-001",
            "share": "1.000000",
            "withdrawn": False,
        }
    ],
    "funding": [
        {
            "envelope_line_uid": "2a4b6c8d-0e1f-4a3b-8c5d-7e9f0a1b2c3d",
            "envelope_line_number": 1,
            "source_code": "NTP26",
            "amount_mvnd": "70.000",
        }
    ],
    "ranking": {"score": "82.5000", "computed_rank": 1, "rank": 1},
    "version": 5,
    "created_at": "2026-09-20T08:00:00+07:00",
    "updated_at": "2026-10-01T14:00:00+07:00",
}


def commune_plans_filtered(request: Any) -> QuerySet[CommunePlan]:
    """The user's commune plans narrowed by the query (``filters.plans_narrowed``)."""
    return filters.plans_narrowed(
        request,
        commune_plans_visible_to(request.user),
        unit_path="round__commune__path",
        statuses=CommunePlanStatus,
    )


class CommunePlanList(generics.ListAPIView[CommunePlan]):
    serializer_class = CommunePlanOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[CommunePlan]:
        return commune_plans_filtered(self.request)

    @extend_schema(
        operation_id="commune_plans_list",
        summary=bilingual("Kế hoạch xã", "Commune plans"),
        description=bilingual(
            "Các kế hoạch xã trong đơn vị của bạn, lọc theo đơn vị (cả các đơn vị trực thuộc), "
            "năm, trạng thái và thời điểm thay đổi; theo thứ tự tạo.",
            "The commune plans of your units, filtered by unit (with the units below it), "
            "year, status and time of change; in the order they were created.",
        ),
        parameters=filters.plan_list_parameters(CommunePlanStatus),
        examples=[OpenApiExample("Xã Hải Lăng 2027", value=PLAN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class CommunePlanDetail(generics.RetrieveAPIView[CommunePlan]):
    serializer_class = CommunePlanOutput

    def get_object(self) -> CommunePlan:
        return commune_plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        plan = self.get_object()
        data = CommunePlanOutput(plan, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": etag(plan_version(plan))})

    @extend_schema(
        operation_id="commune_plans_retrieve",
        summary=bilingual("Một kế hoạch xã", "One commune plan"),
        description=bilingual(
            "Kế hoạch xã có mã này; không có hoặc không thuộc đơn vị của bạn: 404. ETag là "
            "phiên bản của kế hoạch (gửi lại trong If-Match khi thực hiện một bước của quy "
            "trình).",
            "The commune plan with this UUID; missing, or not in your units: 404. The ETag is "
            "the plan's version (send it back in If-Match to take a step of its workflow).",
        ),
        examples=[OpenApiExample("Xã Hải Lăng 2027", value=PLAN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
