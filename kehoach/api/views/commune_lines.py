"""Lines of a commune plan (F9) through the API (issue 17): list and add the commune's own line
(``/commune-plans/<uid>/lines/``), read, change (values and/or a decision with its reason) and
remove one (``…/lines/<line_uid>/``), and many changes at once, all or nothing
(``…/lines/batch/``).

Every write is ``synthesis.services.lines.commune_lines_apply`` — the writer of the line pages
and the F9 workbook — so the rules, the versions and the history rows are the same;
``?dry_run=1`` asks ``commune_lines_check``, the same checks without writing or locking. A
change or a removal names the version it read in ``If-Match`` (412 with the saved values when
it is older); an item of a batch names it in ``version``."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.commune_line_input import (
    FIELD_NAMES,
    CommuneLineChangeInput,
    CommuneLineInput,
    commune_line_data,
    decision_of,
)
from kehoach.api.serializers.line_input import catalog_entries
from kehoach.api.serializers.synthesis import CommuneLineOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.choices import LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, LineSource
from kehoach.synthesis.selectors import commune_plan_get_for_user
from kehoach.synthesis.services.lines import (
    CommuneLineChange,
    commune_lines_apply,
    commune_lines_check,
)
from kehoach.synthesis.services.scoring.stored import stored_ranks

from .common import CursorPage, bilingual, uid_param
from .commune_plans import LINE_EXAMPLE
from .proposal_lines import DRY_RUN_OUTPUT

OWN_LINE = {
    "organisation": "Hội Phụ nữ xã",
    "sector_code": "HT-GT",
    "activity": "Lắp đèn đường liên xã",
    "location": "Trục đường xã",
    "unit_of_measure_code": "km",
    "quantity": "2",
    "start_month": "2027-03-01",
    "end_month": "2027-06-01",
    "total_cost_mvnd": "150",
    "contribution_mvnd": "30",
    "external_support_mvnd": "120",
    "beneficiary_households": 300,
    "village_priority": 1,
    "expenditure_type": "investment",
}


def _lines(plan: CommunePlan) -> QuerySet[CommuneLine]:
    return plan.lines.select_related("sector", "unit", "proposed_source").prefetch_related(
        Prefetch("merged_into", queryset=CommuneLine.objects.only("uid")),
        Prefetch("split_from", queryset=CommuneLine.objects.only("uid")),
        Prefetch(
            "sources",
            queryset=LineSource.objects.select_related("village_line__plan__village").order_by(
                "village_line__plan__village__sort_key", "village_line__number", "id"
            ),
        ),
        Prefetch(
            "funding",
            queryset=LineFunding.objects.select_related("envelope_line__source").order_by(
                "envelope_line__number"
            ),
        ),
    )


def _plan(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _line(plan: CommunePlan, line_uid: Any) -> CommuneLine:
    line = _lines(plan).filter(uid=line_uid).first()
    if line is None:
        raise NotFoundError()
    return line


def _shown(plan: CommunePlan, line: CommuneLine) -> dict[str, Any]:
    return dict(CommuneLineOutput(line, context={"ranks": stored_ranks(plan)}).data)


def _answer(plan: CommunePlan, line_pk: int, created: Request | None = None) -> Response:
    """The line as saved, with its ETag (``created``: the request that added it, for the
    201 answer's ``Location``)."""
    line = _lines(plan).get(pk=line_pk)
    headers = {"ETag": etag(line.version)}
    if created is None:
        return Response(_shown(plan, line), headers=headers)
    headers["Location"] = created.build_absolute_uri(
        f"/api/v1/commune-plans/{plan.uid}/lines/{line.uid}/"
    )
    return Response(_shown(plan, line), status=status.HTTP_201_CREATED, headers=headers)


def _apply(request: Request, plan: CommunePlan, changes: list[CommuneLineChange]) -> Any:
    """Check (dry run: the counts) or write ``changes`` (the written lines); the service's
    problems named as the API names the fields."""
    try:
        if is_dry_run(request):
            return commune_lines_check(actor=request.user, plan=plan, changes=changes)
        return commune_lines_apply(actor=request.user, plan=plan, changes=changes)
    except ApplicationError as error:
        raise renamed(error, FIELD_NAMES) from error


def _values(serializer: type[CommuneLineInput], data: Any, *, partial: bool) -> dict[str, Any]:
    given = serializer(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _dry_run(counts: dict[str, int]) -> Response:
    return Response({"dry_run": True, "counts": counts})


class CommuneLineList(generics.ListAPIView[CommuneLine]):
    serializer_class = CommuneLineOutput
    pagination_class = CursorPage
    cursor_ordering = ("number",)
    plan: CommunePlan | None = None

    def get_queryset(self) -> QuerySet[CommuneLine]:
        self.plan = _plan(self.request, self.kwargs)
        qs = _lines(self.plan)
        state = filters.choice_param(self.request, "state", LineState)
        if state is not None:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.plan is not None:
            context["ranks"] = stored_ranks(self.plan)
        return context

    @extend_schema(
        operation_id="commune_plans_lines_list",
        summary=bilingual("Các dòng của kế hoạch xã (F9)", "Lines of a commune plan (F9)"),
        description=bilingual(
            "Mọi cột của biểu tổng hợp (F9) theo số thứ tự, với quyết định của xã, cấp vốn theo "
            "dòng khung nguồn lực, các dòng đề xuất của thôn mà dòng được tổng hợp từ, điểm và "
            "thứ hạng như trang kế hoạch xã.",
            "Every column of the synthesis (F9) by line number, with the commune's decision, "
            "the funding by envelope line, the village lines it was made from, and the score "
            "and rank the commune plan page shows.",
        ),
        parameters=[
            filters.status_parameter(
                LineState,
                "state",
                bilingual(
                    "Tình trạng dòng (active: đang trong kế hoạch)",
                    "state of the line (active: in the plan)",
                ),
            ),
            filters.PAGE_SIZE,
        ],
        examples=[
            OpenApiExample("Đường thôn — village road", value=LINE_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="commune_plans_lines_create",
        summary=bilingual("Thêm một dòng của xã", "Add a line of the commune"),
        description=bilingual(
            "Thêm một dòng do ban, ngành hay đoàn thể của xã đề xuất (R14) vào cuối kế hoạch xã, "
            "kiểm tra như biểu F6 và phải ghi ai đề xuất, như biểu «Thêm dòng» trên trang; chỉ "
            "khi kế hoạch xã còn là bản nháp và bạn được sửa nó. Trả lời dòng đã lưu với ETag.",
            "Add a line proposed by a commune sector or organisation (R14) at the end of the "
            "commune plan, checked like the F6 form and naming who proposes it, as the page's "
            "'Add a line' form; only while the commune plan is a draft you may edit. Answers "
            "the saved line with its ETag.",
        ),
        request=CommuneLineInput,
        parameters=[DRY_RUN],
        responses={201: CommuneLineOutput, 200: DRY_RUN_OUTPUT},
        examples=[OpenApiExample("Đèn đường — street lights", value=OWN_LINE, request_only=True)],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        values = _values(CommuneLineInput, request.data, partial=False)
        data = commune_line_data(values, catalog_entries([values]))
        done = _apply(request, plan, [CommuneLineChange("add", data=data)])
        if is_dry_run(request):
            return _dry_run(done)
        return _answer(plan, done.lines[0].pk, created=request)


class CommuneLineDetail(generics.GenericAPIView[CommuneLine]):
    serializer_class = CommuneLineOutput

    def _plan_and_line(self) -> tuple[CommunePlan, CommuneLine]:
        plan = _plan(self.request, self.kwargs)
        return plan, _line(plan, uid_param(self.kwargs, "line_uid"))

    @extend_schema(
        operation_id="commune_plans_lines_retrieve",
        summary=bilingual("Một dòng của kế hoạch xã", "One line of a commune plan"),
        description=bilingual(
            "Dòng (kể cả dòng đã bỏ, đã gộp, đã tách) với ETag là phiên bản của nó (gửi lại "
            "trong If-Match khi sửa hay bỏ).",
            "The line (removed, merged and split lines too) with its version as ETag (send it "
            "back in If-Match to change or remove it).",
        ),
        responses={200: CommuneLineOutput},
        examples=[
            OpenApiExample("Đường thôn — village road", value=LINE_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line = self._plan_and_line()
        return Response(_shown(plan, line), headers={"ETag": etag(line.version)})

    @extend_schema(
        operation_id="commune_plans_lines_partial_update",
        summary=bilingual("Sửa một dòng hoặc quyết định về nó", "Change a line or decide on it"),
        description=bilingual(
            "Chỉ gửi các cột thay đổi: dòng của xã mọi cột của biểu F6 (kiểm tra lại cả dòng); "
            "dòng tổng hợp từ thôn chỉ tên hoạt động, địa điểm, ghi chú và loại chi (số liệu lấy "
            "từ thôn). Có thể kèm quyết định không cấp vốn (unfunded, deferred, rejected) với lý "
            "do, như trang của dòng. If-Match bắt buộc: phiên bản cũ hơn phiên bản đã lưu thì "
            "412 kèm giá trị hiện tại, không ghi gì.",
            "Send only the columns that change: a commune's own line every column of the F6 "
            "form (the whole line is checked again); a line built from villages only its "
            "activity, location, notes and expenditure type (its amounts come from the "
            "villages). A decision without funding (unfunded, deferred, rejected) with its "
            "reason may come with it, as on the line's page. If-Match is required: older than "
            "the saved version, 412 with the current values and nothing written.",
        ),
        request=CommuneLineChangeInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: CommuneLineOutput},
        examples=[
            OpenApiExample(
                "Lùi lại, có lý do — defer, with a reason",
                value={"decision": "deferred", "reason": "Chờ nguồn vốn năm sau."},
                request_only=True,
            ),
            OpenApiExample(
                "Sửa địa điểm — change the location",
                value={"location": "Thôn Diên Sanh"},
                request_only=True,
            ),
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line = self._plan_and_line()
        version = require_version(request, line.version, lambda: _shown(plan, line))
        values = _values(CommuneLineChangeInput, request.data, partial=True)
        decision, reason = decision_of(values)
        change = CommuneLineChange(
            "change",
            line,
            data=commune_line_data(values, catalog_entries([values])),
            version=version,
            decision=decision,
            reason=reason,
        )
        done = _apply(request, plan, [change])
        if is_dry_run(request):
            return _dry_run(done)
        return _answer(plan, line.pk)

    @extend_schema(
        operation_id="commune_plans_lines_destroy",
        summary=bilingual("Bỏ một dòng của xã", "Remove a line of the commune"),
        description=bilingual(
            "Bỏ dòng do xã đề xuất khỏi kế hoạch (có thể khôi phục bằng lô thay đổi, op "
            "restore), như nút Bỏ trên trang; dòng tổng hợp từ thôn không bỏ ở đây (quyết định "
            "về nó, hoặc trả kế hoạch thôn). If-Match bắt buộc.",
            "Removes a line the commune proposed from the plan (it can be restored with a "
            "batch, op restore), as the page's Remove button does; a line built from villages "
            "is not removed here (decide on it, or return the village plan). If-Match is "
            "required.",
        ),
        parameters=[IF_MATCH, DRY_RUN],
        request=None,
        responses={204: None, 200: DRY_RUN_OUTPUT},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line = self._plan_and_line()
        version = require_version(request, line.version, lambda: _shown(plan, line))
        done = _apply(request, plan, [CommuneLineChange("remove", line, version=version)])
        if is_dry_run(request):
            return _dry_run(done)
        return Response(status=status.HTTP_204_NO_CONTENT)
