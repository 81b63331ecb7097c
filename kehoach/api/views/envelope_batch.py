"""Many changes of a round's resource envelope (F11) at once through the API, all or nothing
(``/rounds/<uid>/envelope/lines/batch/``): lines added, changed, deleted and restored by
``envelope_lines_apply`` as one list — the writer of the envelope page — or checked by
``envelope_lines_check`` on a dry run. The batch may name the envelope's version in
``If-Match`` (412 when anything of the envelope was saved since); each item names its line's
version in ``version``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.batch import VALUES_HELP, LineBatchItem
from kehoach.api.serializers.rounds import EnvelopeLineInput, envelope_line_data
from kehoach.api.writes import DRY_RUN, etag, is_dry_run
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.models import EnvelopeLine
from kehoach.synthesis.services.envelope import (
    ADD,
    CHANGE,
    REMOVE,
    RESTORE,
    EnvelopeChange,
    envelope_version,
)

from .common import bilingual
from .envelopes import (
    ENVELOPE_IF_MATCH,
    INPUT_EXAMPLE,
    LINE_EXAMPLE,
    envelope_apply,
    envelope_if_match,
    envelope_of,
)
from .rounds import round_for

BATCH_MAX = 200
"""The most changes one batch may carry (an envelope has a few dozen lines at most)."""
OPERATIONS = (ADD, CHANGE, REMOVE, RESTORE)


class BatchItem(LineBatchItem):
    values = EnvelopeLineInput(required=False, help_text=VALUES_HELP)


class BatchInput(serializers.Serializer[Any]):
    changes = BatchItem(many=True, allow_empty=False, max_length=BATCH_MAX)


BATCH_OUTPUT = inline_serializer(
    "EnvelopeLineBatchOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "envelope_version": serializers.IntegerField(allow_null=True),
        "lines": inline_serializer(
            "EnvelopeLineWritten",
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


def _batch_changes(round_: PlanningRound, items: list[dict[str, Any]]) -> list[EnvelopeChange]:
    uids = {item["uid"] for item in items if "uid" in item}
    named = (
        {
            line.uid: line
            for line in EnvelopeLine.objects.filter(
                envelope__round=round_, uid__in=uids
            ).select_related("source", "sector")
        }
        if uids
        else {}
    )
    changes: list[EnvelopeChange] = []
    missing: list[ApplicationError] = []
    for index, item in enumerate(items, start=1):
        line = named.get(item["uid"]) if "uid" in item else None
        if "uid" in item and line is None:
            missing.append(
                ApplicationError(
                    "line_unknown",
                    str(_("No line of this envelope has this uid.")),
                    Where(field="uid", row=index),
                )
            )
            continue
        try:
            data, villages = envelope_line_data(item.get("values", {}), round_, row=index)
        except ApplicationError as error:
            missing.append(error)
            continue
        if item["op"] == ADD:
            villages = villages or []
        changes.append(
            EnvelopeChange(
                item["op"],
                line=line,
                data=data,
                villages=villages,
                version=item.get("version"),
                position=index,
            )
        )
    if missing:
        raise ApplicationErrors(missing)
    return changes


class EnvelopeLineBatch(generics.GenericAPIView[EnvelopeLine]):
    serializer_class = BatchInput

    @extend_schema(
        operation_id="rounds_envelope_lines_batch",
        summary=bilingual("Nhiều thay đổi khung nguồn lực", "Many envelope changes at once"),
        description=bilingual(
            "Thêm, sửa, xóa và khôi phục nhiều dòng trong một yêu cầu: tất cả hoặc không gì "
            f"(tối đa {BATCH_MAX} thay đổi). Mỗi lỗi nêu vị trí của thay đổi trong lô "
            "(where.line, từ 1). If-Match (phiên bản khung) tùy chọn: có thì cả lô bị từ chối "
            "(412) khi khung đã được lưu sau lần bạn đọc.",
            "Add, change, delete and restore many lines in one request: all or nothing "
            f"(at most {BATCH_MAX} changes). Each problem names the change's position in the "
            "batch (where.line, from 1). If-Match (the envelope's version) is optional: given, "
            "the whole batch is refused (412) when the envelope was saved since you read it.",
        ),
        request=BatchInput,
        parameters=[ENVELOPE_IF_MATCH, DRY_RUN],
        responses={200: BATCH_OUTPUT},
        examples=[
            OpenApiExample(
                "Thêm một dòng, sửa một dòng — add one line, change another",
                value={
                    "changes": [
                        {"op": "add", "values": INPUT_EXAMPLE},
                        {
                            "op": "change",
                            "uid": LINE_EXAMPLE["uid"],
                            "version": 2,
                            "values": {"amount_mvnd": "1800"},
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        given = BatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        expected = envelope_if_match(request, round_)
        changes = _batch_changes(round_, given.validated_data["changes"])
        done = envelope_apply(request, round_, changes, expected)
        if is_dry_run(request):
            return Response(
                {"dry_run": True, "counts": done, "envelope_version": None, "lines": []}
            )
        counts = dict.fromkeys(OPERATIONS, 0)
        for change in changes:
            counts[change.kind] += 1
        version = envelope_version(envelope_of(round_))
        return Response(
            {
                "dry_run": False,
                "counts": counts,
                "envelope_version": version,
                "lines": [
                    {"uid": line.uid, "number": line.number, "version": line.version, "op": op}
                    for line, op in zip(done.lines, (c.kind for c in changes), strict=True)
                ],
            },
            headers={"ETag": etag(version)},
        )
