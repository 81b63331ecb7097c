"""``GET /api/v1/catalog/indicators/``, ``/catalog/profiles/`` and ``/catalog/profiles/<code>/``:
the socio-economic indicators of the targets table (F16) and the process profiles (the rule
parameters a province or programme sets, as the admin shows them), by public code, the same for
every signed-in user, retired entries included (``is_active``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers

from kehoach.api import filters
from kehoach.catalog.models import Indicator, ProcessProfile
from kehoach.core.errors import NotFoundError
from kehoach.core.text import collation_key

from .common import CursorPage, bilingual


def name_position(model: type[models.Model]) -> models.Case:
    """Each row's place in the Vietnamese alphabetical order of its name
    (``core.text.collation_key``: "Dân" < "Đường" < "Điện"), as an expression to order by —
    the catalogue's indicators and profiles have no stored sort key, and are few: one query
    reads their names."""
    names = model._default_manager.values_list("pk", "name")
    ordered = sorted(names, key=lambda row: (collation_key(row[1]), row[1]))
    return models.Case(
        *(models.When(pk=pk, then=models.Value(i)) for i, (pk, _name) in enumerate(ordered)),
        default=models.Value(len(ordered)),
        output_field=models.IntegerField(),
    )


class IndicatorOutput(serializers.Serializer[Indicator]):
    code = serializers.CharField(help_text="Mã chỉ tiêu — indicator code")
    name = serializers.CharField(help_text="Tên — name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")
    unit = serializers.CharField(help_text="Đơn vị tính như trên biểu — unit, as in the table")
    group = serializers.CharField(
        help_text="Nhóm chỉ tiêu (general, economy, infrastructure, education_health, "
        "environment, administration) — group"
    )
    higher_is_better = serializers.BooleanField(help_text="Càng cao càng tốt — higher is better")
    decimals = serializers.IntegerField(help_text="Số chữ số thập phân — decimals shown")
    description = serializers.CharField(help_text="Mô tả — description")
    sort_order = serializers.IntegerField(help_text="Thứ tự trong nhóm — order in the group")
    is_active = serializers.BooleanField(help_text="Đang dùng — active")


class ProcessProfileOutput(serializers.Serializer[ProcessProfile]):
    code = serializers.CharField(help_text="Mã quy trình — profile code")
    name = serializers.CharField(help_text="Tên — name")
    description = serializers.CharField(help_text="Mô tả — description")
    is_active = serializers.BooleanField(help_text="Đang dùng — active")
    sort_order = serializers.IntegerField(help_text="Thứ tự — sort order")
    is_default = serializers.BooleanField(help_text="Quy trình mặc định — the default profile")
    province_code = serializers.CharField(
        help_text="Mã tỉnh áp dụng (trống: mọi nơi) — province code (empty: everywhere)"
    )
    programme_code = serializers.CharField(
        source="programme.code",
        allow_null=True,
        default=None,
        help_text="Mã chương trình áp dụng — programme code",
    )
    min_priority = serializers.IntegerField(
        help_text="Số ưu tiên nhỏ nhất (cao nhất) — smallest priority number (highest)"
    )
    max_priority = serializers.IntegerField(
        help_text="Số ưu tiên lớn nhất (thấp nhất) — largest priority number (lowest)"
    )
    min_priority_activities_per_sector = serializers.IntegerField(
        help_text="Số hoạt động ưu tiên tối thiểu mỗi lĩnh vực — minimum priority activities "
        "per sector"
    )
    max_priority_activities_per_sector = serializers.IntegerField(
        help_text="Số hoạt động ưu tiên tối đa mỗi lĩnh vực — maximum priority activities "
        "per sector"
    )
    priority_bound_applies_to = serializers.CharField(
        help_text="Dòng được tính trong giới hạn — lines counted by the bound"
    )
    unique_ranks_within_sector = serializers.BooleanField(
        help_text="Thứ hạng không trùng trong lĩnh vực — unique ranks within a sector"
    )
    quorum_households_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="Tỷ lệ hộ dự họp tối thiểu (%) — quorum: households represented (%)",
    )
    quorum_agreement_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="Tỷ lệ người dự họp tán thành (%) — approval: attendees agreeing (%)",
    )
    ranking_criteria = serializers.JSONField(
        help_text="Tiêu chí xếp hạng ở thôn (biểu 5) — village ranking criteria (form 5)"
    )
    scoring_criteria = serializers.JSONField(
        help_text="Tiêu chí chấm điểm ở xã (biểu 10) — commune scoring criteria (form 10)"
    )
    money_decimals = serializers.IntegerField(
        help_text="Số chữ số thập phân của tiền — decimals for money"
    )
    extra = serializers.JSONField(help_text="Tham số khác — other parameters")


PROFILE_EXAMPLE = {
    "code": "QT-QT",
    "name": "Quy trình tỉnh Quảng Trị",
    "description": "",
    "is_active": True,
    "sort_order": 10,
    "is_default": False,
    "province_code": "44",
    "programme_code": None,
    "min_priority": 1,
    "max_priority": 3,
    "min_priority_activities_per_sector": 1,
    "max_priority_activities_per_sector": 3,
    "priority_bound_applies_to": "ranked_lines",
    "unique_ranks_within_sector": False,
    "quorum_households_pct": "50.00",
    "quorum_agreement_pct": "50.00",
    "ranking_criteria": [{"code": "K1", "name": "Cấp thiết", "name_en": "Urgency", "weight": 1}],
    "scoring_criteria": [{"code": "D1", "name": "Hưởng lợi", "name_en": "Benefit", "weight": 1}],
    "money_decimals": 1,
    "extra": {"supervision_min_members": 7},
}


class IndicatorList(generics.ListAPIView[Indicator]):
    serializer_class = IndicatorOutput
    pagination_class = CursorPage
    cursor_ordering = ("name_position", "code")

    def get_queryset(self) -> QuerySet[Indicator]:
        return Indicator.objects.annotate(name_position=name_position(Indicator))

    @extend_schema(
        operation_id="catalog_indicators_list",
        summary=bilingual("Chỉ tiêu kinh tế - xã hội", "Socio-economic indicators"),
        description=bilingual(
            "Danh mục chỉ tiêu của bảng chỉ tiêu kế hoạch xã (biểu 16), theo tên theo thứ tự "
            "chữ cái tiếng Việt (nhóm và thứ tự trong bảng: group, sort_order); gồm cả chỉ "
            "tiêu đã ngừng dùng (is_active = false).",
            "The indicators of the commune plan's targets table (form 16), by name in "
            "Vietnamese alphabetical order (the table's group and order: group, sort_order); "
            "retired ones included (is_active = false).",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample(
                "Hộ nghèo — poor households",
                value={
                    "code": "HO-NGHEO",
                    "name": "Tỷ lệ hộ nghèo",
                    "name_en": "Poor household rate",
                    "unit": "%",
                    "group": "general",
                    "higher_is_better": False,
                    "decimals": 1,
                    "description": "",
                    "sort_order": 20,
                    "is_active": True,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class ProcessProfileList(generics.ListAPIView[ProcessProfile]):
    serializer_class = ProcessProfileOutput
    pagination_class = CursorPage
    cursor_ordering = ("name_position", "code")

    def get_queryset(self) -> QuerySet[ProcessProfile]:
        return ProcessProfile.objects.select_related("programme").annotate(
            name_position=name_position(ProcessProfile)
        )

    @extend_schema(
        operation_id="catalog_profiles_list",
        summary=bilingual("Quy trình lập kế hoạch", "Process profiles"),
        description=bilingual(
            "Các bộ tham số quy tắc (mặc định, của tỉnh, của chương trình) như trang quản trị "
            "hiển thị: số ưu tiên, giới hạn hoạt động ưu tiên mỗi lĩnh vực, điều kiện họp "
            "thôn, tiêu chí xếp hạng và chấm điểm, tham số khác; theo tên theo thứ tự chữ cái "
            "tiếng Việt.",
            "The sets of rule parameters (the default, a province's, a programme's) as the "
            "admin shows them: priority numbers, priority activities per sector, village "
            "meeting quorum, ranking and scoring criteria, other parameters; by name in "
            "Vietnamese alphabetical order.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample("Quảng Trị — Quang Tri", value=PROFILE_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class ProcessProfileDetail(generics.RetrieveAPIView[ProcessProfile]):
    serializer_class = ProcessProfileOutput

    def get_object(self) -> ProcessProfile:
        found = (
            ProcessProfile.objects.select_related("programme")
            .filter(code=str(self.kwargs.get("code", "")))
            .first()
        )
        if found is None:
            raise NotFoundError()
        return found

    @extend_schema(
        operation_id="catalog_profiles_retrieve",
        summary=bilingual("Một quy trình lập kế hoạch", "One process profile"),
        description=bilingual(
            "Các tham số quy tắc của một quy trình, theo mã.",
            "One profile's rule parameters, by code.",
        ),
        examples=[
            OpenApiExample("Quảng Trị — Quang Tri", value=PROFILE_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
