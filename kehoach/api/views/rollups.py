"""Roll-ups (F18) for a province or a former district:

- ``GET /units/<code>/rollup/?year=`` — one row per commune of the unit with a planning round
  that year (village plans submitted, lines, demand, support asked, envelope, used, unfunded
  demand, participation, priority-1 proposals funded, by sector and by source) and the total,
  read by the page's own report (``synthesis.reports.province_rollup``, from the summaries the
  writers keep): a fixed number of aggregate queries whatever the number of communes.
- ``GET /units/<code>/rollup/programmes/<source>/?year=`` — one programme (with its
  components) across the communes, the page's ``programme_rollup``.

The unit is among the user's (``unit_get_for_user``), a province or a former district, and the
user holds the roll-up permission there (``Action.VIEW_ROLLUP``) — else 404, as the page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.accounts.permissions import Action, has_permission
from kehoach.api import filters
from kehoach.catalog.models import FundingSource
from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user
from kehoach.synthesis.reports import programme_rollup, province_rollup, rollup_years
from kehoach.synthesis.reports.programme import ProgrammeRow
from kehoach.synthesis.reports.rollup import CommuneRow, Rollup

from .common import bilingual

MONEY = {"max_digits": 18, "decimal_places": 3}
PCT = {"max_digits": 9, "decimal_places": 1, "allow_null": True}


class CodeNameOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã — code")
    name = serializers.CharField(help_text="Tên — name")


class RollupRowOutput(serializers.Serializer[Any]):
    commune_code = serializers.CharField(
        allow_null=True, help_text="Mã xã (dòng tổng: null) — commune code (the total: null)"
    )
    commune_name = serializers.CharField(allow_null=True, help_text="Tên xã — commune name")
    former_district_code = serializers.CharField(
        allow_null=True, help_text="Mã huyện cũ (trước 2025) — former district code"
    )
    commune_plan_uid = serializers.UUIDField(
        allow_null=True, help_text="Mã kế hoạch xã — commune plan UUID"
    )
    commune_plan_status = serializers.CharField(
        allow_null=True, help_text="Trạng thái kế hoạch xã — commune plan status"
    )
    village_plans = serializers.IntegerField(help_text="Số kế hoạch thôn — village plans")
    village_plans_submitted = serializers.IntegerField(
        help_text="Số kế hoạch thôn đã nộp — village plans submitted"
    )
    lines = serializers.IntegerField(help_text="Số dòng kế hoạch xã — commune plan lines")
    demand_mvnd = serializers.DecimalField(**MONEY, help_text="Nhu cầu (triệu đồng) — demand")
    support_asked_mvnd = serializers.DecimalField(
        **MONEY, help_text="Hỗ trợ đề nghị — support asked"
    )
    envelope_mvnd = serializers.DecimalField(**MONEY, help_text="Khung nguồn lực — envelope")
    used_mvnd = serializers.DecimalField(**MONEY, help_text="Đã phân bổ — allocated")
    use_pct = serializers.DecimalField(**PCT, help_text="Tỉ lệ sử dụng (%) — use of envelope")
    unfunded_mvnd = serializers.DecimalField(
        **MONEY, help_text="Nhu cầu chưa có vốn — unfunded demand"
    )
    households_pct = serializers.DecimalField(
        **PCT, help_text="Hộ tham gia (%) — households represented"
    )
    women_pct = serializers.DecimalField(**PCT, help_text="Nữ tham gia (%) — women participating")
    poor_pct = serializers.DecimalField(**PCT, help_text="Hộ nghèo tham gia (%) — poor")
    em_pct = serializers.DecimalField(**PCT, help_text="Dân tộc thiểu số (%) — ethnic minority")
    priority1 = serializers.IntegerField(
        help_text="Đề xuất ưu tiên 1 của thôn — priority-1 proposals"
    )
    priority1_funded = serializers.IntegerField(
        help_text="Đề xuất ưu tiên 1 có vốn — priority-1 proposals funded"
    )
    priority1_funded_pct = serializers.DecimalField(
        **PCT, help_text="Tỉ lệ ưu tiên 1 có vốn (%) — share funded"
    )
    by_sector = serializers.DictField(
        child=serializers.DecimalField(**MONEY),
        help_text="Nhu cầu theo lĩnh vực (mã: triệu đồng) — demand by sector code",
    )
    by_source = serializers.DictField(
        child=serializers.DecimalField(**MONEY),
        help_text="Phân bổ theo nguồn (mã: triệu đồng) — allocated by source code",
    )


class RollupOutput(serializers.Serializer[Any]):
    unit_code = serializers.CharField(help_text="Mã tỉnh/huyện cũ — unit code")
    unit_name = serializers.CharField(help_text="Tên đơn vị — unit name")
    year = serializers.IntegerField(help_text="Năm kế hoạch — plan year")
    years = serializers.ListField(
        child=serializers.IntegerField(), help_text="Các năm có số liệu — years with rounds"
    )
    sectors = CodeNameOutput(many=True, help_text="Các lĩnh vực có số liệu — sectors")
    sources = CodeNameOutput(many=True, help_text="Các nguồn có phân bổ — sources")
    communes = RollupRowOutput(many=True, help_text="Mỗi xã có kỳ lập kế hoạch — communes")
    total = RollupRowOutput(help_text="Tổng cộng — total")
    communes_without_round = serializers.ListField(
        child=serializers.CharField(),
        help_text="Mã các xã chưa có kỳ lập kế hoạch năm này — communes without a round",
    )


class ProgrammeRowOutput(serializers.Serializer[Any]):
    commune_code = serializers.CharField(allow_null=True, help_text="Mã xã — commune code")
    commune_name = serializers.CharField(allow_null=True, help_text="Tên xã — commune name")
    former_district_code = serializers.CharField(
        allow_null=True, help_text="Mã huyện cũ — former district code"
    )
    envelope_mvnd = serializers.DecimalField(**MONEY, help_text="Khung nguồn lực — envelope")
    used_mvnd = serializers.DecimalField(**MONEY, help_text="Đã phân bổ — allocated")
    left_mvnd = serializers.DecimalField(**MONEY, help_text="Còn lại — left")
    use_pct = serializers.DecimalField(**PCT, help_text="Tỉ lệ sử dụng (%) — use")
    funded_lines = serializers.IntegerField(help_text="Số dòng có vốn — lines funded")
    proposed_mvnd = serializers.DecimalField(
        **MONEY, help_text="Đề nghị từ nguồn này — support proposed from it"
    )
    proposed_lines = serializers.IntegerField(help_text="Số dòng đề nghị — lines proposing it")


class ProgrammeOutput(serializers.Serializer[Any]):
    unit_code = serializers.CharField(help_text="Mã tỉnh/huyện cũ — unit code")
    unit_name = serializers.CharField(help_text="Tên đơn vị — unit name")
    year = serializers.IntegerField(help_text="Năm kế hoạch — plan year")
    source = CodeNameOutput(help_text="Chương trình — programme")
    communes = ProgrammeRowOutput(many=True, help_text="Các xã có số liệu — communes")
    total = ProgrammeRowOutput(help_text="Tổng cộng — total")


def rollup_unit(request: Any, code: str) -> AdministrativeUnit:
    """The page's ``_unit``: a province or former district of the user's, with the roll-up
    permission there; anything else is not found."""
    unit = unit_get_for_user(user=request.user, code=code)
    if unit.level not in (Level.PROVINCE, Level.DISTRICT) or not has_permission(
        request.user, Action.VIEW_ROLLUP, unit
    ):
        raise NotFoundError()
    return unit


def rollup_year(request: Any, unit: AdministrativeUnit) -> tuple[int, list[int]]:
    """``year`` from the query (checked), else the latest year with a round (else this year)."""
    years = rollup_years(unit)
    year = filters.year_param(request)
    if year is None:
        year = years[0] if years else datetime.date.today().year
    return year, years


def _place(row: CommuneRow | ProgrammeRow, unit: AdministrativeUnit) -> dict[str, Any]:
    total = row.commune.pk == unit.pk and row.commune.level != Level.COMMUNE
    return {
        "commune_code": None if total else row.commune.code,
        "commune_name": None if total else row.commune.name,
        "former_district_code": row.group.code if row.group is not None else None,
    }


def _by(amounts: dict[int, Decimal], columns: list[Any]) -> dict[str, Decimal]:
    return {c.code: amounts[c.pk] for c in columns if c.pk in amounts}


def rollup_row(row: CommuneRow, rollup: Rollup) -> dict[str, Any]:
    plan = row.plan
    return {
        **_place(row, rollup.unit),
        "commune_plan_uid": plan.uid if plan is not None else None,
        "commune_plan_status": plan.status if plan is not None else None,
        "village_plans": row.village_plans,
        "village_plans_submitted": row.submitted,
        "lines": row.lines,
        "demand_mvnd": row.demand,
        "support_asked_mvnd": row.support_asked,
        "envelope_mvnd": row.envelope,
        "used_mvnd": row.used,
        "use_pct": row.use_pct,
        "unfunded_mvnd": row.unfunded,
        "households_pct": row.households_pct,
        "women_pct": row.women_pct,
        "poor_pct": row.poor_pct,
        "em_pct": row.em_pct,
        "priority1": row.priority1,
        "priority1_funded": row.priority1_funded,
        "priority1_funded_pct": row.priority1_funded_pct,
        "by_sector": _by(row.by_sector, rollup.sectors),
        "by_source": _by(row.by_source, rollup.sources),
    }


def rollup_data(rollup: Rollup, years: list[int]) -> dict[str, Any]:
    return {
        "unit_code": rollup.unit.code,
        "unit_name": rollup.unit.name,
        "year": rollup.year,
        "years": years,
        "sectors": [{"code": s.code, "name": s.name} for s in rollup.sectors],
        "sources": [{"code": s.code, "name": s.name} for s in rollup.sources],
        "communes": [rollup_row(row, rollup) for row in rollup.rows],
        "total": rollup_row(rollup.total, rollup),
        "communes_without_round": [c.code for c in rollup.without_round],
    }


def programme_row(row: ProgrammeRow, unit: AdministrativeUnit) -> dict[str, Any]:
    return {
        **_place(row, unit),
        "envelope_mvnd": row.envelope,
        "used_mvnd": row.used,
        "left_mvnd": row.left,
        "use_pct": row.use_pct,
        "funded_lines": row.funded_lines,
        "proposed_mvnd": row.proposed,
        "proposed_lines": row.proposed_lines,
    }


YEAR_PARAMETER = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": filters.YEAR_MIN, "maximum": filters.YEAR_MAX},
    description=bilingual(
        "Năm kế hoạch (mặc định: năm mới nhất có kỳ lập kế hoạch)",
        "plan year (default: the latest year with a planning round)",
    ),
)
CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=bilingual("Mã tỉnh hoặc huyện cũ", "code of a province or former district"),
)

ROW_EXAMPLE = {
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "former_district_code": None,
    "commune_plan_uid": "3c1a9d3e-8b7f-4e0a-9c55-2f1e6d7b8a90",
    "commune_plan_status": "published",
    "village_plans": 12,
    "village_plans_submitted": 12,
    "lines": 41,
    "demand_mvnd": "8350.000",
    "support_asked_mvnd": "6920.000",
    "envelope_mvnd": "4500.000",
    "used_mvnd": "4380.000",
    "use_pct": "97.3",
    "unfunded_mvnd": "2540.000",
    "households_pct": "82.5",
    "women_pct": "46.1",
    "poor_pct": "12.0",
    "em_pct": "3.4",
    "priority1": 12,
    "priority1_funded": 10,
    "priority1_funded_pct": "83.3",
    "by_sector": {"HT-GT": "5200.000", "GD": "1400.000"},
    "by_source": {"NTP26": "3500.000", "NSX": "880.000"},
}
ROLLUP_EXAMPLE = {
    "unit_code": "44",
    "unit_name": "Tỉnh Quảng Trị",
    "year": 2027,
    "years": [2027, 2026],
    "sectors": [{"code": "HT-GT", "name": "Giao thông"}, {"code": "GD", "name": "Giáo dục"}],
    "sources": [{"code": "NTP26", "name": "CTMTQG"}, {"code": "NSX", "name": "Ngân sách xã"}],
    "communes": [ROW_EXAMPLE],
    "total": {
        **ROW_EXAMPLE,
        "commune_code": None,
        "commune_name": None,
        "commune_plan_uid": None,
        "commune_plan_status": None,
    },
    "communes_without_round": ["19705"],
}
PROGRAMME_ROW = {
    "commune_code": "19702",
    "commune_name": "Xã Hải Lăng",
    "former_district_code": None,
    "envelope_mvnd": "3600.000",
    "used_mvnd": "3500.000",
    "left_mvnd": "100.000",
    "use_pct": "97.2",
    "funded_lines": 9,
    "proposed_mvnd": "4100.000",
    "proposed_lines": 12,
}


class UnitRollup(APIView):
    @extend_schema(
        operation_id="units_rollup",
        summary=bilingual("Tổng hợp của tỉnh (F18)", "Province roll-up (F18)"),
        description=bilingual(
            "Tổng hợp kế hoạch các xã của tỉnh (hoặc huyện cũ) trong một năm, như trang Tổng "
            "hợp: mỗi xã có kỳ lập kế hoạch một dòng (kế hoạch thôn đã nộp, số dòng, nhu cầu, "
            "hỗ trợ đề nghị, khung nguồn lực, đã phân bổ, nhu cầu chưa có vốn, tỉ lệ tham gia, "
            "đề xuất ưu tiên 1 có vốn, theo lĩnh vực và theo nguồn) và dòng tổng. Đơn vị không "
            "phải tỉnh/huyện cũ của bạn hoặc bạn không được xem tổng hợp: 404.",
            "The roll-up of the plans of the communes of a province (or a former district) "
            "for a year, as the roll-up page shows it: one row per commune with a planning "
            "round (village plans submitted, lines, demand, support asked, envelope, "
            "allocated, unfunded demand, participation, priority-1 proposals funded, by sector "
            "and by source) and the total. A unit that is not a province or former district "
            "of yours, or no roll-up permission there: 404.",
        ),
        parameters=[CODE_PARAMETER, YEAR_PARAMETER],
        responses=RollupOutput,
        examples=[OpenApiExample("Quảng Trị 2027", value=ROLLUP_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, code: str) -> Response:
        unit = rollup_unit(request, code)
        year, years = rollup_year(request, unit)
        data = rollup_data(province_rollup(unit, year), years)
        return Response(RollupOutput(data).data)


class ProgrammeRollup(APIView):
    @extend_schema(
        operation_id="units_rollup_programme",
        summary=bilingual("Tổng hợp một chương trình", "Programme roll-up"),
        description=bilingual(
            "Một chương trình (cùng các hợp phần) trên các xã của tỉnh trong một năm, như "
            "trang Chương trình: khung nguồn lực, đã phân bổ, còn lại, số dòng có vốn, đề nghị "
            "từ nguồn này. Mã nguồn không có: 404.",
            "One programme (with its components) across the communes of a province for a "
            "year, as the programme page shows it: envelope, allocated, left, lines funded, "
            "support proposed from it. An unknown source code: 404.",
        ),
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter(
                "source",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=bilingual("Mã nguồn vốn (chương trình)", "funding source code"),
            ),
            YEAR_PARAMETER,
        ],
        responses=ProgrammeOutput,
        examples=[
            OpenApiExample(
                "CTMTQG, Quảng Trị 2027",
                value={
                    "unit_code": "44",
                    "unit_name": "Tỉnh Quảng Trị",
                    "year": 2027,
                    "source": {"code": "NTP26", "name": "CTMTQG"},
                    "communes": [PROGRAMME_ROW],
                    "total": {**PROGRAMME_ROW, "commune_code": None, "commune_name": None},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, code: str, source: str) -> Response:
        unit = rollup_unit(request, code)
        programme = FundingSource.objects.filter(code=source).first()
        if programme is None:
            raise NotFoundError()
        year, _years = rollup_year(request, unit)
        report = programme_rollup(unit, year, programme)
        data = {
            "unit_code": unit.code,
            "unit_name": unit.name,
            "year": year,
            "source": {"code": programme.code, "name": programme.name},
            "communes": [programme_row(row, unit) for row in report.rows],
            "total": programme_row(report.total, unit),
        }
        return Response(ProgrammeOutput(data).data)
