"""Merging, splitting, undoing, restoring and reviewing the lines of a commune plan (R12)
through the API (issue 17): the same services as the commune plan's page (``lines_merge``,
``line_split``, ``operation_undo``, ``commune_line_restore``, ``line_mark_reviewed``), so the
rules, the lines, their traces to the village lines and the history rows are the same.

Each answers the resulting lines (``sources``: the village lines each is made from). A merge
names the version of each line it merges in ``versions`` (uid → version, as a batch does); the
others name the line's version in ``If-Match``; 412 with the saved values when older. An
operation has no public id: ``…/lines/<line_uid>/undo/`` undoes the last merge into the line or
the last split of it. ``?dry_run=1`` asks the services' check functions (nothing written).

The versions are checked here first (a quick 412) and passed to the services, which check them
again on the rows they lock: a save landing between the two is refused too (412, ``current``).
A split's problems name the request's fields (``parts[0].activity``, from 0)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.problems import PreconditionFailed
from kehoach.api.serializers.synthesis import CommuneLineOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.models import CommuneLine, CommunePlan, SynthesisOperation
from kehoach.synthesis.services.lines import (
    CommuneLineChange,
    Part,
    commune_lines_apply,
    commune_lines_check,
    last_operation,
    line_split,
    line_split_check,
    lines_merge,
    lines_merge_check,
    operation_undo,
    operation_undo_check,
)
from kehoach.synthesis.services.scoring.stored import stored_ranks

from .common import bilingual, uid_param
from .commune_lines import _line, _lines, _plan, _shown

LINES_OUTPUT = inline_serializer(
    "CommuneLinesWritten",
    {
        "dry_run": serializers.BooleanField(),
        "lines": serializers.ListField(
            child=serializers.DictField(),
            help_text="Các dòng sau thao tác, mỗi dòng với các dòng thôn của nó (sources), như "
            "GET một dòng — the lines after the operation, each with its village lines "
            "(sources), as GET of a line",
        ),
    },
)


class MergeInput(serializers.Serializer[Any]):
    versions = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        allow_empty=False,
        help_text="Mã dòng → phiên bản đã đọc, cho mỗi dòng gộp (ít nhất hai) — line uid → the "
        "version you read, for each line to merge (two at least)",
    )
    activity = serializers.CharField(required=False, allow_blank=True, max_length=500)
    location = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PartInput(serializers.Serializer[Any]):
    activity = serializers.CharField(allow_blank=True, max_length=500)
    location = serializers.CharField(required=False, allow_blank=True, max_length=500)
    total_cost_mvnd = serializers.DecimalField(max_digits=18, decimal_places=3)


class SplitInput(serializers.Serializer[Any]):
    parts = PartInput(many=True, allow_empty=False, max_length=50)


def _answer(request: Request, plan: CommunePlan, pks: list[int]) -> Response:
    """The lines ``pks`` as saved now (by number), or the dry run's answer."""
    if is_dry_run(request):
        return Response({"dry_run": True, "lines": []})
    ranks = stored_ranks(plan)
    lines = _lines(plan).filter(pk__in=pks).order_by("number")
    shown = [dict(CommuneLineOutput(x, context={"ranks": ranks}).data) for x in lines]
    return Response({"dry_run": False, "lines": shown})


