"""Many changes to the proposals of a village plan (F6) at once, all or nothing
(``/village-plans/<uid>/lines/batch/``, issue 17; split out of ``proposal_lines``): each item
names the version it read in ``version``; ``?dry_run=1`` asks ``proposal_lines_check``, the
same checks as the write without writing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.batch import VALUES_HELP, LineBatchItem
from kehoach.api.serializers.line_input import (
    ProposalLineInput,
    catalog_entries,
    line_data,
)
from kehoach.api.writes import (
    DRY_RUN,
    is_dry_run,
)
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.models import ProposalLine
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.lines import (
    LineChange,
)

from .common import bilingual, uid_param
from .proposal_lines import _apply

BATCH_MAX = 1000
"""The most changes one batch may carry (a plan has a few dozen lines; a workbook's import is
the way for more)."""


class ProposalLineBatchItem(LineBatchItem):
    values = ProposalLineInput(required=False, help_text=VALUES_HELP)


class ProposalLineBatchInput(serializers.Serializer[Any]):
    changes = ProposalLineBatchItem(many=True, allow_empty=False, max_length=BATCH_MAX)


BATCH_OUTPUT = inline_serializer(
    "ProposalLineBatchOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "lines": inline_serializer(
            "ProposalLineWritten",
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


class ProposalLineBatch(generics.GenericAPIView[ProposalLine]):
    serializer_class = ProposalLineBatchInput

    @extend_schema(
        operation_id="village_plans_lines_batch",
        summary=bilingual("Nhiều thay đổi cùng lúc", "Many changes at once"),
        description=bilingual(
            "Thêm, sửa, xóa và khôi phục nhiều dòng trong một yêu cầu: tất cả hoặc không gì "
            f"(tối đa {BATCH_MAX} thay đổi). Mỗi lỗi nêu vị trí của thay đổi trong lô "
            "(where.line, từ 1) và cột.",
            "Add, change, delete and restore many lines in one request: all or nothing "
            f"(at most {BATCH_MAX} changes). Each problem names the change's position in the "
            "batch (where.line, from 1) and the column.",
        ),
        request=ProposalLineBatchInput,
        parameters=[DRY_RUN],
        responses={200: BATCH_OUTPUT},
        examples=[
            OpenApiExample(
                "Sửa một dòng, xóa một dòng — change one line, delete another",
                value={
                    "changes": [
                        {
                            "op": "change",
                            "uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                            "version": 3,
                            "values": {"priority": 2},
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
        plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        given = ProposalLineBatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["changes"]
        codes = catalog_entries([item.get("values", {}) for item in items])
        uids = {item["uid"] for item in items if "uid" in item}
        named = (
            {
                line.uid: line
                for line in ProposalLine.objects.filter(plan=plan, uid__in=uids).only(
                    "pk", "uid", "number", "plan_id"
                )
            }
            if uids
            else {}
        )
        changes: list[LineChange] = []
        missing: list[ApplicationError] = []
        for index, item in enumerate(items, start=1):
            where = Where(row=index)
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
            changes.append(
                LineChange(
                    data=line_data(item.get("values", {}), codes),
                    line=line,
                    version=item.get("version"),
                    delete=item["op"] == "remove",
                    restore=item["op"] == "restore",
                    where=where,
                    batch_item=True,
                )
            )
        if missing:
            raise ApplicationErrors(missing)
        done = _apply(request, plan, changes)
        if is_dry_run(request):
            return Response({"dry_run": True, "counts": done, "lines": []})
        written = [
            *((line, "add") for line in done.added),
            *((line, "change") for line in done.changed),
            *((line, "remove") for line in done.deleted),
            *((line, "restore") for line in done.restored),
        ]
        return Response(
            {
                "dry_run": False,
                "counts": done.counts(),
                "lines": [
                    {"uid": line.uid, "number": line.number, "version": line.version, "op": op}
                    for line, op in written
                ],
            }
        )
