"""A village plan's findings through the API (issue 17): the SWOT by sector (F3,
``/village-plans/<uid>/swot/`` and ``…/swot/<sector_code>/``: one entry per sector, the sector's
code is its key), the problems with their solutions (F4, ``…/problems/`` and
``…/problems/<problem_uid>/``) and the ranking matrix (F5, ``…/ranking/``, ``…/ranking/batch/``,
``…/ranking/actions/apply-priorities/``).

Every read is the findings page's selector (``swot_entries``, ``problems_of``,
``ranking_table``), every write the page's service (``swot_save``/``swot_delete``,
``problem_create/update/delete``, ``ranking_items_apply``, ``ranking_apply_priorities``), so the
rules and the history rows are the same; ``?dry_run=1`` asks the services' ``*_check``
functions, the same checks without writing or locking. These records have no version column:
their ETag is ``updated_at`` in microseconds (``serializers.findings.version_of``); ``If-Match``
is checked against it before the service runs (the services themselves keep "the last save
wins", as the pages do)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.findings import (
    CriterionOutput,
    ProblemInput,
    ProblemOutput,
    RankingItemValues,
    RankingOutput,
    SwotInput,
    SwotOutput,
    ranking_row_shown,
    version_of,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.catalog.models import Sector
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.plans.models import Problem, ProposalLine, RankingItem, SwotEntry, VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.common import check_version
from kehoach.plans.services.findings import (
    SCORE_MAX,
    SCORE_MIN,
    SWOT_TEXT_FIELDS,
    RankingChanges,
    RankingItemChange,
    problem_check,
    problem_create,
    problem_delete,
    problem_delete_check,
    problem_update,
    problems_of,
    ranking_apply_priorities,
    ranking_criteria,
    ranking_items_apply,
    ranking_items_check,
    ranking_priorities_check,
    ranking_table,
    swot_check,
    swot_delete,
    swot_delete_check,
    swot_entries,
    swot_save,
)

from .common import CursorPage, bilingual, uid_param

FIELD_NAMES = {"sector": "sector_code", "line": "line_uid"}
"""The services' field names → the API's (for the problems' ``where.field``)."""

BATCH_MAX = 500
"""The most changes one ranking batch may carry (a matrix has a few dozen rows)."""

DRY_RUN_ANSWER = inline_serializer(
    "FindingDryRun",
    {
        "dry_run": serializers.BooleanField(),
        "would_save": serializers.BooleanField(
            help_text="Mọi kiểm tra đều đạt — every check passed"
        ),
    },
)

SWOT_EXAMPLE = {
    "sector_code": "HT-GT",
    "strengths": "Nhân dân đồng thuận góp công",
    "weaknesses": "Đường xóm Trên lầy lội mùa mưa",
    "opportunities": "Chương trình MTQG hỗ trợ bê tông hóa",
    "threats": "Lũ cuốn trôi nền đường",
    "implication": "Ưu tiên đường xóm Trên",
    "version": 1786500000000000,
    "updated_at": "2026-08-12T10:00:00+07:00",
}
PROBLEM_EXAMPLE = {
    "uid": "5b1e2c3d-4f50-4a6b-8c7d-9e0f1a2b3c4d",
    "sector_code": "HT-GT",
    "problem": "Đường xóm Trên lầy lội mùa mưa",
    "affected_households": 40,
    "affected_poor": 6,
    "affected_women": 75,
    "affected_em": 0,
    "causes": "Nền đất yếu\nKhông có rãnh thoát nước",
    "priority": 1,
    "solutions": [
        {
            "position": 1,
            "text": "Bê tông hóa đường xóm Trên",
            "lines": [
                {
                    "uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
                    "number": 1,
                    "activity": "Bê tông hóa đường xóm Trên",
                }
            ],
        }
    ],
    "version": 1786500000000000,
    "updated_at": "2026-08-12T10:00:00+07:00",
}


def _plan(request: Request, kwargs: dict[str, Any]) -> VillagePlan:
    return plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _dry_run() -> Response:
    return Response({"dry_run": True, "would_save": True})


def _service(call: Any, **arguments: Any) -> Any:
    """Call a service (or its check); its problems named as the API names the fields."""
    try:
        return call(**arguments)
    except ApplicationError as error:
        raise renamed(error, FIELD_NAMES) from error


def _line_keys(plan: VillagePlan, uids: Iterable[Any]) -> dict[str, int]:
    """The primary keys of the proposals named by UUID, in one query. A UUID of no proposal
    stays a UUID, which the service refuses in its own words (not one of the plan's)."""
    wanted = {str(uid) for uid in uids if uid is not None}
    if not wanted:
        return {}
    rows = ProposalLine.objects.filter(uid__in=wanted).values_list("uid", "pk")
    return {str(uid): pk for uid, pk in rows}


def _line(keys: dict[str, int], uid: Any) -> Any:
    return None if uid is None else keys.get(str(uid), str(uid))


# --- F3: SWOT by sector ------------------------------------------------------------------------


class SwotList(generics.ListAPIView[SwotEntry]):
    serializer_class = SwotOutput
    pagination_class = CursorPage
    cursor_ordering = ("sector_order", "sector__code")

    def get_queryset(self) -> QuerySet[SwotEntry]:
        plan = _plan(self.request, self.kwargs)
        return swot_entries(plan).annotate(sector_order=F("sector__sort_order"))

    @extend_schema(
        operation_id="village_plans_swot_list",
        summary=bilingual("Phân tích SWOT theo lĩnh vực (F3)", "SWOT analysis by sector (F3)"),
        description=bilingual(
            "Điểm mạnh, điểm yếu, cơ hội, thách thức của từng lĩnh vực, theo thứ tự lĩnh vực "
            "của danh mục; mỗi lĩnh vực một mục, mã lĩnh vực là khóa của nó.",
            "Strengths, weaknesses, opportunities and threats of each sector, in the "
            "catalogue's sector order; one entry per sector, the sector code is its key.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[OpenApiExample("Giao thông — transport", value=SWOT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def _swot_shown(entry: SwotEntry) -> dict[str, Any]:
    return dict(SwotOutput(entry).data)


class SwotDetail(generics.GenericAPIView[SwotEntry]):
    serializer_class = SwotOutput

    def _parts(self) -> tuple[VillagePlan, Sector, SwotEntry | None]:
        plan = _plan(self.request, self.kwargs)
        sector = Sector.objects.filter(code=str(self.kwargs.get("sector_code", ""))).first()
        if sector is None:
            raise NotFoundError()
        return plan, sector, swot_entries(plan).filter(sector=sector).first()

    @extend_schema(
        operation_id="village_plans_swot_retrieve",
        summary=bilingual("SWOT của một lĩnh vực", "One sector's SWOT"),
        description=bilingual(
            "Mục SWOT của lĩnh vực, ETag là phiên bản của nó (404 khi chưa có).",
            "The sector's SWOT entry with its version as ETag (404 while there is none).",
        ),
        responses={200: SwotOutput},
        examples=[OpenApiExample("Giao thông — transport", value=SWOT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, _sector, entry = self._parts()
        if entry is None:
            raise NotFoundError()
        return Response(_swot_shown(entry), headers={"ETag": etag(version_of(entry))})

    @extend_schema(
        operation_id="village_plans_swot_update",
        summary=bilingual("Lưu SWOT của một lĩnh vực", "Save one sector's SWOT"),
        description=bilingual(
            "Tạo hoặc thay cả mục SWOT của lĩnh vực (lĩnh vực đang dùng) như biểu trên trang: "
            "nội dung bỏ qua thì để trống; phải có ít nhất một điểm mạnh, điểm yếu, cơ hội hoặc "
            'thách thức. Chỉ khi kế hoạch còn là bản nháp. If-Match bắt buộc ("0" khi chưa có '
            "mục). Trả lời 201 khi tạo mới, 200 khi thay.",
            "Create or replace the sector's whole SWOT entry (a sector in use) as the page's "
            "form does: a text left out is empty; at least one strength, weakness, opportunity "
            'or threat. Only while the plan is a draft. If-Match is required ("0" while there '
            "is no entry). Answers 201 when created, 200 when replaced.",
        ),
        request=SwotInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SwotOutput, 201: SwotOutput},
        examples=[
            OpenApiExample(
                "Giao thông — transport",
                value={k: v for k, v in SWOT_EXAMPLE.items() if k in SWOT_TEXT_FIELDS},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, sector, entry = self._parts()
        version = version_of(entry) if entry is not None else 0
        require_version(request, version, lambda: _swot_shown(entry) if entry else {})
        given = SwotInput(data=request.data)
        given.is_valid(raise_exception=True)
        texts = {name: given.validated_data.get(name) or "" for name in SWOT_TEXT_FIELDS}
        arguments = {"actor": request.user, "plan": plan, "sector": sector, **texts}
        if is_dry_run(request):
            _service(swot_check, **arguments)
            return _dry_run()
        saved = _service(swot_save, **arguments)
        saved = swot_entries(plan).get(pk=saved.pk)
        return Response(
            _swot_shown(saved),
            status=status.HTTP_201_CREATED if entry is None else status.HTTP_200_OK,
            headers={"ETag": etag(version_of(saved))},
        )

    @extend_schema(
        operation_id="village_plans_swot_destroy",
        summary=bilingual("Xóa SWOT của một lĩnh vực", "Delete one sector's SWOT"),
        description=bilingual(
            "Xóa mục SWOT của lĩnh vực như nút Xóa trên trang. If-Match bắt buộc.",
            "Delete the sector's SWOT entry as the page's Delete button does. If-Match is "
            "required.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={204: None, 200: DRY_RUN_ANSWER},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, _sector, entry = self._parts()
        if entry is None:
            raise NotFoundError()
        require_version(request, version_of(entry), lambda: _swot_shown(entry))
        if is_dry_run(request):
            _service(swot_delete_check, actor=request.user, entry=entry)
            return _dry_run()
        _service(swot_delete, actor=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- F4: problems ------------------------------------------------------------------------------


def _problem_data(plan: VillagePlan, request: Request, *, partial: bool) -> dict[str, Any]:
    """The service's ``data`` from the body: the sector by code (a code of no sector stays a
    text, which the validator refuses), each solution's proposals by UUID."""
    given = ProblemInput(data=request.data, partial=partial)
    given.is_valid(raise_exception=True)
    values = dict(given.validated_data)
    data: dict[str, Any] = {}
    if "sector_code" in values:
        code = values.pop("sector_code")
        data["sector"] = Sector.objects.filter(code=code).first() if code else None
        data["sector"] = data["sector"] or code
    elif not partial:
        data["sector"] = None
    if "solutions" in values:
        solutions = values.pop("solutions")
        keys = _line_keys(plan, (uid for s in solutions for uid in s.get("lines") or []))
        data["solutions"] = [
            {"text": s["text"], "lines": [_line(keys, uid) for uid in s.get("lines") or []]}
            for s in solutions
        ]
    data.update(values)
    return data


def _problem(plan: VillagePlan, uid: Any) -> Problem:
    problem = problems_of(plan).filter(uid=uid).first()
    if problem is None:
        raise NotFoundError()
    return problem


def _problem_shown(problem: Problem) -> dict[str, Any]:
    return dict(ProblemOutput(problem).data)


def _problem_written(plan: VillagePlan, pk: int, code: int = status.HTTP_200_OK) -> Response:
    problem = problems_of(plan).get(pk=pk)
    return Response(
        _problem_shown(problem), status=code, headers={"ETag": etag(version_of(problem))}
    )


class ProblemList(generics.ListAPIView[Problem]):
    serializer_class = ProblemOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at",)

    def get_queryset(self) -> QuerySet[Problem]:
        return problems_of(_plan(self.request, self.kwargs))

    @extend_schema(
        operation_id="village_plans_problems_list",
        summary=bilingual("Vấn đề của thôn (F4)", "Problems of the village (F4)"),
        description=bilingual(
            "Các vấn đề theo thứ tự nhập (thứ tự ưu tiên là một cột), mỗi vấn đề với số hộ, "
            "phụ nữ, hộ nghèo, hộ dân tộc thiểu số bị ảnh hưởng, nguyên nhân và các giải pháp, "
            "mỗi giải pháp với các đề xuất (F6) nó sinh ra.",
            "The problems in the order they were entered (the priority is a column), each with "
            "the households, women, poor and ethnic-minority households affected, the causes "
            "and the solutions, each solution with the proposals (F6) it produced.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[OpenApiExample("Đường lầy lội — muddy road", value=PROBLEM_EXAMPLE)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="village_plans_problems_create",
        summary=bilingual("Thêm một vấn đề", "Add a problem"),
        description=bilingual(
            "Thêm một vấn đề với nguyên nhân và giải pháp, kiểm tra theo đúng các quy tắc của "
            "biểu F4 như trên trang (lĩnh vực đang dùng; hộ nghèo, hộ dân tộc thiểu số không "
            "quá số hộ bị ảnh hưởng; thứ tự ưu tiên từ 1 đến số vấn đề; đề xuất phải là của kế "
            "hoạch này). Chỉ khi kế hoạch còn là bản nháp.",
            "Add a problem with its causes and solutions, checked by the same rules as the F4 "
            "form on the pages (a sector in use; poor and ethnic-minority households at most "
            "the households affected; priority from 1 to the number of problems; proposals of "
            "this plan only). Only while the plan is a draft.",
        ),
        request=ProblemInput,
        parameters=[DRY_RUN],
        responses={201: ProblemOutput, 200: DRY_RUN_ANSWER},
        examples=[
            OpenApiExample(
                "Đường lầy lội — muddy road",
                value={
                    "sector_code": "HT-GT",
                    "problem": "Đường xóm Trên lầy lội mùa mưa",
                    "affected_households": 40,
                    "affected_poor": 6,
                    "causes": "Nền đất yếu\nKhông có rãnh thoát nước",
                    "solutions": [{"text": "Bê tông hóa đường xóm Trên", "lines": []}],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        data = _problem_data(plan, request, partial=False)
        if is_dry_run(request):
            _service(problem_check, actor=request.user, plan=plan, data=data)
            return _dry_run()
        created = _service(problem_create, actor=request.user, plan=plan, data=data)
        answer = _problem_written(plan, created.pk, status.HTTP_201_CREATED)
        answer["Location"] = request.build_absolute_uri(
            f"/api/v1/village-plans/{plan.uid}/problems/{created.uid}/"
        )
        return answer


class ProblemDetail(generics.GenericAPIView[Problem]):
    serializer_class = ProblemOutput

    def _parts(self) -> tuple[VillagePlan, Problem]:
        plan = _plan(self.request, self.kwargs)
        return plan, _problem(plan, uid_param(self.kwargs, "problem_uid"))

    @extend_schema(
        operation_id="village_plans_problems_retrieve",
        summary=bilingual("Một vấn đề", "One problem"),
        description=bilingual(
            "Vấn đề với ETag là phiên bản của nó (gửi lại trong If-Match khi sửa hay xóa).",
            "The problem with its version as ETag (send it back in If-Match to change or "
            "delete it).",
        ),
        responses={200: ProblemOutput},
        examples=[OpenApiExample("Đường lầy lội — muddy road", value=PROBLEM_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, problem = self._parts()
        return Response(_problem_shown(problem), headers={"ETag": etag(version_of(problem))})

    @extend_schema(
        operation_id="village_plans_problems_partial_update",
        summary=bilingual("Sửa một vấn đề", "Change a problem"),
        description=bilingual(
            "Chỉ gửi các cột thay đổi (solutions, nếu gửi, thay toàn bộ giải pháp); vấn đề được "
            "kiểm tra lại toàn bộ theo các quy tắc của biểu F4. If-Match bắt buộc: cũ hơn phiên "
            "bản đã lưu thì 412 kèm giá trị hiện tại, không ghi gì.",
            "Send only what changes (solutions, when sent, replaces them all); the whole "
            "problem is checked again by the F4 rules. If-Match is required: older than the "
            "saved version, 412 with the current values and nothing written.",
        ),
        request=ProblemInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: ProblemOutput},
        examples=[
            OpenApiExample(
                "Đổi thứ tự ưu tiên — change the priority", value={"priority": 2}, request_only=True
            )
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, problem = self._parts()
        require_version(request, version_of(problem), lambda: _problem_shown(problem))
        data = _problem_data(plan, request, partial=True)
        arguments = {"actor": request.user, "data": data}
        if is_dry_run(request):
            _service(problem_check, plan=plan, problem=problem, **arguments)
            return _dry_run()
        _service(problem_update, problem=problem, **arguments)
        return _problem_written(plan, problem.pk)

    @extend_schema(
        operation_id="village_plans_problems_destroy",
        summary=bilingual("Xóa một vấn đề", "Delete a problem"),
        description=bilingual(
            "Xóa vấn đề cùng các giải pháp của nó (các đề xuất vẫn còn), như nút Xóa trên "
            "trang. If-Match bắt buộc.",
            "Delete the problem with its solutions (the proposals stay), as the page's Delete "
            "button does. If-Match is required.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={204: None, 200: DRY_RUN_ANSWER},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, problem = self._parts()
        require_version(request, version_of(problem), lambda: _problem_shown(problem))
        if is_dry_run(request):
            _service(problem_delete_check, actor=request.user, problem=problem)
            return _dry_run()
        _service(problem_delete, actor=request.user, problem=problem)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
            "version": 1786500000000000,
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
        return Response(_ranking_shown(_plan(request, kwargs)))


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
        "line": _line(keys, values.get("line_uid")),
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
                            "version": 1786500000000000,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        given = RankingBatchInput(data=request.data)
        given.is_valid(raise_exception=True)
        items = given.validated_data["changes"]
        uids = {item["uid"] for item in items if "uid" in item}
        named = {i.uid: i for i in RankingItem.objects.filter(plan=plan, uid__in=uids)}
        keys = _line_keys(plan, (item.get("values", {}).get("line_uid") for item in items))
        changes = RankingChanges(positions=[])
        add_positions: list[int] = []
        change_positions: list[int] = []
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
            try:
                check_version(version_of(row), item["version"], what=f"“{row.label}”")
            except ApplicationError as error:
                refused.append(ApplicationError(error.code, error.message, Where(row=index)))
                continue
            if item["op"] == "remove":
                changes.removals.append(row)
            else:
                changes.changes.append(RankingItemChange(row, _row_data(item["values"], keys)))
                change_positions.append(index)
        if refused:
            raise ApplicationErrors(refused)
        changes.positions = add_positions + change_positions
        arguments = {"actor": request.user, "plan": plan, "changes": changes}
        if is_dry_run(request):
            counts = _service(ranking_items_check, **arguments)
            return Response({"dry_run": True, "counts": counts, "rows": []})
        done = _service(ranking_items_apply, **arguments)
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
                    {"uid": str(row.uid), "version": version_of(row), "op": op}
                    for row, op in written
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
            "nguyên. Kết quả chỉ phụ thuộc ma trận hiện tại (làm lại không đổi gì), nên không "
            "cần If-Match; mỗi đề xuất đổi được tăng phiên bản.",
            "As the page's button: within each sector the best-ranked proposals get the "
            "process's priorities (R2, R3); proposals no row links to are left alone. The "
            "result depends only on the current matrix (doing it again changes nothing), so no "
            "If-Match is needed; each proposal changed gets a new version.",
        ),
        request=None,
        parameters=[DRY_RUN],
        responses={200: APPLY_OUTPUT},
        examples=[
            OpenApiExample("Hai đề xuất — two proposals", value={"dry_run": False, "changed": 2})
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, kwargs)
        if is_dry_run(request):
            changed = _service(ranking_priorities_check, actor=request.user, plan=plan)
            return Response({"dry_run": True, "changed": changed})
        changed = _service(ranking_apply_priorities, actor=request.user, plan=plan)
        return Response({"dry_run": False, "changed": changed})
