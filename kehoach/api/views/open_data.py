"""Open data through the API (issue 17): the published commune plans, for anyone, without a
token — under the portal's rules (``portal.selectors``): only versions published, the latest
unless another published one is asked for, never a draft or an approved plan not yet
published. ``GET /api/v1/open/plans/`` lists them (for a nightly pull: ``updated_since`` is the
moment of publication); ``GET /api/v1/open/plans/<commune>/<year>/`` is one, with its lines as
the open-data file "ke-hoach" has them (the same fields, the same values).

A request with a token is still checked (a wrong token answers 401, as everywhere); the
answers are the same for everyone, so they may be kept by caches (``Cache-Control: public``)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Level
from kehoach.portal import selectors
from kehoach.portal.opendata.datasets import PlansDataset
from kehoach.portal.opendata.formats import FILE_LANGUAGE, json_converters
from kehoach.synthesis.models import CommunePlan

from .common import CursorPage, bilingual

CACHE = "public, max-age=300"
"""Published data changes only by a new published version: kept by caches for five minutes."""

OPEN_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def _plan_value(name: str) -> Subquery:
    return Subquery(CommunePlan.objects.filter(uid=OuterRef("plan_uid")).values(name)[:1])


class OpenPlanOutput(serializers.Serializer[Version]):
    commune_code = serializers.CharField(help_text="Mã xã — commune code")
    commune_name = serializers.CharField(help_text="Tên xã — commune")
    plan_year = serializers.IntegerField(help_text="Năm kế hoạch — plan year")
    plan_uid = serializers.UUIDField(help_text="Mã kế hoạch xã — commune plan UUID")
    version = serializers.IntegerField(
        source="number",
        help_text="Phiên bản công bố (1 = bản phê duyệt đầu, từ 2 = điều chỉnh) — version "
        "published (1 = as first approved, 2 and more = amendments)",
    )
    is_amendment = serializers.BooleanField(help_text="Là bản điều chỉnh — an amendment")
    resolution_number = serializers.CharField(
        help_text="Số nghị quyết của HĐND — People's Council resolution number"
    )
    resolution_date = serializers.DateField(help_text="Ngày nghị quyết — resolution date")
    published_at = serializers.DateTimeField(help_text="Công bố lúc — published at")


def open_plans(request: Request) -> QuerySet[Version]:
    """The latest published version of each commune plan, narrowed by ``unit`` (any official
    province, former district or commune with something published), ``year`` and
    ``updated_since`` (published since)."""
    qs = selectors.latest_published_versions().defer("data")
    code = filters.search_param(request, "unit")
    if code:
        try:
            unit = selectors.public_unit(code, OPEN_LEVELS)
        except NotFoundError:
            raise NotFoundError(filters.no_published_unit_message(code)) from None
        qs = qs.filter(
            plan_uid__in=CommunePlan.objects.filter(
                round__commune__path__startswith=unit.path
            ).values("uid")
        )
    year = filters.year_param(request)
    if year is not None:
        qs = qs.filter(plan_uid__in=CommunePlan.objects.filter(round__plan_year=year).values("uid"))
    since = filters.since_param(request)
    if since is not None:
        qs = qs.filter(published_at__gte=since)
    return qs.annotate(
        commune_code=_plan_value("round__commune__code"),
        commune_name=_plan_value("round__commune__name"),
        plan_year=_plan_value("round__plan_year"),
    )


OPEN_PLAN_EXAMPLE = {
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "plan_year": 2026,
    "plan_uid": "3c1b7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
    "version": 1,
    "is_amendment": False,
    "resolution_number": "15/NQ-HĐND",
    "resolution_date": "2025-12-20",
    "published_at": "2025-12-22T09:00:00+07:00",
}


class OpenPlanList(generics.ListAPIView[Version]):
    serializer_class = OpenPlanOutput
    pagination_class = CursorPage
    cursor_ordering = ("published_at", "id")
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Version]:
        return open_plans(self.request)

    @extend_schema(
        operation_id="open_plans_list",
        summary=bilingual(
            "Kế hoạch xã đã công bố (dữ liệu mở)", "Published commune plans (open data)"
        ),
        description=bilingual(
            "Không cần khóa truy cập. Phiên bản công bố mới nhất của mỗi kế hoạch xã, theo thứ "
            "tự công bố; lọc theo đơn vị (tỉnh, huyện cũ hoặc xã có kế hoạch đã công bố), năm "
            "và thời điểm công bố (updated_since) để mỗi đêm chỉ lấy những gì mới. Bản nháp và "
            "kế hoạch chưa công bố không bao giờ có ở đây.",
            "No token needed. The latest published version of each commune plan, in the order "
            "of publication; filtered by unit (a province, former district or commune with a "
            "published plan), year and moment of publication (updated_since) so that a nightly "
            "pull takes only what is new. Drafts and plans not published are never here.",
        ),
        parameters=[
            OpenApiParameter(
                "unit",
                {
                    "type": "string",
                    "pattern": filters.UNIT_CODE_PATTERN,
                    "maxLength": filters.UNIT_CODE_MAX,
                },
                description=(
                    "Mã tỉnh, huyện cũ hoặc xã: chỉ các kế hoạch trong đó (không có kế hoạch "
                    "đã công bố: 404) — official code of a province, former district or "
                    "commune: only the plans in it (nothing published there: 404)."
                ),
            ),
            filters.YEAR,
            filters.UPDATED_SINCE,
            filters.PAGE_SIZE,
        ],
        examples=[OpenApiExample("Xã Hải Lăng 2026", value=OPEN_PLAN_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = CACHE
        return response


class OpenPlanDetailOutput(OpenPlanOutput):
    province_code = serializers.CharField(help_text="Mã tỉnh — province code")
    province_name = serializers.CharField(help_text="Tên tỉnh — province")
    versions = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Các phiên bản đã công bố — the published versions",
    )
    lines = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Các dòng của kế hoạch với đúng các trường của tệp dữ liệu mở “ke-hoach” (xem "
            "/cong-khai/du-lieu/) — the plan's lines with the fields of the open-data file "
            "“ke-hoach” (see /cong-khai/du-lieu/)"
        ),
    )


class OpenPlanDetail(generics.GenericAPIView[Version]):
    serializer_class = OpenPlanDetailOutput
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="open_plans_retrieve",
        summary=bilingual("Một kế hoạch xã đã công bố", "One published commune plan"),
        description=bilingual(
            "Không cần khóa truy cập. Kế hoạch năm của xã như đã công bố: phiên bản mới nhất, "
            "hoặc phiên bản version nếu nó đã được công bố; các dòng với quyết định của xã, lý "
            "do và kinh phí được duyệt theo nguồn. Chưa công bố: 404.",
            "No token needed. The commune's plan of the year as published: the latest version, "
            "or version `version` if it was published; its lines with the commune's decision, "
            "the reason and the support approved by source. Not published: 404.",
        ),
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1, "maximum": 1000},
                description="Một phiên bản đã công bố — one published version",
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        number = filters.number_param(request, "version", 1, 1000)
        year = int(self.kwargs["year"])
        published = selectors.published_plan(str(self.kwargs["code"]), year, number)
        province = published.province
        plan = selectors.ScopePlan(
            commune_code=published.commune.code,
            commune_name=published.commune.name,
            province_code=province.code if province else "",
            province_name=province.name if province else "",
            version=published.version,
            chain=[published.version],
        )
        dataset = PlansDataset()
        convert = json_converters(dataset)
        with translation.override(FILE_LANGUAGE):  # the values of the open-data file
            lines = [
                {name: convert[name](value) for name, value in row.items()}
                for row in dataset.plan_rows(plan)
            ]
        version = published.version
        body = {
            "commune_code": plan.commune_code,
            "commune_name": plan.commune_name,
            "province_code": plan.province_code,
            "province_name": plan.province_name,
            "plan_year": year,
            "plan_uid": str(published.plan_uid),
            "version": version.number,
            "is_amendment": version.is_amendment,
            "resolution_number": version.resolution_number,
            "resolution_date": version.resolution_date.isoformat(),
            "published_at": serializers.DateTimeField().to_representation(version.published_at),
            "versions": [v.number for v in published.versions],
            "lines": lines,
        }
        return Response(
            body,
            headers={"Cache-Control": CACHE, "ETag": f'"{published.plan_uid}-{version.number}"'},
        )
