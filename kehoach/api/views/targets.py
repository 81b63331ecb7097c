"""``GET``/``PUT /api/v1/commune-plans/<uid>/targets/``: the commune plan's socio-economic
targets table (F16) as the page shows it, and the rows its form sends, saved through
``targets_apply`` (the page's ``targets_save``). ``If-Match`` is the table's version (its newest
row's save, ``targets_version``), checked again under the plan's lock before the save;
``?dry_run=1`` is answered by ``targets_check`` (the same checks, nothing written)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.targets import TargetsInput, TargetsOutput, targets_version
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user, targets_table
from kehoach.synthesis.services.common import lock
from kehoach.synthesis.services.targets import targets_apply, targets_check

from .common import bilingual, uid_param

ROW_EXAMPLE = {
    "indicator_code": "HO-NGHEO",
    "indicator_name": "Tỷ lệ hộ nghèo",
    "indicator_name_en": "Poor household rate",
    "unit": "%",
    "group": "general",
    "decimals": 1,
    "higher_is_better": False,
    "actual_previous": "8.5",
    "plan_current": "7.0",
    "estimate_current": "7.2",
    "plan_next": "6.0",
    "estimate_vs_plan_pct": "102.9",
    "next_vs_estimate_pct": "83.3",
    "notes": "",
}
TARGETS_EXAMPLE = {
    "plan_uid": "0f5b6c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
    "years": {"previous": 2025, "current": 2026, "next": 2027},
    "version": 1786500000000000,
    "rows": [ROW_EXAMPLE],
}
DRY_RUN_ANSWER = inline_serializer(
    "TargetsDryRun",
    {
        "dry_run": serializers.BooleanField(),
        "counts": inline_serializer(
            "TargetsDryRunCounts",
            {
                "added": serializers.IntegerField(help_text="Dòng sẽ thêm — rows it would add"),
                "changed": serializers.IntegerField(
                    help_text="Dòng sẽ thay đổi — rows it would change"
                ),
            },
        ),
    },
)


def shown(plan: CommunePlan) -> dict[str, Any]:
    """The table as the page shows it (``targets_table``), with its years and version."""
    year = plan.round.plan_year
    return dict(
        TargetsOutput(
            {
                "plan_uid": plan.uid,
                "years": {"previous": year - 2, "current": year - 1, "next": year},
                "version": targets_version(plan),
                "rows": targets_table(plan),
            }
        ).data
    )


class TargetsView(APIView):
    def _plan(self) -> CommunePlan:
        return commune_plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))

    @extend_schema(
        operation_id="commune_plans_targets_retrieve",
        summary=bilingual("Chỉ tiêu kinh tế - xã hội", "Socio-economic targets"),
        description=bilingual(
            "Bảng chỉ tiêu của kế hoạch xã (biểu 16) như trên trang: mỗi chỉ tiêu một dòng "
            "(theo thứ tự danh mục) với thực hiện năm trước, kế hoạch và ước thực hiện năm "
            "hiện tại, kế hoạch năm kế hoạch và hai tỷ lệ so sánh tính ra. ETag là phiên bản "
            "của bảng.",
            "The commune plan's targets table (form 16) as on the page: one row per indicator "
            "(catalogue order) with the actual of the year before, the plan and estimate of the "
            "current year, the plan of the plan year and the two computed comparisons. The ETag "
            "is the table's version.",
        ),
        responses={200: TargetsOutput},
        examples=[OpenApiExample("Hộ nghèo — poor households", value=TARGETS_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._plan()
        table = shown(plan)
        return Response(table, headers={"ETag": etag(table["version"])})

    @extend_schema(
        operation_id="commune_plans_targets_update",
        summary=bilingual("Lưu chỉ tiêu kinh tế - xã hội", "Save socio-economic targets"),
        description=bilingual(
            "Lưu các dòng như biểu mẫu trên trang gửi: mỗi chỉ tiêu gửi lên được thay cả bốn "
            "giá trị và ghi chú (giá trị bỏ qua là để trống), chỉ tiêu không gửi giữ nguyên; "
            "tất cả hoặc không gì cả. Chỉ khi kế hoạch còn là bản nháp. If-Match bắt buộc "
            '(phiên bản của bảng, "0" khi chưa có dòng nào). Lỗi của một ô có where.field = '
            '"<mã chỉ tiêu>__<cột>".',
            "Save the rows as the page's form sends them: each indicator sent has its four "
            "values and notes replaced (a value left out is empty), an indicator not sent is "
            "kept; all or nothing. Only while the plan is a draft. If-Match is required (the "
            "table's version, \"0\" while it has no row). A cell's problem has where.field = "
            '"<indicator code>__<column>".',
        ),
        request=TargetsInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={
            200: PolymorphicProxySerializer(
                component_name="TargetsSaved",
                serializers=[TargetsOutput, DRY_RUN_ANSWER],
                resource_type_field_name=None,
            )
        },
        examples=[
            OpenApiExample(
                "Hộ nghèo — poor households",
                value={
                    "rows": [
                        {
                            "indicator_code": "HO-NGHEO",
                            "actual_previous": "8.5",
                            "plan_current": "7",
                            "estimate_current": "7.2",
                            "plan_next": "6",
                            "notes": "",
                        }
                    ]
                },
                request_only=True,
            ),
            OpenApiExample("Đã lưu — saved", value=TARGETS_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._plan()
        require_version(request, targets_version(plan), lambda: shown(plan))
        given = TargetsInput(data=request.data)
        given.is_valid(raise_exception=True)
        changes = given.changes()
        if is_dry_run(request):
            counts = targets_check(actor=request.user, plan=plan, changes=changes)
            return Response({"dry_run": True, "counts": counts})
        with transaction.atomic():
            # every writer of the table locks the plan (targets_apply too): checked again
            # under that lock, the version cannot move before the save
            locked = lock(plan)
            require_version(request, targets_version(locked), lambda: shown(locked))
            targets_apply(actor=request.user, plan=locked, changes=changes)
        table = shown(plan)
        return Response(table, headers={"ETag": etag(table["version"])})
