"""``GET /api/v1/village-plans/`` and ``/village-plans/<uid>/``: the village plans the user may
see (``plans.selectors.plans_visible_to``); their proposals (F6) are ``proposal_lines``. Another
unit's plan answers 404, like a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.actions import plan_version
from kehoach.api.serializers.plans import (
    VillagePlanDetailOutput,
    VillagePlanOutput,
)
from kehoach.api.writes import etag
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import BasicInfo, VillagePlan
from kehoach.plans.selectors import plan_get_for_user, plans_visible_to

from .common import CursorPage, bilingual, uid_param

PLAN_EXAMPLE = {
    "uid": "5b0c5a7e-3f1d-4c55-9a57-0d7c2b1e9f40",
    "village_code": "19702-001",
    "village_name": "Thôn Diên Sanh",
    "commune_code": "19702",
    "plan_year": 2027,
    "round_uid": "0f6f3b0a-2c55-4d8e-8a1e-6a3c1f2b7d10",
    "status": "submitted",
    "submitted_at": "2026-09-15T09:30:00+07:00",
    "created_at": "2026-08-01T08:00:00+07:00",
    "updated_at": "2026-09-15T09:30:00+07:00",
}

LINE_EXAMPLE = {
    "uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
    "number": 1,
    "sector_code": "HT-GT",
    "activity": "Bê tông hóa đường thôn",
    "location": "Xóm Trên",
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
    "priority": 1,
    "notes": "",
    "outcome": "pending",
    "origin_uid": None,
    "version": 3,
    "created_at": "2026-08-20T10:00:00+07:00",
    "updated_at": "2026-09-10T16:45:00+07:00",
}


def plans_filtered(request: Any) -> QuerySet[VillagePlan]:
    """The user's plans narrowed by the query (``filters.plans_narrowed``)."""
    return filters.plans_narrowed(
        request, plans_visible_to(request.user), unit_path="village__path", statuses=PlanStatus
    )


class VillagePlanList(generics.ListAPIView[VillagePlan]):
    serializer_class = VillagePlanOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[VillagePlan]:
        return plans_filtered(self.request)

    @extend_schema(
        operation_id="village_plans_list",
        summary=bilingual("Kế hoạch thôn", "Village plans"),
        description=bilingual(
            "Các kế hoạch thôn trong đơn vị của bạn, lọc theo đơn vị (cả các đơn vị trực "
            "thuộc), năm, trạng thái và thời điểm thay đổi; theo thứ tự tạo.",
            "The village plans of your units, filtered by unit (with the units below it), "
            "year, status and time of change; in the order they were created.",
        ),
        parameters=filters.plan_list_parameters(PlanStatus),
        examples=[OpenApiExample("Thôn Diên Sanh 2027", value=PLAN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def village_plan_shown(plan: VillagePlan, context: dict[str, Any]) -> dict[str, Any]:
    """The plan as ``GET /village-plans/<uid>/`` shows it (its ETag: ``plan_version``)."""
    # the basic information and its ethnic groups: two more queries
    info = BasicInfo.objects.filter(plan=plan).prefetch_related("ethnic_groups").first()
    return dict(VillagePlanDetailOutput(plan, context={**context, "basic_info": info}).data)


class VillagePlanDetail(generics.RetrieveAPIView[VillagePlan]):
    serializer_class = VillagePlanDetailOutput

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        return Response(
            village_plan_shown(plan, self.get_serializer_context()),
            headers={"ETag": etag(plan_version(plan))},
        )

    @extend_schema(
        operation_id="village_plans_retrieve",
        summary=bilingual("Một kế hoạch thôn", "One village plan"),
        description=bilingual(
            "Kế hoạch thôn có mã này với thông tin cơ bản của thôn (F1); không có hoặc không "
            "thuộc đơn vị của bạn: 404. ETag là phiên bản của kế hoạch (gửi lại trong If-Match "
            "khi thực hiện một bước của quy trình).",
            "The village plan with this UUID and the village's basic information (F1); "
            "missing, or not in your units: 404. The ETag is the plan's version (send it back "
            "in If-Match to take a step of its workflow).",
        ),
        examples=[
            OpenApiExample(
                "Thôn Diên Sanh 2027",
                value={
                    **PLAN_EXAMPLE,
                    "basic_info": {"total_households": 215, "population": 860, "version": 2},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
