"""Many works' evaluations at once through the API (issue 17, F15): ``…/evaluation/works/``,
all or nothing, each item with the version of the work's evaluation it read (see
``evaluation.py`` for the rest of the year's evaluation)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.evaluation import (
    LineEvaluationBatchInput,
    LineEvaluationBatchOutput,
)
from kehoach.api.writes import DRY_RUN, is_dry_run
from kehoach.core.errors import NotFoundError
from kehoach.monitoring.models import LineEvaluation
from kehoach.monitoring.services.evaluation import (
    LineEvaluationChange,
    line_evaluations_apply,
    line_evaluations_check,
)
from kehoach.synthesis.models import CommuneLine

from ..problems import PreconditionFailed
from .common import bilingual
from .evaluation import CREATED_UPDATED, WORK_EXAMPLE, plan_of, saved_or_checked, work_shown


class LineEvaluationBatch(APIView):
    @extend_schema(
        operation_id="commune_plans_evaluation_works_batch",
        summary=bilingual("Lưu đánh giá nhiều công trình", "Save many works' evaluations"),
        description=bilingual(
            "Đánh giá của nhiều công trình cùng lúc, theo cùng quy tắc như từng công trình: tất "
            "cả hoặc không gì cả. Mỗi mục nêu line_uid và version đã đọc (0 khi chưa đánh giá); "
            "một mục đã có người lưu sau đó: 412 kèm giá trị hiện tại của các mục đó. Lỗi của "
            "một mục có where.line là vị trí của nó (từ 1).",
            "The evaluations of many works at once, by the same rules as one: all or nothing. "
            "Each item names its line_uid and the version read (0 when none); an item saved by "
            "someone since: 412 with the current values of those items. A problem of an item "
            "has where.line, its position (from 1).",
        ),
        request=LineEvaluationBatchInput,
        parameters=[DRY_RUN],
        responses={
            200: saved_or_checked("LineEvaluationBatch", LineEvaluationBatchOutput, CREATED_UPDATED)
        },
        examples=[
            OpenApiExample(
                "Hai công trình — two works",
                value={
                    "items": [
                        {
                            **WORK_EXAMPLE,
                            "line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                            "version": 0,
                        },
                        {
                            "line_uid": "2b7d1e40-8c3a-4f5b-9d6e-0a1b2c3d4e5f",
                            "version": 2,
                            "beneficiary_opinion": "satisfied",
                            "operation_maintenance": "Tổ tự quản thôn bảo trì hằng năm",
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        given = LineEvaluationBatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["items"]
        lines = {
            line.uid: line
            for line in CommuneLine.objects.filter(
                plan=plan, uid__in=[i["line_uid"] for i in items]
            )
        }
        if len(lines) < len({i["line_uid"] for i in items}):
            raise NotFoundError()
        saved = {
            e.line_id: e
            for e in LineEvaluation.objects.filter(line__in=lines.values()).select_related("line")
        }
        changes = []
        stale = []
        for position, item in enumerate(items, start=1):
            line = lines[item["line_uid"]]
            evaluation = saved.get(line.pk)
            if item["version"] != (evaluation.version if evaluation else 0):
                stale.append({**work_shown(line), "line": position})
            values = {k: v for k, v in item.items() if k not in {"line_uid", "version"}}
            changes.append(LineEvaluationChange(line, values, item["version"]))
        if stale:
            raise PreconditionFailed(current={"items": stale})
        if is_dry_run(request):
            counts = line_evaluations_check(actor=request.user, target=plan, changes=changes)
            return Response({"dry_run": True, "counts": counts})
        result = line_evaluations_apply(actor=request.user, target=plan, changes=changes)
        body = {
            "created": result.created,
            "updated": result.updated,
            "evaluations": result.evaluations,
        }
        return Response(LineEvaluationBatchOutput(body).data)
