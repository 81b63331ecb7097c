"""``GET /api/v1/catalog/sectors/``, ``/catalog/sources/`` and ``/catalog/units/``: the
reference data every plan refers to, the same for every signed-in user, retired entries
included (``is_active``: plans keep pointing at them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics

from kehoach.api import filters
from kehoach.api.serializers.catalog import (
    FundingSourceOutput,
    SectorOutput,
    UnitOfMeasureOutput,
)
from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure

from .common import CursorPage, bilingual


class SectorList(generics.ListAPIView[Sector]):
    serializer_class = SectorOutput
    pagination_class = CursorPage
    cursor_ordering = ("sort_order", "sort_key", "code")

    def get_queryset(self) -> QuerySet[Sector]:
        return Sector.objects.prefetch_related("alias_entries")

    @extend_schema(
        operation_id="catalog_sectors_list",
        summary=bilingual("Lĩnh vực", "Sectors"),
        description=bilingual(
            "Danh mục lĩnh vực mà các đề xuất và dòng khung nguồn lực được xếp theo, với tên "
            "gọi khác; gồm cả lĩnh vực đã ngừng dùng (is_active = false).",
            "The sectors that proposals and envelope lines are grouped by, with their other "
            "names; retired sectors included (is_active = false).",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample(
                "Giao thông — transport",
                value={
                    "code": "HT-GT",
                    "name": "Hạ tầng: giao thông",
                    "name_en": "Infrastructure: transport",
                    "description": "",
                    "sort_order": 50,
                    "is_active": True,
                    "ntm_criteria": [2],
                    "default_expenditure": "investment",
                    "aliases": ["Giao thông"],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class FundingSourceList(generics.ListAPIView[FundingSource]):
    serializer_class = FundingSourceOutput
    pagination_class = CursorPage
    cursor_ordering = ("sort_order", "code")

    def get_queryset(self) -> QuerySet[FundingSource]:
        return FundingSource.objects.select_related("parent").prefetch_related("alias_entries")

    @extend_schema(
        operation_id="catalog_sources_list",
        summary=bilingual("Nguồn vốn, chương trình", "Funding sources and programmes"),
        description=bilingual(
            "Ngân sách, chương trình, hợp phần, nhà tài trợ và hình thức đóng góp, với năm hiệu "
            "lực, tỷ lệ đối ứng và tên gọi khác.",
            "Budgets, programmes, programme components, donors and kinds of contribution, with "
            "their validity years, counterpart share and other names.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample(
                "CTMTQG — national target programme",
                value={
                    "code": "NTP26",
                    "name": "Chương trình MTQG 2026–2035",
                    "name_en": "National target programme 2026–2035",
                    "kind": "national_target_programme",
                    "parent_code": None,
                    "valid_from_year": 2026,
                    "valid_to_year": 2035,
                    "counterpart_share_pct": "10.00",
                    "is_external": True,
                    "is_active": True,
                    "sort_order": 10,
                    "aliases": ["CTMTQG", "MTQG"],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class UnitOfMeasureList(generics.ListAPIView[UnitOfMeasure]):
    serializer_class = UnitOfMeasureOutput
    pagination_class = CursorPage
    cursor_ordering = ("sort_order", "code")

    def get_queryset(self) -> QuerySet[UnitOfMeasure]:
        return UnitOfMeasure.objects.prefetch_related("alias_entries")

    @extend_schema(
        operation_id="catalog_units_list",
        summary=bilingual("Đơn vị tính", "Units of measure"),
        description=bilingual(
            "Đơn vị tính của các dòng đề xuất (km, m², hộ, lớp…), với cách viết khác.",
            "The units of quantity of proposal lines (km, m², households, classes…), with "
            "their other spellings.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample(
                "Mét vuông — square metre",
                value={
                    "code": "m2",
                    "name": "m²",
                    "name_en": "m²",
                    "is_active": True,
                    "sort_order": 20,
                    "aliases": ["m2", "met vuong"],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
