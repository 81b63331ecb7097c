"""Five-year plans through the API (issue 18), read only:

- ``GET /five-year-periods/`` and ``/five-year-periods/<uid>/``: the communes' five-year
  periods the user may see (``midterm.selectors.rounds_visible_to``), filtered by commune;
- ``GET /five-year-plans/`` and ``/five-year-plans/<uid>/``: the villages' five-year plans
  (F7, ``midterm.selectors.plans_visible_to``), filtered by period, village and status; one
  plan with its activities (``plan_lines``) and what became of each year
  (``selectors_drawing.year_facts``, the facts ``year_statuses`` reads). ETag: the plan's
  version;
- ``GET /five-year-commune-plans/<period uid>/``: the commune's five-year plan of a period with
  its lines (``selectors_commune.commune_lines``), its resource frame and its approved
  versions. A period whose commune plan was not started answers 404 (the page starts it; the
  API writes nothing here).

A period, a plan or a unit the user may not see answers 404, like a missing one."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.five_year import (
    CommuneFiveYearPlanOutput,
    FiveYearPlanDetailOutput,
    FiveYearPlanOutput,
    PeriodOutput,
)
from kehoach.api.writes import etag
from kehoach.approvals.models import Version
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.midterm.models import MediumTermCommunePlan, MediumTermPlan, MediumTermRound
from kehoach.midterm.selectors import (
    plan_get_for_user,
    plan_lines,
    plans_visible_to,
    round_get_for_user,
    rounds_visible_to,
)
from kehoach.midterm.selectors_commune import commune_lines
from kehoach.midterm.selectors_drawing import year_facts
from kehoach.plans.choices import PlanStatus

from .common import CursorPage, bilingual, uid_param

PERIOD_EXAMPLE = {
    "uid": "8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d",
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "first_year": 2026,
    "last_year": 2030,
    "profile_code": "QT-MACDINH",
    "proposals_due": "2025-10-31",
    "approval_due": "2025-12-31",
    "commune_plan_status": "approved",
    "created_at": "2025-09-01T08:00:00+07:00",
    "updated_at": "2025-09-01T08:00:00+07:00",
}

PLAN_EXAMPLE = {
    "uid": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "period_uid": PERIOD_EXAMPLE["uid"],
    "first_year": 2026,
    "last_year": 2030,
    "commune_code": "19702",
    "village_code": "19702-001",
    "village_name": "Thôn Diên Sanh",
    "status": "submitted",
    "meeting_plan_uid": "5b0c5a7e-3f1d-4c55-9a57-0d7c2b1e9f40",
    "submitted_at": "2025-10-20T09:00:00+07:00",
    "version": 4,
    "created_at": "2025-09-05T08:00:00+07:00",
    "updated_at": "2025-10-20T09:00:00+07:00",
}

ACTIVITY_EXAMPLE = {
    "sector_code": "HT-GT",
    "activity": "Bê tông hóa đường thôn",
    "location": "Xóm Trên",
    "unit_of_measure_code": "km",
    "contribution_mvnd": "150.000",
    "external_support_mvnd": "350.000",
    "proposed_source_code": "NTP26",
    "beneficiary_households": 80,
    "beneficiary_poor": 12,
    "beneficiary_em": 0,
    "implementation_mode": "community",
    "notes": "",
}

LINE_EXAMPLE = {
    "uid": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
    "number": 1,
    **ACTIVITY_EXAMPLE,
    "years": [
        {
            "year": 2026,
            "quantity": "1.000",
            "cost_mvnd": "300.000",
            "status": "in_plan",
            "dropped_reason": "",
            "drawn_line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
        },
        {
            "year": 2027,
            "quantity": "0.500",
            "cost_mvnd": "200.000",
            "status": "planned",
            "dropped_reason": "",
            "drawn_line_uid": None,
        },
    ],
    "version": 2,
    "updated_at": "2025-10-01T10:00:00+07:00",
}

COMMUNE_PLAN_EXAMPLE = {
    "uid": "3b4c5d6e-7f80-4a1b-8c2d-3e4f5a6b7c8d",
    "period_uid": PERIOD_EXAMPLE["uid"],
    "commune_code": "19702",
    "first_year": 2026,
    "last_year": 2030,
    "status": "approved",
    "version_number": 1,
    "is_amendment": False,
    "synthesised_at": "2025-11-01T14:00:00+07:00",
    "submitted_at": "2025-11-20T09:00:00+07:00",
    "version": 6,
    "lines": [
        {
            "uid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "number": 1,
            "state": "active",
            "merged_into_uid": None,
            "split_from_uid": None,
            "share": "1.000000",
            **ACTIVITY_EXAMPLE,
            "years": [
                {"year": 2026, "quantity": "1.000", "cost_mvnd": "300.000"},
                {"year": 2027, "quantity": "0.500", "cost_mvnd": "200.000"},
            ],
            "sources": [
                {
                    "village_line_uid": LINE_EXAMPLE["uid"],
                    "village_plan_uid": PLAN_EXAMPLE["uid"],
                    "village_code": "19702-001",
                    "share": "1.000000",
                    "withdrawn": False,
                }
            ],
            "decision": "funded",
            "decision_reason": "",
            "review_note": "",
            "version": 3,
            "updated_at": "2025-11-15T10:00:00+07:00",
        }
    ],
    "frame": [
        {
            "uid": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
            "source_code": "NTP26",
            "sector_code": None,
            "year": 2026,
            "amount_mvnd": "1500.000",
            "notes": "",
            "version": 1,
        }
    ],
    "approved_versions": [
        {
            "number": 1,
            "is_amendment": False,
            "resolution_number": "12/NQ-HĐND",
            "resolution_date": "2025-12-20",
            "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
            "approved_at": "2025-12-20T15:30:00+07:00",
            "approved_by": "Nguyễn Thị Hoa (lanhdao.hailang)",
            "published_at": None,
            "has_scan": True,
        }
    ],
}


# --- the query parameters ---------------------------------------------------------------------


def _period_param(request: Request, name: str = "period") -> uuid.UUID | None:
    """A period's UUID; a text that cannot be one is refused (400) on ``name``."""
    text = str(request.query_params.get(name, "") or "").replace("\x00", "").strip()
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ApplicationError(
            "period_invalid",
            _(
                "A five-year period is named by its UUID, for example "
                "8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d: copy it from the list of periods."
            ),
            Where(field=name),
        ) from None


