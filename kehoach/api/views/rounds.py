"""Planning rounds through the API (issue 17): the user's rounds (``/rounds/``,
``/rounds/<uid>/``), opening one (``POST /rounds/``, ``round_create``) and plans for villages
added since (``…/actions/add-missing-plans/``, ``round_add_missing_plans``); a dry run asks
the services' checks (``round_create_check``, ``round_add_missing_plans_check``). Reads go
through ``plans.selectors.rounds_visible_to`` / ``round_get_for_user``. The round's envelope
(F11) and its lines are in ``envelopes.py``, its publication in ``envelope_publish.py``."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.rounds import RoundInput, RoundOutput
from kehoach.api.writes import DRY_RUN, is_dry_run
from kehoach.geo.selectors import unit_get_for_user
from kehoach.plans.models import PlanningRound
from kehoach.plans.selectors import round_get_for_user, rounds_visible_to
from kehoach.plans.services.rounds import (
    round_add_missing_plans,
    round_add_missing_plans_check,
    round_create,
    round_create_check,
)
from kehoach.synthesis.models import CommunePlan

from .common import CursorPage, bilingual, uid_param

ROUND_EXAMPLE = {
    "uid": "0b8f3c2e-5d41-4a7e-9c16-2f0e8a7b6d53",
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "plan_year": 2027,
    "profile_code": "NTP-2026",
    "proposals_due": "2026-09-30",
    "synthesis_due": "2026-10-31",
    "approval_due": "2026-12-15",
    "status": "draft",
    "created_at": "2026-08-01T08:00:00+07:00",
    "updated_at": "2026-08-01T08:00:00+07:00",
}
DRY_RUN_COUNTS = inline_serializer(
    "RoundWriteCounts",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số kỳ và kế hoạch thôn (sẽ) mở — rounds and village plans (to be) opened",
        ),
    },
)


# --- rounds ----------------------------------------------------------------------------------


def rounds_filtered(request: Any) -> QuerySet[PlanningRound]:
    """The user's rounds narrowed by the query's ``unit`` (a subtree), ``year`` and
    ``updated_since``, each with its commune plan's status."""
    qs = rounds_visible_to(request.user).annotate(commune_plan_status=F("commune_plan__status"))
    unit = filters.unit_param(request, "unit")
    if unit is not None:
        qs = qs.filter(commune__path__startswith=unit.path)
    year = filters.year_param(request)
    if year is not None:
        qs = qs.filter(plan_year=year)
    since = filters.since_param(request)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs


def round_for(request: Request, kwargs: dict[str, Any]) -> PlanningRound:
    return round_get_for_user(user=request.user, uid=uid_param(kwargs))


