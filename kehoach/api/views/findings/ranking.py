"""The ranking matrix of a village plan (F5) through the API: ``/village-plans/<uid>/ranking/``
reads the table as the page shows it, ``…/ranking/batch/`` adds, changes and removes rows all
or nothing (``ranking_items_apply``: each row changed or removed names the version read, which
the service checks under its lock), ``…/ranking/actions/apply-priorities/`` turns the ranking
into proposal priorities (``ranking_apply_priorities``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.findings import (
    CriterionOutput,
    RankingItemValues,
    RankingOutput,
    ranking_row_shown,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.plans.models import RankingItem, VillagePlan
from kehoach.plans.services.findings import (
    SCORE_MAX,
    SCORE_MIN,
    RankingChanges,
    RankingItemChange,
    ranking_apply_priorities,
    ranking_criteria,
    ranking_items_apply,
    ranking_items_check,
    ranking_priorities_check,
    ranking_table,
    ranking_version,
)

from ..common import bilingual
from .common import line_keys, line_ref, plan_of, service

BATCH_MAX = 500
"""The most changes one ranking batch may carry (a matrix has a few dozen rows)."""

# --- F5: ranking matrix -------------------------------------------------------------------------


def _ranking_shown(plan: VillagePlan) -> dict[str, Any]:
    english = {c.code: c.name for c in ranking_criteria(plan, "en")}
    return {
        "criteria": [
            CriterionOutput(
                {"code": c.code, "name": c.name, "name_en": english[c.code], "weight": c.weight}
            ).data
            for c in ranking_criteria(plan, "vi")
        ],
        "rows": [ranking_row_shown(row) for row in ranking_table(plan, "vi")],
        "score_min": SCORE_MIN,
        "score_max": SCORE_MAX,
    }


RANKING_EXAMPLE = {
    "criteria": [
        {"code": "need", "name": "Mức độ cần thiết", "name_en": "Need", "weight": "2"},
        {"code": "reach", "name": "Số hộ hưởng lợi", "name_en": "Reach", "weight": "1"},
    ],
    "rows": [
        {
            "uid": "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e",
            "label": "Bê tông hóa đường xóm Trên",
            "line": {
                "uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                "number": 1,
                "activity": "Bê tông hóa đường xóm Trên",
            },
            "scores": {"need": 5, "reach": 4},
            "total": "14",
            "rank": 1,
            "missing": 0,
            "version": 4,
            "updated_at": "2026-08-12T10:00:00+07:00",
        }
    ],
    "score_min": SCORE_MIN,
    "score_max": SCORE_MAX,
}


class RankingView(generics.GenericAPIView[RankingItem]):
    serializer_class = RankingOutput

    @extend_schema(
        operation_id="village_plans_ranking_retrieve",
        summary=bilingual("Ma trận xếp hạng (F5)", "Ranking matrix (F5)"),
        description=bilingual(
            "Bảng như trên trang: các tiêu chí của quy trình với trọng số, mỗi dòng với điểm "
            "theo tiêu chí, tổng điểm (Σ trọng số × điểm, tính ra, không lưu) và hạng (bằng "
            "điểm thì cùng hạng), theo hạng; dòng chưa chấm ở cuối. Không phân trang: hạng tính "
            "trên cả bảng.",
            "The table as the page shows it: the process's criteria with their weights, each "
            "row with its scores by criterion, its total (Σ weight × score, computed, never "
            "stored) and its rank (equal totals share one), by rank; unscored rows last. Not "
            "paginated: ranks are computed over the whole table.",
        ),
        responses={200: RankingOutput},
        examples=[OpenApiExample("Hai tiêu chí — two criteria", value=RANKING_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, kwargs)
        return Response(_ranking_shown(plan), headers={"ETag": etag(ranking_version(plan))})


OPERATIONS = ("add", "change", "remove")


@extend_schema_field({"type": "string", "enum": list(OPERATIONS)})
class _RankingOp(serializers.ChoiceField):
    """The operation of a batch item: an enumeration of its own in the schema (the lines'
    batches have four operations under the same field name)."""


class RankingBatchItem(serializers.Serializer[Any]):
    op = _RankingOp(
        choices=OPERATIONS,
        help_text="add: thêm; change: sửa; remove: xóa — add, change or remove a row",
    )
    uid = serializers.UUIDField(
        required=False, help_text="Mã dòng (trừ add) — the row's UUID (not for add)"
    )
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Phiên bản đã đọc (bắt buộc với change, remove) — the version you read "
        "(required for change and remove)",
    )
    values = RankingItemValues(
        required=False, help_text="Giá trị của dòng, thay toàn bộ — the row's values, all replaced"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        op = attrs["op"]
        if op != "add" and "uid" not in attrs:
            raise ValidationError({"uid": _("Name the row (its uid) to change or remove.")})
        if op != "add" and "version" not in attrs:
            raise ValidationError({"version": _("Send the version of the row you read.")})
        if op != "remove" and "values" not in attrs:
            raise ValidationError({"values": _("Send the values of the row.")})
        return attrs


class RankingBatchInput(serializers.Serializer[Any]):
    changes = RankingBatchItem(many=True, allow_empty=False, max_length=BATCH_MAX)


RANKING_BATCH_OUTPUT = inline_serializer(
    "RankingBatchOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số dòng thêm, sửa, xóa — rows added, changed, removed",
        ),
        "rows": inline_serializer(
            "RankingRowWritten",
            {
                "uid": serializers.UUIDField(),
                "version": serializers.IntegerField(),
                "op": serializers.CharField(),
            },
            many=True,
        ),
    },
)


def _row_data(values: dict[str, Any], keys: dict[str, int]) -> dict[str, Any]:
    return {
        "label": values.get("label") or "",
        "line": line_ref(keys, values.get("line_uid")),
        "scores": values.get("scores") or {},
    }


class RankingBatch(generics.GenericAPIView[RankingItem]):
    serializer_class = RankingBatchInput

    @extend_schema(
        operation_id="village_plans_ranking_batch",
        summary=bilingual("Sửa ma trận xếp hạng", "Change the ranking matrix"),
        description=bilingual(
            "Thêm, sửa và xóa các dòng của ma trận trong một yêu cầu: tất cả hoặc không gì "
            f"(tối đa {BATCH_MAX} thay đổi). Điểm là số nguyên từ {SCORE_MIN} đến {SCORE_MAX} "
            "theo mã tiêu chí (trống khi chưa chấm); đề xuất liên kết phải là của kế hoạch này. "
            "Mỗi lỗi nêu vị trí của thay đổi trong lô (where.line, từ 1); phiên bản cũ: 412.",
            "Add, change and remove rows of the matrix in one request: all or nothing (at "
            f"most {BATCH_MAX} changes). Scores are whole numbers from {SCORE_MIN} to "
            f"{SCORE_MAX} by criterion code (null while not scored); a linked proposal must be "
            "this plan's. Each problem names the change's position in the batch (where.line, "
            "from 1); an older version: 412.",
        ),
        request=RankingBatchInput,
        parameters=[DRY_RUN],
        responses={200: RANKING_BATCH_OUTPUT},
        examples=[
            OpenApiExample(
                "Thêm một dòng, xóa một dòng — add one row, remove another",
                value={
                    "changes": [
                        {
                            "op": "add",
                            "values": {
                                "label": "Bê tông hóa đường xóm Trên",
                                "line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                                "scores": {"need": 5, "reach": 4},
                            },
                        },
                        {
                            "op": "remove",
                            "uid": "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e",
                            "version": 4,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        given = RankingBatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["changes"]
        uids = {item["uid"] for item in items if "uid" in item}
        named = {i.uid: i for i in RankingItem.objects.filter(plan=plan, uid__in=uids)}
        keys = line_keys(plan, (item.get("values", {}).get("line_uid") for item in items))
        changes = RankingChanges(positions=[])
        add_positions: list[int] = []
        change_positions: list[int] = []
        removal_positions: list[int] = []
        removal_versions: list[int | None] = []
        refused: list[ApplicationError] = []
        for index, item in enumerate(items, start=1):
            if item["op"] == "add":
                changes.adds.append(_row_data(item["values"], keys))
                add_positions.append(index)
                continue
            row = named.get(item["uid"])
            if row is None:
                refused.append(
                    ApplicationError(
                        "row_unknown",
                        str(_("No ranking row of this plan has this uid.")),
                        Where(field="uid", row=index),
                    )
                )
                continue
            if item["op"] == "remove":
                changes.removals.append(row)
                removal_versions.append(item["version"])
                removal_positions.append(index)
            else:
                data = _row_data(item["values"], keys)
                changes.changes.append(RankingItemChange(row, data, version=item["version"]))
                change_positions.append(index)
        if refused:
            raise ApplicationErrors(refused)
        changes.removal_versions = removal_versions
        changes.positions = add_positions + change_positions + removal_positions
        arguments = {"actor": request.user, "plan": plan, "changes": changes}
        if is_dry_run(request):
            counts = service(ranking_items_check, **arguments)
            return Response({"dry_run": True, "counts": counts, "rows": []})
        done = service(ranking_items_apply, **arguments)
        written = [
            *((row, "add") for row in done.added),
            *((row, "change") for row in done.changed),
        ]
        return Response(
            {
                "dry_run": False,
                "counts": {
                    "added": len(done.added),
                    "changed": len(done.changed),
                    "removed": done.removed,
                },
                "rows": [
                    {"uid": str(row.uid), "version": row.version, "op": op} for row, op in written
                ],
            }
        )


APPLY_OUTPUT = inline_serializer(
    "RankingPrioritiesApplied",
    {
        "dry_run": serializers.BooleanField(),
        "changed": serializers.IntegerField(
            help_text="Số đề xuất đổi thứ tự ưu tiên — proposals whose priority changes"
        ),
    },
)


class RankingApplyPriorities(generics.GenericAPIView[RankingItem]):
    serializer_class = RankingOutput

    @extend_schema(
        operation_id="village_plans_ranking_apply_priorities",
        summary=bilingual(
            "Đặt thứ tự ưu tiên của đề xuất theo xếp hạng", "Set proposal priorities from ranking"
        ),
        description=bilingual(
            "Như nút trên trang: trong mỗi lĩnh vực, các đề xuất được xếp hạng cao nhất nhận "
            "thứ tự ưu tiên theo quy trình (R2, R3); đề xuất không dòng nào liên kết thì giữ "
            "nguyên. If-Match là ETag của ma trận (GET …/ranking/): một dòng xếp hạng hay một "
            "đề xuất được lưu sau khi đọc (kể cả ưu tiên đặt tay) thì trả 412, không ghi gì; mỗi "
            "đề xuất đổi được tăng phiên bản.",
            "As the page's button: within each sector the best-ranked proposals get the "
            "process's priorities (R2, R3); proposals no row links to are left alone. If-Match "
            "is the matrix's ETag (GET …/ranking/): a ranking row or a proposal saved since it "
            "was read (a priority set by hand included) answers 412 and nothing is written; "
            "each proposal changed gets a new version.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: APPLY_OUTPUT},
        examples=[
            OpenApiExample("Hai đề xuất — two proposals", value={"dry_run": False, "changed": 2})
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, kwargs)
        expected = require_version(request, ranking_version(plan), lambda: _ranking_shown(plan))
        args_ = {"actor": request.user, "plan": plan, "expected_version": expected}
        if is_dry_run(request):
            changed = service(ranking_priorities_check, **args_)
            return Response({"dry_run": True, "changed": changed})
        changed = service(ranking_apply_priorities, **args_)
        return Response({"dry_run": False, "changed": changed})