PERIOD = OpenApiParameter(
    "period",
    OpenApiTypes.UUID,
    description="Mã kỳ kế hoạch 5 năm — five-year period UUID.",
)
COMMUNE = filters.unit_code_parameter(
    "commune",
    "Mã xã (hoặc đơn vị cấp trên: các xã trực thuộc; không thuộc đơn vị của bạn: 404) — "
    "commune code (or a unit above: its communes; not in your units: 404).",
)
VILLAGE = filters.unit_code_parameter(
    "village",
    "Mã thôn (hoặc đơn vị cấp trên: các thôn trực thuộc; không thuộc đơn vị của bạn: 404) — "
    "village code (or a unit above: its villages; not in your units: 404).",
)


# --- periods ----------------------------------------------------------------------------------


def periods_filtered(request: Request) -> QuerySet[MediumTermRound]:
    periods = rounds_visible_to(request.user).select_related("commune_plan")
    commune = filters.unit_param(request, "commune")
    if commune is not None:
        periods = periods.filter(commune__path__startswith=commune.path)
    return periods


class PeriodList(generics.ListAPIView[MediumTermRound]):
    serializer_class = PeriodOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[MediumTermRound]:
        return periods_filtered(self.request)

    @extend_schema(
        operation_id="five_year_periods_list",
        summary=bilingual("Kỳ kế hoạch 5 năm", "Five-year periods"),
        description=bilingual(
            "Các kỳ kế hoạch 5 năm của các xã trong đơn vị của bạn, lọc theo xã; theo thứ tự tạo.",
            "The five-year periods of the communes in your units, filtered by commune; in the "
            "order they were created.",
        ),
        parameters=[COMMUNE, filters.PAGE_SIZE],
        examples=[OpenApiExample("Hải Lăng 2026–2030", value=PERIOD_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class PeriodDetail(generics.RetrieveAPIView[MediumTermRound]):
    serializer_class = PeriodOutput

    def get_object(self) -> MediumTermRound:
        return round_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))

    @extend_schema(
        operation_id="five_year_periods_retrieve",
        summary=bilingual("Một kỳ kế hoạch 5 năm", "One five-year period"),
        description=bilingual(
            "Kỳ kế hoạch 5 năm có mã này; không có hoặc không thuộc đơn vị của bạn: 404.",
            "The five-year period with this UUID; missing, or not in your units: 404.",
        ),
        examples=[OpenApiExample("Hải Lăng 2026–2030", value=PERIOD_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


# --- the villages' five-year plans ------------------------------------------------------------


def plans_filtered(request: Request) -> QuerySet[MediumTermPlan]:
    plans = plans_visible_to(request.user)
    period = _period_param(request)
    if period is not None:
        plans = plans.filter(round__uid=period)
    village = filters.unit_param(request, "village")
    if village is not None:
        plans = plans.filter(village__path__startswith=village.path)
    status = filters.choice_param(request, "status", PlanStatus)
    if status is not None:
        plans = plans.filter(status=status)
    return plans


class FiveYearPlanList(generics.ListAPIView[MediumTermPlan]):
    serializer_class = FiveYearPlanOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[MediumTermPlan]:
        return plans_filtered(self.request)

    @extend_schema(
        operation_id="five_year_plans_list",
        summary=bilingual("Kế hoạch thôn 5 năm (F7)", "Five-year village plans (F7)"),
        description=bilingual(
            "Các kế hoạch 5 năm của các thôn trong đơn vị của bạn, lọc theo kỳ, thôn và trạng "
            "thái; theo thứ tự tạo.",
            "The five-year plans of the villages in your units, filtered by period, village and "
            "status; in the order they were created.",
        ),
        parameters=[PERIOD, VILLAGE, filters.status_parameter(PlanStatus), filters.PAGE_SIZE],
        examples=[OpenApiExample("Thôn Diên Sanh", value=PLAN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def five_year_plan_shown(plan: MediumTermPlan, context: dict[str, Any]) -> dict[str, Any]:
    """The plan with its activities and their years as ``GET /five-year-plans/<uid>/`` shows
    it: its lines with their years (two queries), what became of each year (two more)."""
    lines = plan_lines(plan)
    facts = year_facts([item for line in lines for item in line.years.all()])
    return dict(
        FiveYearPlanDetailOutput(plan, context={**context, "lines": lines, "facts": facts}).data
    )


class FiveYearPlanDetail(generics.RetrieveAPIView[MediumTermPlan]):
    serializer_class = FiveYearPlanDetailOutput

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        return Response(
            five_year_plan_shown(plan, self.get_serializer_context()),
            headers={"ETag": etag(plan.version)},
        )

    @extend_schema(
        operation_id="five_year_plans_retrieve",
        summary=bilingual("Một kế hoạch thôn 5 năm (F7)", "One five-year village plan (F7)"),
        description=bilingual(
            "Kế hoạch 5 năm có mã này với các hoạt động theo số thứ tự; mỗi hoạt động có khối "
            "lượng, kinh phí và tình trạng từng năm (tình trạng suy ra từ kế hoạch hằng năm "
            "mà năm đó được đưa vào), lý do bỏ và mã đề xuất hằng năm tương ứng. Không có hoặc "
            "không thuộc đơn vị của bạn: 404. ETag là phiên bản của kế hoạch.",
            "The five-year plan with this UUID and its activities by number; each with its "
            "quantity, cost and status per year (the status follows the yearly plan the year "
            "was drawn into), the reason a year was dropped and the UUID of the yearly "
            "proposal. Missing, or not in your units: 404. The ETag is the plan's version.",
        ),
        examples=[
            OpenApiExample(
                "Thôn Diên Sanh",
                value={**PLAN_EXAMPLE, "lines": [LINE_EXAMPLE]},
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


# --- the commune's five-year plan -------------------------------------------------------------


class CommuneFiveYearPlanDetail(generics.RetrieveAPIView[MediumTermCommunePlan]):
    serializer_class = CommuneFiveYearPlanOutput

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        period = round_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        plan = MediumTermCommunePlan.objects.filter(round=period).first()
        if plan is None:
            raise NotFoundError(
                _(
                    "The commune has not started its five-year plan for %(first)s–%(last)s "
                    "yet: the commune planner starts it on the plan's page."
                )
                % {"first": period.first_year, "last": period.last_year}
            )
        plan.round = period
        context = {
            **self.get_serializer_context(),
            "lines": commune_lines(plan),
            "frame": list(plan.frame.select_related("source", "sector")),
            "versions": list(Version.objects.filter(plan_uid=plan.uid).order_by("-number")),
        }
        return Response(
            CommuneFiveYearPlanOutput(plan, context=context).data,
            headers={"ETag": etag(plan.version)},
        )

    @extend_schema(
        operation_id="five_year_commune_plans_retrieve",
        summary=bilingual("Kế hoạch 5 năm của xã", "The commune's five-year plan"),
        description=bilingual(
            "Kế hoạch 5 năm của xã trong kỳ có mã này: mọi dòng (trong kế hoạch hay đã gộp, "
            "tách, rút) với khối lượng và kinh phí từng năm, các hoạt động của thôn làm nguồn, "
            "quyết định, lý do và ghi chú xem xét; khung nguồn lực 5 năm; các phiên bản đã phê "
            "duyệt. Kỳ không có, không thuộc đơn vị của bạn hoặc xã chưa bắt đầu lập: 404. ETag "
            "là phiên bản của kế hoạch.",
            "The commune's five-year plan of the period with this UUID: every line (in the plan "
            "or merged, split, withdrawn) with its quantity and cost per year, the village "
            "activities it came from, the decision, reason and review note; the five-year "
            "resource frame; the approved versions. A period that is missing, not in your units "
            "or whose plan the commune has not started: 404. The ETag is the plan's version.",
        ),
        examples=[
            OpenApiExample("Hải Lăng 2026–2030", value=COMMUNE_PLAN_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