class RoundList(generics.ListAPIView[PlanningRound]):
    serializer_class = RoundOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[PlanningRound]:
        return rounds_filtered(self.request)

    @extend_schema(
        operation_id="rounds_list",
        summary=bilingual("Kỳ lập kế hoạch", "Planning rounds"),
        description=bilingual(
            "Các kỳ lập kế hoạch của các xã thuộc đơn vị của bạn (mã xã, năm, các hạn, quy trình "
            "áp dụng, trạng thái của kế hoạch xã), lọc theo đơn vị (cả các đơn vị trực thuộc), "
            "năm và thời điểm thay đổi; theo thứ tự tạo.",
            "The planning rounds of the communes in your units (commune code, year, due dates, "
            "process profile, the commune plan's status), filtered by unit (with the units "
            "below it), year and time of change; in the order they were created.",
        ),
        parameters=[
            filters.unit_subtree_parameter(),
            filters.YEAR,
            filters.UPDATED_SINCE,
            filters.PAGE_SIZE,
        ],
        examples=[OpenApiExample("Xã Hải Lăng 2027", value=ROUND_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="rounds_create",
        summary=bilingual("Mở một kỳ lập kế hoạch", "Open a planning round"),
        description=bilingual(
            "Như biểu «Kỳ lập kế hoạch mới» trên trang của xã: mở kỳ của năm cho xã và một kế "
            "hoạch cho mỗi thôn đang có; các hạn phải theo thứ tự và trước năm kế hoạch; mỗi "
            "xã một kỳ mỗi năm. Chỉ người quản lý kỳ của xã (xã khác: 404). ?dry_run=1 chỉ "
            "kiểm tra và trả lời số kế hoạch thôn sẽ mở.",
            "As the commune page's 'New planning round' form: opens the year's round for the "
            "commune and a plan for each of its current villages; the due dates follow each "
            "other and come before the plan year; one round per commune and year. Only who "
            "manages the commune's rounds (another commune: 404). ?dry_run=1 only checks and "
            "answers how many village plans it would open.",
        ),
        request=RoundInput,
        parameters=[DRY_RUN],
        responses={201: RoundOutput, 200: DRY_RUN_COUNTS},
        examples=[
            OpenApiExample(
                "Xã Hải Lăng 2027",
                value={"commune_code": "19702", "plan_year": 2027, "proposals_due": "2026-09-30"},
                request_only=True,
            ),
            OpenApiExample("Xã Hải Lăng 2027", value=ROUND_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = RoundInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        commune = unit_get_for_user(user=request.user, code=values.pop("commune_code"))
        if is_dry_run(request):
            counts = round_create_check(actor=request.user, commune=commune, **values)
            return Response({"dry_run": True, "counts": counts})
        round_ = round_create(actor=request.user, commune=commune, **values)
        round_.commune_plan_status = None  # type: ignore[attr-defined]
        return Response(
            RoundOutput(round_).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"/api/v1/rounds/{round_.uid}/")},
        )


class RoundDetail(generics.GenericAPIView[PlanningRound]):
    serializer_class = RoundOutput

    @extend_schema(
        operation_id="rounds_retrieve",
        summary=bilingual("Một kỳ lập kế hoạch", "One planning round"),
        description=bilingual(
            "Kỳ lập kế hoạch có mã này; không có hoặc không thuộc đơn vị của bạn: 404.",
            "The planning round with this UUID; missing, or not in your units: 404.",
        ),
        examples=[OpenApiExample("Xã Hải Lăng 2027", value=ROUND_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        plan = CommunePlan.objects.filter(round=round_).only("status").first()
        round_.commune_plan_status = plan.status if plan else None  # type: ignore[attr-defined]
        return Response(RoundOutput(round_).data)


class RoundAddMissingPlans(generics.GenericAPIView[PlanningRound]):
    serializer_class = RoundOutput

    @extend_schema(
        operation_id="rounds_add_missing_plans",
        summary=bilingual("Mở kế hoạch cho các thôn còn thiếu", "Open plans for missing villages"),
        description=bilingual(
            "Như nút «Thêm kế hoạch cho thôn mới» trên trang của kỳ: mở một kế hoạch cho mỗi "
            "thôn của xã được thêm sau khi kỳ được mở (không có thôn nào: 0). Chỉ người quản "
            "lý kỳ của xã. ?dry_run=1 chỉ trả lời số kế hoạch sẽ mở.",
            "As the round page's 'Add plans for new villages' button: opens a plan for each "
            "village added to the commune after the round was opened (none: 0). Only who "
            "manages the commune's rounds. ?dry_run=1 only answers how many it would open.",
        ),
        request=None,
        parameters=[DRY_RUN],
        responses={200: DRY_RUN_COUNTS},
        examples=[
            OpenApiExample(
                "Một thôn mới — one new village",
                value={"dry_run": False, "counts": {"village_plans": 1}},
                response_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        if is_dry_run(request):
            counts = round_add_missing_plans_check(actor=request.user, round_=round_)
            return Response({"dry_run": True, "counts": counts})
        created = round_add_missing_plans(actor=request.user, round_=round_)
        return Response({"dry_run": False, "counts": {"village_plans": len(created)}})
