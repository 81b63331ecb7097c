"""The commune plan's money as the pages show it, read through the API (issue 17): the
allocation page's comparison of the stored runs (``…/allocation/``: ``runs_to_compare``, the
latest run of each procedure with each line's outcome and reason) and the financial plan
(``…/financial-plan/``, F12: ``synthesis.reports.finance.financial_plan``, the page's report).
Both read in a fixed number of queries whatever the number of lines; both answer the plan's
ETag, the one ``…/allocation/run/`` and ``…/runs/<mode>/apply/`` take in If-Match."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.actions import plan_version
from kehoach.api.serializers.finance import AllocationResultsOutput, FinancialPlanOutput
from kehoach.api.writes import etag
from kehoach.synthesis.models import AllocationResult, AllocationRun, CommunePlan
from kehoach.synthesis.reports.finance import FinanceRow, FinancialPlan, financial_plan
from kehoach.synthesis.selectors import commune_plan_get_for_user, runs_to_compare

from .common import bilingual, uid_param

LINE_UID = "0b8e4f2a-3c1d-4e5f-8a9b-1c2d3e4f5a6b"
ENVELOPE_LINE_UID = "6f1c0a52-8d1e-4c8e-9a3b-2f4e5d6c7b8a"

ALLOCATION_EXAMPLE = {
    "stale": False,
    "runs": [
        {
            "uid": "3d9f1e7a-5b2c-4d8e-9f0a-1b2c3d4e5f6a",
            "mode": "greedy",
            "created_at": "2026-10-02T08:30:00+07:00",
            "funded_count": 1,
            "funded_mvnd": "500.000",
            "objective": "500.000",
            "applied": True,
            "stale": False,
            "lines": [
                {
                    "line_uid": LINE_UID,
                    "position": 1,
                    "funded": True,
                    "reason_code": "funded",
                    "reason": "Được cấp 500 triệu đồng từ nguồn NSX.",
                    "draws": [{"envelope_line_uid": ENVELOPE_LINE_UID, "amount_mvnd": "500.000"}],
                }
            ],
        }
    ],
}

ROW_EXAMPLE = {
    "line_uid": LINE_UID,
    "label": "1. Đường bê tông thôn Diên Sanh",
    "total_mvnd": "600.000",
    "contribution_mvnd": "100.000",
    "cash_mvnd": "60.000",
    "labour_mvnd": "40.000",
    "labour_days": "200.0",
    "materials_mvnd": "0.000",
    "unsplit_mvnd": "0.000",
    "land_m2": "0.0",
    "support_mvnd": "500.000",
    "by_source": {"NSX": "500.000"},
    "balanced": True,
}

FINANCE_EXAMPLE = {
    "sources": [{"code": "NSX", "name": "Ngân sách xã", "name_en": "Commune budget"}],
    "groups": [
        {
            "sector_code": "HT-GT",
            "sector_name": "Giao thông",
            "rows": [ROW_EXAMPLE],
            "subtotal": {**ROW_EXAMPLE, "line_uid": None, "label": "Giao thông"},
        }
    ],
    "total": {**ROW_EXAMPLE, "line_uid": None, "label": ""},
    "checks": [
        {
            "source_code": "NSX",
            "envelope_mvnd": "1000.000",
            "used_mvnd": "500.000",
            "left_mvnd": "500.000",
            "within": True,
        }
    ],
    "all_within": True,
    "unfunded_count": 0,
    "unfunded_support_mvnd": "0.000",
}


def _plan(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


# --- the allocation's stored runs ---------------------------------------------------------------


def _results(runs: list[AllocationRun]) -> dict[int, list[AllocationResult]]:
    """run id → its results in the run's order, with their lines' uids (one query)."""
    found: dict[int, list[AllocationResult]] = defaultdict(list)
    for result in (
        AllocationResult.objects.filter(run__in=runs)
        .select_related("line")
        .only("run_id", "position", "funded", "draws", "reason_code", "reason", "line__uid")
        .order_by("run_id", "position")
    ):
        result.draws_shown = [  # type: ignore[attr-defined]
            {"envelope_line_uid": key, "amount_mvnd": Decimal(amount)}
            for key, amount in result.draws.items()
        ]
        found[result.run_id].append(result)
    return found


def allocation_shown(plan: CommunePlan) -> dict[str, Any]:
    """The allocation page's comparison: the latest stored run of each procedure (as
    ``runs_to_compare`` finds them), stale when the plan changed after it, with its lines."""
    runs = [run for run in runs_to_compare(plan).values() if run is not None]
    results = _results(runs)
    shown = []
    for run in runs:
        stale = run.data_version != plan.data_version
        shown.append(
            {
                "uid": run.uid,
                "mode": run.mode,
                "created_at": run.created_at,
                "funded_count": run.funded_count,
                "funded_mvnd": run.funded_mvnd,
                "objective": run.objective,
                "applied": run.applied_at is not None,
                "stale": stale,
                "lines": results[run.pk],
            }
        )
    return {"stale": any(run["stale"] for run in shown), "runs": shown}


class AllocationResultsView(APIView):
    @extend_schema(
        operation_id="commune_plans_allocation_retrieve",
        summary=bilingual("Kết quả phân bổ đã lưu", "The stored allocation results"),
        description=bilingual(
            "Như trang phân bổ: lần chạy gần nhất của mỗi cách (greedy: theo ưu tiên và điểm; "
            "optimal: tối ưu) với lúc chạy, số dòng và số tiền được cấp, cách nào đang áp "
            "dụng, đã cũ hay chưa (kế hoạch hay khung đã đổi sau lần chạy), và từng dòng với "
            "kết quả, lý do và số tiền theo dòng khung. Chưa chạy lần nào: runs rỗng. ETag là "
            "của kế hoạch xã, như …/allocation/run/ nhận trong If-Match.",
            "As the allocation page: the latest run of each procedure (greedy: by priority and "
            "score; optimal: optimised) with when it ran, the lines and money funded, which one "
            "is applied, whether it is stale (the plan or envelope changed since), and each line "
            "with its outcome, reason and amounts by envelope line. Never run: empty runs. The "
            "ETag is the commune plan's, the one …/allocation/run/ takes in If-Match.",
        ),
        responses={200: AllocationResultsOutput},
        examples=[OpenApiExample("Một dòng được cấp — one line funded", value=ALLOCATION_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        return Response(
            AllocationResultsOutput(allocation_shown(plan)).data,
            headers={"ETag": etag(plan_version(plan))},
        )


# --- the financial plan (F12) -------------------------------------------------------------------


def _row(row: FinanceRow, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "line_uid": row.line.uid if row.line is not None else None,
        "label": row.label,
        "total_mvnd": row.total,
        "contribution_mvnd": row.contribution,
        "cash_mvnd": row.cash,
        "labour_mvnd": row.labour,
        "labour_days": row.labour_days,
        "materials_mvnd": row.materials,
        "unsplit_mvnd": row.unsplit,
        "land_m2": row.land_m2,
        "support_mvnd": row.support,
        "by_source": {codes[pk]: value for pk, value in row.by_source.items()},
        "balanced": row.balanced,
    }


def finance_shown(report: FinancialPlan) -> dict[str, Any]:
    """The page's F12 report with sources by code instead of their ids."""
    codes = {source.pk: source.code for source in report.sources}
    return {
        "sources": report.sources,
        "groups": [
            {
                "sector_code": sector.code,
                "sector_name": sector.name,
                "rows": [_row(row, codes) for row in rows],
                "subtotal": _row(subtotal, codes),
            }
            for sector, rows, subtotal in report.groups
        ],
        "total": _row(report.total, codes),
        "checks": [
            {
                "source_code": check.source.code,
                "envelope_mvnd": check.envelope,
                "used_mvnd": check.used,
                "left_mvnd": check.left,
                "within": check.within,
            }
            for check in report.checks
        ],
        "all_within": report.all_within,
        "unfunded_count": report.unfunded_count,
        "unfunded_support_mvnd": report.unfunded_support,
    }


