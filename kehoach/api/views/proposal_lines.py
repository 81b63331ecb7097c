"""Proposals of a village plan (F6) through the API (issue 17): list and add
(``/village-plans/<uid>/lines/``), read, change and delete one (``…/lines/<line_uid>/``), and
many changes at once, all or nothing (``…/lines/batch/``, in ``proposal_line_batch``).

Every write is ``plans.services.lines.proposal_lines_apply`` — the writer of the pages and the
workbooks — so the rules, the versions and the history rows are the same; ``?dry_run=1`` asks
``proposal_lines_check``, the same checks without writing. A change or a delete names the
version it read in ``If-Match`` (412 with the saved values when it is older); an item of a
batch names it in ``version``."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.line_input import (
    FIELD_NAMES,
    ProposalLineInput,
    catalog_entries,
    line_data,
)
from kehoach.api.serializers.line_rows import shown_rows
from kehoach.api.serializers.plans import ProposalLineOutput
from kehoach.api.writes import (
    DRY_RUN,
    IF_MATCH,
    etag,
    is_dry_run,
    renamed,
    require_version,
)
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.lines import (
    LineChange,
    lines_apply,
    proposal_lines_check,
)

from .common import CursorPage, bilingual, uid_param
from .village_plans import LINE_EXAMPLE

LINE_RELATED = ("sector", "unit", "proposed_source")


def _lines(plan: VillagePlan) -> QuerySet[ProposalLine]:
    return (
        ProposalLine.objects.alive()
        .filter(plan=plan)
        .select_related(*LINE_RELATED)
        .prefetch_related(Prefetch("origin", queryset=ProposalLine.objects.only("uid")))
    )


def _line(plan: VillagePlan, line_uid: Any) -> ProposalLine:
    line = _lines(plan).filter(uid=line_uid).first()
    if line is None:
        raise NotFoundError()
    return line


def _shown(line: ProposalLine) -> dict[str, Any]:
    return dict(ProposalLineOutput(line).data)


def _written(plan: VillagePlan, line_pk: int) -> Response:
    line = _lines(plan).get(pk=line_pk)
    return Response(_shown(line), headers={"ETag": etag(line.version)})


def _apply(request: Request, plan: VillagePlan, changes: list[LineChange]) -> Any:
    """Check (dry run) or write ``changes``; the service's problems named as the API names
    the fields."""
    try:
        if is_dry_run(request):
            return proposal_lines_check(actor=request.user, plan=plan, changes=changes)
        return lines_apply(actor=request.user, plan=plan, changes=changes)
    except ApplicationError as error:
        raise renamed(error, FIELD_NAMES) from error


def _values(request: Request, data: Any, *, partial: bool) -> dict[str, Any]:
    given = ProposalLineInput(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    values = dict(given.validated_data)
    return line_data(values, catalog_entries([values]))


DRY_RUN_OUTPUT = inline_serializer(
    "DryRunOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số dòng sẽ thêm, sửa, xóa, khôi phục — lines that would be added, "
            "changed, deleted, restored",
        ),
    },
)


def _dry_run(counts: dict[str, int]) -> Response:
    return Response({"dry_run": True, "counts": counts})


class ProposalLineList(generics.ListAPIView[ProposalLine]):
    serializer_class = ProposalLineOutput
    pagination_class = CursorPage
    cursor_ordering = ("number",)

    def get_queryset(self) -> QuerySet[ProposalLine]:
        plan = plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))
        return _lines(plan)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page's lines read straight into their JSON values by ``shown_rows`` — the same
        JSON as ``ProposalLineOutput``, which the schema still documents, without a model
        instance per line (issue 17: 10.000 lines within 3× of a raw select)."""
        plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        page = self.paginate_queryset(shown_rows(ProposalLine.objects.alive().filter(plan=plan)))
        assert page is not None  # the view's pagination is always on
        return self.get_paginated_response(page)

    @extend_schema(
        operation_id="village_plans_lines_list",
        summary=bilingual("Đề xuất của kế hoạch thôn (F6)", "Proposals of a village plan (F6)"),
        description=bilingual(
            "Mọi cột của biểu đề xuất (F6), theo số thứ tự; lĩnh vực, đơn vị tính và nguồn vốn "
            "theo mã danh mục; version là phiên bản của dòng.",
            "Every column of the proposals form (F6), by line number; sector, unit of measure "
            "and source by catalogue code; version is the line's version.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample("Đường thôn — village road", value=LINE_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="village_plans_lines_create",
        summary=bilingual("Thêm một đề xuất", "Add a proposal"),
        description=bilingual(
            "Thêm một dòng vào cuối kế hoạch thôn (số thứ tự tiếp theo), kiểm tra theo đúng các "
            "quy tắc của biểu F6 như trên trang; chỉ khi kế hoạch còn là bản nháp và bạn được "
            "sửa nó. Trả lời dòng đã lưu với ETag.",
            "Add a line at the end of the village plan (the next number), checked by the same "
            "rules as the F6 form on the pages; only while the plan is a draft you may edit. "
            "Answers the saved line with its ETag.",
        ),
        request=ProposalLineInput,
        parameters=[DRY_RUN],
        responses={201: ProposalLineOutput, 200: DRY_RUN_OUTPUT},
        examples=[
            OpenApiExample(
                "Đường thôn — village road",
                value={
                    "sector_code": "HT-GT",
                    "activity": "Bê tông hóa đường thôn",
                    "unit_of_measure_code": "km",
                    "quantity": "1.2",
                    "start_month": "2027-03-01",
                    "end_month": "2027-06-01",
                    "total_cost_mvnd": "100",
                    "contribution_mvnd": "30",
                    "external_support_mvnd": "70",
                    "beneficiary_households": 80,
                    "priority": 1,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        data = _values(request, request.data, partial=False)
        done = _apply(request, plan, [LineChange(data=data)])
        if is_dry_run(request):
            return _dry_run(done)
        line = _lines(plan).get(pk=done.added[0].pk)
        return Response(
            _shown(line),
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(line.version), "Location": _location(request, plan, line)},
        )


def _location(request: Request, plan: VillagePlan, line: ProposalLine) -> str:
    return request.build_absolute_uri(f"/api/v1/village-plans/{plan.uid}/lines/{line.uid}/")


class ProposalLineDetail(generics.GenericAPIView[ProposalLine]):
    serializer_class = ProposalLineOutput

    def _plan_and_line(self) -> tuple[VillagePlan, ProposalLine]:
        plan = plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))
        return plan, _line(plan, uid_param(self.kwargs, "line_uid"))

    @extend_schema(
        operation_id="village_plans_lines_retrieve",
        summary=bilingual("Một đề xuất", "One proposal"),
        description=bilingual(
            "Dòng đề xuất với ETag là phiên bản của nó (gửi lại trong If-Match khi sửa hay xóa).",
            "The proposal with its version as ETag (send it back in If-Match to change or "
            "delete it).",
        ),
        responses={200: ProposalLineOutput},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _plan, line = self._plan_and_line()
        return Response(_shown(line), headers={"ETag": etag(line.version)})

    @extend_schema(
        operation_id="village_plans_lines_partial_update",
        summary=bilingual("Sửa một đề xuất", "Change a proposal"),
        description=bilingual(
            "Chỉ gửi các cột thay đổi; dòng được kiểm tra lại toàn bộ theo các quy tắc của biểu "
            "F6. If-Match bắt buộc: phiên bản cũ hơn phiên bản đã lưu thì 412 kèm giá trị hiện "
            "tại, không ghi gì.",
            "Send only the columns that change; the whole line is checked again by the F6 "
            "rules. If-Match is required: older than the saved version, 412 with the current "
            "values and nothing written.",
        ),
        request=ProposalLineInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: ProposalLineOutput},
        examples=[
            OpenApiExample(
                "Đổi mức ưu tiên — change the priority", value={"priority": 2}, request_only=True
            )
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line = self._plan_and_line()
        version = require_version(request, line.version, lambda: _shown(line))
        data = _values(request, request.data, partial=True)
        done = _apply(request, plan, [LineChange(data=data, line=line, version=version)])
        if is_dry_run(request):
            return _dry_run(done)
        return _written(plan, line.pk)

    @extend_schema(
        operation_id="village_plans_lines_destroy",
        summary=bilingual("Xóa một đề xuất", "Delete a proposal"),
        description=bilingual(
            "Đánh dấu dòng là đã xóa (có thể khôi phục bằng lô thay đổi, op restore), như nút "
            "Xóa trên trang. If-Match bắt buộc.",
            "Marks the line deleted (it can be restored with a batch, op restore), as the "
            "page's Delete button does. If-Match is required.",
        ),
        parameters=[IF_MATCH, DRY_RUN],
        request=None,
        responses={204: None, 200: DRY_RUN_OUTPUT},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line = self._plan_and_line()
        version = require_version(request, line.version, lambda: _shown(line))
        done = _apply(request, plan, [LineChange(data={}, line=line, version=version, delete=True)])
        if is_dry_run(request):
            return _dry_run(done)
        return Response(status=status.HTTP_204_NO_CONTENT)