@contextmanager
def _service(
    current: Callable[[], Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> Iterator[None]:
    """Run a service (or its check): its stale error (code "conflict": saved by someone after
    the version given, seen under the service's lock) answered 412 with ``current()``, the
    values saved now; its other problems' fields named as the API names them (``names``)."""
    try:
        yield
    except ApplicationError as error:
        if error.code == "conflict":
            raise PreconditionFailed(current=current()) from error
        raise renamed(error, names or {}) from error


def _part_names(count: int) -> dict[str, str]:
    """The split form's field names (``activity_1``, ``cost_1``…) → the request's."""
    names: dict[str, str] = {}
    for index in range(count):
        names[f"activity_{index + 1}"] = f"parts[{index}].activity"
        names[f"location_{index + 1}"] = f"parts[{index}].location"
        names[f"cost_{index + 1}"] = f"parts[{index}].total_cost_mvnd"
    return names


def _current_line(plan: CommunePlan, line: CommuneLine) -> Callable[[], dict[str, Any]]:
    return lambda: _shown(plan, _line(plan, line.uid))


class _OneLine(generics.GenericAPIView[CommuneLine]):
    """A write on one line named in the address, its version in ``If-Match``."""

    serializer_class = serializers.Serializer

    def _checked(self, request: Request) -> tuple[CommunePlan, CommuneLine, int]:
        plan = _plan(request, self.kwargs)
        line = _line(plan, uid_param(self.kwargs, "line_uid"))
        version = require_version(request, line.version, lambda: _shown(plan, line))
        return plan, line, version

    def _change(self, request: Request, kind: Any) -> Response:
        plan, line, version = self._checked(request)
        change = CommuneLineChange(kind, line, version=version)
        if is_dry_run(request):
            commune_lines_check(actor=request.user, plan=plan, changes=[change])
        else:
            commune_lines_apply(actor=request.user, plan=plan, changes=[change])
        return _answer(request, plan, [line.pk])


def _key(versions: dict[str, int], line: CommuneLine) -> str:
    return next(key for key in versions if uuid.UUID(key) == line.uid)


class LineMerge(generics.GenericAPIView[CommuneLine]):
    serializer_class = MergeInput

    @extend_schema(
        operation_id="commune_plans_lines_merge",
        summary=bilingual("Gộp các dòng", "Merge lines"),
        description=bilingual(
            "Gộp cùng một việc do nhiều thôn đề xuất thành một dòng (R12), như nút «Gộp» trên "
            "trang kế hoạch xã: số tiền và số hộ cộng lại, nguồn là mọi dòng thôn của các dòng "
            "gộp. versions nêu phiên bản đã đọc của từng dòng (412 kèm các dòng hiện tại nếu "
            "cũ hơn). Trả lời dòng mới.",
            "Merge the same work proposed by several villages into one line (R12), as the "
            "commune plan page's 'Merge' button: amounts and households summed, its sources "
            "every village line of the merged lines. versions names the version you read of "
            "each line (412 with the current lines when older). Answers the new line.",
        ),
        request=MergeInput,
        parameters=[DRY_RUN],
        responses={200: LINES_OUTPUT},
        examples=[
            OpenApiExample(
                "Gộp hai dòng — merge two lines",
                value={
                    "versions": {
                        "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f": 3,
                        "2b7d1e40-8c3a-4f5b-9d6e-0a1b2c3d4e5f": 1,
                    },
                    "activity": "Bê tông hoá đường liên thôn",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        given = MergeInput(data=request.data)
        given.is_valid(raise_exception=True)
        versions: dict[str, int] = given.validated_data["versions"]
        try:
            uids = [uuid.UUID(key) for key in versions]
        except ValueError as exc:
            raise NotFoundError() from exc
        lines = list(_lines(plan).filter(uid__in=uids))
        if len(lines) != len(versions):
            raise NotFoundError()

        def current() -> dict[str, Any]:
            return {"lines": [_shown(plan, x) for x in _lines(plan).filter(uid__in=uids)]}

        if any(versions[_key(versions, x)] != x.version for x in lines):
            raise PreconditionFailed(current=current())
        args_ = {
            "actor": request.user,
            "plan": plan,
            "lines": lines,
            "expected_versions": {x.uid: versions[_key(versions, x)] for x in lines},
        }
        with _service(current):
            if is_dry_run(request):
                lines_merge_check(**args_)
                return _answer(request, plan, [])
            merged = lines_merge(
                **args_,
                activity=given.validated_data.get("activity", ""),
                location=given.validated_data.get("location", ""),
            )
        return _answer(request, plan, [merged.pk])


class LineSplit(_OneLine):
    serializer_class = SplitInput

    @extend_schema(
        operation_id="commune_plans_lines_split",
        summary=bilingual("Tách một dòng", "Split a line"),
        description=bilingual(
            "Tách dòng thành các phần (ví dụ theo giai đoạn), như biểu «Tách dòng» trên trang "
            "của dòng: chi phí các phần cộng lại bằng chi phí dòng, mọi số liệu chia theo tỷ "
            "lệ đó, mỗi phần mang phần của nó từ các dòng thôn. If-Match bắt buộc. Trả lời các "
            "phần.",
            "Split the line into parts (by phase, for instance), as the line page's 'Split' "
            "form: the parts' costs add up to the line's, every amount is apportioned the same "
            "way, each part carries its share of the village lines. If-Match is required. "
            "Answers the parts.",
        ),
        request=SplitInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: LINES_OUTPUT},
        examples=[
            OpenApiExample(
                "Hai giai đoạn — two phases",
                value={
                    "parts": [
                        {"activity": "Đường thôn — giai đoạn 1", "total_cost_mvnd": "300"},
                        {"activity": "Đường thôn — giai đoạn 2", "total_cost_mvnd": "200"},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line, version = self._checked(request)
        given = SplitInput(data=request.data)
        given.is_valid(raise_exception=True)
        parts = [
            Part(
                activity=p["activity"],
                location=p.get("location", ""),
                total_cost_mvnd=Decimal(p["total_cost_mvnd"]),
            )
            for p in given.validated_data["parts"]
        ]
        args_ = {"actor": request.user, "line": line, "parts": parts, "expected_version": version}
        with _service(_current_line(plan, line), _part_names(len(parts))):
            if is_dry_run(request):
                line_split_check(**args_)
                return _answer(request, plan, [])
            created = line_split(**args_)
        return _answer(request, plan, [x.pk for x in created])


class LineUndo(_OneLine):
    serializer_class = serializers.Serializer

    @extend_schema(
        operation_id="commune_plans_lines_undo",
        summary=bilingual("Hoàn tác gộp hay tách", "Undo a merge or a split"),
        description=bilingual(
            "Hoàn tác lần gộp vào dòng này hay lần tách dòng này gần nhất, như nút «Hoàn tác» "
            "trên trang kế hoạch xã: gộp — các dòng đã gộp trở lại với quyết định và cấp vốn "
            "cũ (nếu khung còn chỗ), dòng gộp bị bỏ; tách — các phần bị bỏ, dòng trở lại. "
            "If-Match là phiên bản của dòng này. Trả lời các dòng trở lại.",
            "Undo the last merge into this line or the last split of it, as the commune plan "
            "page's 'Undo' button: a merge — the merged lines come back with their decision "
            "and funding (if the envelope still has room), the merged line is removed; a split "
            "— the parts are removed, the line comes back. If-Match is this line's version. "
            "Answers the lines that come back.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: LINES_OUTPUT},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line, version = self._checked(request)
        operation = last_operation(line)
        if operation is None:
            raise ApplicationError(
                "undo_nothing", str(_("Nothing was merged into or split from this line."))
            )
        args_ = {"actor": request.user, "operation": operation, "expected_version": version}
        with _service(_current_line(plan, line)):
            if is_dry_run(request):
                operation_undo_check(**args_)
                return _answer(request, plan, [])
            back = [line.pk]
            if operation.kind == SynthesisOperation.Kind.MERGE:
                back = list(
                    CommuneLine.objects.filter(merged_into=line).values_list("pk", flat=True)
                )
            operation_undo(**args_)
        return _answer(request, plan, back)


def _line_change(
    kind: str, operation_id: str, summary: tuple[str, str], doc: tuple[str, str]
) -> Callable[..., Any]:
    @extend_schema(
        operation_id=operation_id,
        summary=bilingual(*summary),
        description=bilingual(*doc),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: LINES_OUTPUT},
    )
    def post(self: _OneLine, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._change(request, kind)

    return post


class LineRestore(_OneLine):
    post = _line_change(
        "restore",
        "commune_plans_lines_restore",
        ("Khôi phục một dòng đã bỏ", "Restore a removed line"),
        (
            "Đưa dòng do xã đề xuất đã bỏ trở lại kế hoạch, như nút «Khôi phục» trên trang. "
            "If-Match bắt buộc. Trả lời dòng.",
            "Bring a removed line the commune proposed back into the plan, as the page's "
            "'Restore' button. If-Match is required. Answers the line.",
        ),
    )


class LineReviewed(_OneLine):
    post = _line_change(
        "reviewed",
        "commune_plans_lines_reviewed",
        ("Đánh dấu đã xem", "Mark a line reviewed"),
        (
            "Đánh dấu đã xem thay đổi của dòng (ví dụ thôn đã sửa dòng nguồn), như nút «Đã "
            "xem» trên trang của dòng. If-Match bắt buộc. Trả lời dòng.",
            "Mark the line's change as reviewed (a village changed a source line, for "
            "instance), as the line page's 'Reviewed' button. If-Match is required. Answers "
            "the line.",
        ),
    )