class FinancialPlanView(APIView):
    @extend_schema(
        operation_id="commune_plans_financial_plan_retrieve",
        summary=bilingual("Kế hoạch tài chính (biểu 12)", "The financial plan (form 12)"),
        description=bilingual(
            "Như trang kế hoạch tài chính: các nguồn vốn là cột; các dòng được cấp vốn theo "
            "lĩnh vực, mỗi dòng với tổng mức, phần dân góp (tiền, công, vật tư, chưa tách), "
            "phần hỗ trợ và số tiền theo mã nguồn; cộng lĩnh vực, tổng cộng; mỗi nguồn so với "
            "khung (khung, đã dùng, còn lại); số dòng và phần hỗ trợ chưa được cấp. Tiền là "
            "chuỗi thập phân (triệu đồng). ETag là của kế hoạch xã.",
            "As the financial plan page: the sources are the columns; the funded lines by "
            "sector, each with its total, the community's contribution (cash, labour, "
            "materials, not broken down), the support and the amounts by source code; sector "
            "subtotals and the grand total; each source against the envelope (envelope, used, "
            "left); the lines and support not funded. Money is a decimal string (million "
            "VND). The ETag is the commune plan's.",
        ),
        responses={200: FinancialPlanOutput},
        examples=[OpenApiExample("Một dòng, một nguồn — one line, one source", FINANCE_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        return Response(
            FinancialPlanOutput(finance_shown(financial_plan(plan))).data,
            headers={"ETag": etag(plan_version(plan))},
        )
