"""Many changes to the lines of a commune plan at once, all or nothing
(``/commune-plans/<uid>/lines/batch/``, issue 17; split out of ``commune_lines``): each item
names the version it read in ``version``; ``?dry_run=1`` asks ``commune_lines_check``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.batch import LineBatchItem
from kehoach.api.serializers.commune_line_input import (
    CommuneLineChangeInput,
    commune_line_data,
    decision_of,
)
from kehoach.api.serializers.line_input import catalog_entries
from kehoach.api.writes import DRY_RUN, is_dry_run
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.lines import CommuneLineChange

from .common import bilingual
from .commune_lines import _apply, _plan

BATCH_MAX = 1000
"""The most changes one batch may carry (the F9 workbook is the way for more)."""


class CommuneLineBatchItem(LineBatchItem):
    op_help = (
        "add: thêm dòng của xã; change: sửa hoặc quyết định; remove: bỏ; restore: "
        "khôi phục dòng đã bỏ — add a line of the commune, change or decide, remove, or "
        "restore a removed line"
    )
    values = CommuneLineChangeInput(
        required=False,
        help_text="Các cột (add: đủ; change: chỉ cột thay đổi, có thể kèm decision và reason) "
        "— the columns (add: all; change: those that change, a decision and reason too)",
    )


class CommuneLineBatchInput(serializers.Serializer[Any]):
    changes = CommuneLineBatchItem(many=True, allow_empty=False, max_length=BATCH_MAX)


BATCH_OUTPUT = inline_serializer(
    "CommuneLineBatchOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số dòng thêm, sửa, bỏ, khôi phục — lines added, changed, removed, restored",
        ),
        "lines": inline_serializer(
            "CommuneLineWritten",
            {
                "uid": serializers.UUIDField(),
                "number": serializers.IntegerField(),
                "version": serializers.IntegerField(),
                "op": serializers.CharField(),
            },
            many=True,
        ),
    },
)


def _batch_changes(plan: CommunePlan, items: list[dict[str, Any]]) -> list[CommuneLineChange]:
    """The writer's changes of the batch's items, each placed at its position (from 1); a uid
    that is no line of this plan is a problem at its position."""
    codes = catalog_entries([item.get("values", {}) for item in items])
    uids = {item["uid"] for item in items if "uid" in item}
    named = (
        {
            line.uid: line
            for line in CommuneLine.objects.filter(plan=plan, uid__in=uids).only(
                "pk", "uid", "number", "plan_id"
            )
        }
        if uids
        else {}
    )
    changes: list[CommuneLineChange] = []
    missing: list[ApplicationError] = []
    for index, item in enumerate(items, start=1):
        line = named.get(item["uid"]) if "uid" in item else None
        if "uid" in item and line is None:
            missing.append(
                ApplicationError(
                    "line_unknown",
                    str(_("No line of this plan has this uid.")),
                    Where(field="uid", row=index),
                )
            )
            continue
        values = item.get("values", {})
        decision, reason = decision_of(values) if item["op"] == "change" else (None, "")
        changes.append(
            CommuneLineChange(
                item["op"],
                line,
                data=commune_line_data(values, codes),
                version=item.get("version"),
                decision=decision,
                reason=reason,
                row=index,
            )
        )
    if missing:
        raise ApplicationErrors(missing)
    return changes


class CommuneLineBatch(generics.GenericAPIView[CommuneLine]):
    serializer_class = CommuneLineBatchInput

    @extend_schema(
        operation_id="commune_plans_lines_batch",
        summary=bilingual("Nhiều thay đổi cùng lúc", "Many changes at once"),
        description=bilingual(
            "Thêm, sửa (kể cả quyết định có lý do), bỏ và khôi phục nhiều dòng của kế hoạch xã "
            f"trong một yêu cầu: tất cả hoặc không gì (tối đa {BATCH_MAX} thay đổi). Mỗi lỗi "
            "nêu vị trí của thay đổi trong lô (where.line, từ 1) và cột.",
            "Add, change (decisions with their reasons too), remove and restore many lines of "
            f"the commune plan in one request: all or nothing (at most {BATCH_MAX} changes). "
            "Each problem names the change's position in the batch (where.line, from 1) and "
            "the column.",
        ),
        request=CommuneLineBatchInput,
        parameters=[DRY_RUN],
        responses={200: BATCH_OUTPUT},
        examples=[
            OpenApiExample(
                "Quyết định một dòng, bỏ một dòng — decide on one line, remove another",
                value={
                    "changes": [
                        {
                            "op": "change",
                            "uid": "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
                            "version": 5,
                            "values": {"decision": "rejected", "reason": "Trùng dự án tỉnh."},
                        },
                        {
                            "op": "remove",
                            "uid": "2b7d1e40-8c3a-4f5b-9d6e-0a1b2c3d4e5f",
                            "version": 1,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        given = CommuneLineBatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["changes"]
        done = _apply(request, plan, _batch_changes(plan, items))
        if is_dry_run(request):
            return Response({"dry_run": True, "counts": done, "lines": []})
        return Response(
            {
                "dry_run": False,
                "counts": done.counts(),
                "lines": [
                    {"uid": line.uid, "number": line.number, "version": line.version, "op": op}
                    for line, op in zip(done.lines, (item["op"] for item in items), strict=True)
                ],
            }
        )
