"""The problems of a village plan (F4) through the API: ``/village-plans/<uid>/problems/``
lists them and adds one (``problem_create``), ``…/problems/<problem_uid>/`` reads, changes
(``problem_update``, only what is sent) or deletes (``problem_delete``) one. ETag: the problem's
version; the If-Match version is passed to the service, which checks it again under its lock."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.findings import ProblemInput, ProblemOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.catalog.models import Sector
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import Problem, VillagePlan
from kehoach.plans.services.findings import (
    problem_check,
    problem_create,
    problem_delete,
    problem_delete_check,
    problem_update,
    problems_of,
)

from ..common import CursorPage, bilingual, uid_param
from .common import DRY_RUN_ANSWER, dry_run_answer, line_keys, line_ref, plan_of, service

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
    "version": 2,
    "updated_at": "2026-08-12T10:00:00+07:00",
}


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
        keys = line_keys(plan, (uid for s in solutions for uid in s.get("lines") or []))
        data["solutions"] = [
            {"text": s["text"], "lines": [line_ref(keys, uid) for uid in s.get("lines") or []]}
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
    return Response(_problem_shown(problem), status=code, headers={"ETag": etag(problem.version)})


class ProblemList(generics.ListAPIView[Problem]):
    serializer_class = ProblemOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at",)

    def get_queryset(self) -> QuerySet[Problem]:
        return problems_of(plan_of(self.request, self.kwargs))

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
        plan = plan_of(request, self.kwargs)
        data = _problem_data(plan, request, partial=False)
        if is_dry_run(request):
            service(problem_check, actor=request.user, plan=plan, data=data)
            return dry_run_answer()
        created = service(problem_create, actor=request.user, plan=plan, data=data)
        answer = _problem_written(plan, created.pk, status.HTTP_201_CREATED)
        answer["Location"] = request.build_absolute_uri(
            f"/api/v1/village-plans/{plan.uid}/problems/{created.uid}/"
        )
        return answer


class ProblemDetail(generics.GenericAPIView[Problem]):
    serializer_class = ProblemOutput

    def _parts(self) -> tuple[VillagePlan, Problem]:
        plan = plan_of(self.request, self.kwargs)
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
        return Response(_problem_shown(problem), headers={"ETag": etag(problem.version)})

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
        expected = require_version(request, problem.version, lambda: _problem_shown(problem))
        data = _problem_data(plan, request, partial=True)
        arguments = {"actor": request.user, "data": data}
        if is_dry_run(request):
            service(problem_check, plan=plan, problem=problem, **arguments)
            return dry_run_answer()
        service(problem_update, problem=problem, expected_version=expected, **arguments)
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
        expected = require_version(request, problem.version, lambda: _problem_shown(problem))
        if is_dry_run(request):
            service(problem_delete_check, actor=request.user, problem=problem)
            return dry_run_answer()
        service(problem_delete, actor=request.user, problem=problem, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)
