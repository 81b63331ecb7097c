"""``GET /api/v1/units/`` and ``/api/v1/units/<code>/``: the administrative units the user may
see (``geo.selectors.units_visible_to``), in Vietnamese alphabetical order."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics

from kehoach.api import filters
from kehoach.api.serializers.geo import UnitOutput
from kehoach.geo.models import AdministrativeUnit, UnitSuccession
from kehoach.geo.selectors import units_search, units_visible_to

from .common import CursorPage, bilingual

EXAMPLE = {
    "code": "19702",
    "official_code": "19702",
    "name": "Xã Hải Lăng",
    "kind": "xa",
    "level": 3,
    "parent_code": "44",
    "valid_from": "2025-07-01",
    "valid_to": None,
    "end_reason": "",
    "successors": [],
    "predecessors": [{"code": "X19705", "kind": "merged", "effective_date": "2025-07-01"}],
    "updated_at": "2026-11-02T08:15:00+07:00",
}


def units_with_links(qs: QuerySet[AdministrativeUnit]) -> QuerySet[AdministrativeUnit]:
    """The units with their successors and predecessors: two more queries for any number."""
    return qs.prefetch_related(
        Prefetch("successions", queryset=UnitSuccession.objects.select_related("successor")),
        Prefetch("predecessions", queryset=UnitSuccession.objects.select_related("predecessor")),
    )


class UnitList(generics.ListAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput
    pagination_class = CursorPage
    cursor_ordering = ("sort_key", "code")

    def get_queryset(self) -> QuerySet[AdministrativeUnit]:
        request = self.request
        qs = units_visible_to(request.user)
        within = filters.unit_param(request, "within")
        if within is not None:
            qs = qs.filter(path__startswith=within.path).exclude(pk=within.pk)
        level = filters.level_param(request)
        if level is not None:
            qs = qs.filter(level=level)
        since = filters.since_param(request)
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        qs = units_search(qs, filters.search_param(request))
        return units_with_links(qs)

    @extend_schema(
        operation_id="units_list",
        summary=bilingual("Đơn vị hành chính", "Administrative units"),
        description=bilingual(
            "Các tỉnh, xã, thôn mà bạn được xem, theo thứ tự chữ cái tiếng Việt, với mã chính "
            "thức, thời gian hiệu lực và các đơn vị kế thừa/tiền thân (sáp nhập 2025).",
            "The provinces, communes and villages you may see, in Vietnamese alphabetical "
            "order, with official codes, validity dates and successor/predecessor units (the "
            "2025 mergers).",
        ),
        parameters=[
            filters.unit_code_parameter(
                "within",
                bilingual(
                    "Chỉ các đơn vị trực thuộc đơn vị có mã này, không gồm chính nó (không "
                    "thuộc đơn vị của bạn: 404)",
                    "only the units below the unit with this code, not the unit itself (not "
                    "in your units: 404)",
                ),
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.INT,
                enum=[1, 2, 3, 4],
                description=bilingual(
                    "Cấp: 1 tỉnh, 2 huyện (trước 2025), 3 xã, 4 thôn",
                    "level: 1 province, 2 former district, 3 commune, 4 village",
                ),
            ),
            filters.UPDATED_SINCE,
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=bilingual(
                    "Tìm theo tên, có dấu hoặc không dấu (“hai lang” tìm được “Hải Lăng”)",
                    "search by name, with or without diacritics",
                ),
            ),
            filters.PAGE_SIZE,
        ],
        examples=[OpenApiExample("Xã Hải Lăng", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class UnitDetail(generics.RetrieveAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput
    lookup_field = "code"
    lookup_url_kwarg = "code"

    def get_queryset(self) -> QuerySet[AdministrativeUnit]:
        return units_with_links(units_visible_to(self.request.user))

    @extend_schema(
        operation_id="units_retrieve",
        summary=bilingual("Một đơn vị hành chính", "One administrative unit"),
        description=bilingual(
            "Đơn vị có mã này, nếu bạn được xem (không có hoặc không thuộc đơn vị của bạn: 404).",
            "The unit with this code, if you may see it (missing, or not in your units: 404).",
        ),
        examples=[OpenApiExample("Xã Hải Lăng", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
