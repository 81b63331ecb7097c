"""The evaluation of a commune plan's year through the API (issue 17, F15–F16): the evaluation
page (``/commune-plans/<uid>/evaluation/``: read, and the year's evaluation written), a work's
evaluation (``…/lines/<line_uid>/evaluation/``), many works' at once (``…/evaluation/works/``,
all or nothing) and the targets' values achieved (``…/evaluation/targets/``).

Every write is the page's service (``monitoring.services.evaluation``): the same rules, rows
and history. ``If-Match`` is the version of what is written (a work's or the year's evaluation,
"0" while there is none; the values achieved have a fingerprint as version), checked before the
service and again by the service under its lock; ``?dry_run=1`` asks the service's check
function (``*_check``: the same checks, nothing written or locked)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.evaluation import (
    EvaluationReadOutput,
    LineEvaluationInput,
    LineEvaluationOutput,
    PlanEvaluationInput,
    PlanEvaluationOutput,
    TargetAchievementsInput,
    TargetAchievementsOutput,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.monitoring.models import LineEvaluation, PlanEvaluation
from kehoach.monitoring.services.evaluation import (
    LineEvaluationChange,
    achievements_version,
    evaluation_summary,
    line_evaluations_apply,
    line_evaluations_check,
    plan_evaluation_check,
    plan_evaluation_save,
    target_achievements_check,
    target_achievements_save,
    target_rows,
)
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import bilingual, uid_param

YEAR_NAMES = {"results": "results_achieved"}
WORK_EXAMPLE = {
    "deviation_reason": "Mưa kéo dài, còn 200 m chưa đổ bê tông",
    "beneficiary_opinion": "partly",
    "opinion_notes": "Mặt đường hẹp đoạn qua chợ",
    "operation_maintenance": "",
    "lesson": "Huy động ngày công trước mùa mưa",
}
YEAR_EXAMPLE = {
    "evaluated_on": "2027-12-20",
    "results_achieved": "Hoàn thành 2/2 công trình",
    "shortcomings": "",
    "lessons": "Huy động ngày công sớm",
}


def saved_or_checked(name: str, saved: Any, counts: dict[str, str]) -> Any:
    """The answer of a write: what was saved, or (``?dry_run=1``) what it would do."""
    dry_run = inline_serializer(
        f"{name}DryRun",
        {
            "dry_run": serializers.BooleanField(),
            "counts": inline_serializer(
                f"{name}DryRunCounts",
                {key: serializers.IntegerField(help_text=text) for key, text in counts.items()},
            ),
        },
    )
    return PolymorphicProxySerializer(
        component_name=f"{name}Saved", serializers=[saved, dry_run], resource_type_field_name=None
    )


CREATED_UPDATED = {
    "created": "Sẽ tạo — would be created",
    "updated": "Sẽ thay đổi — would be changed",
}


def plan_of(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _year_shown(plan: CommunePlan) -> dict[str, Any]:
    current = PlanEvaluation.objects.filter(plan=plan).first()
    if current is None:
        return {"version": 0}
    return dict(PlanEvaluationOutput(current).data)


def _targets_shown(plan: CommunePlan) -> dict[str, Any]:
    body = {"version": achievements_version(plan), "rows": target_rows(plan)}
    return dict(TargetAchievementsOutput(body).data)


class EvaluationView(generics.GenericAPIView[CommunePlan]):
    serializer_class = EvaluationReadOutput

    @extend_schema(
        operation_id="commune_plans_evaluation_retrieve",
        summary=bilingual("Đánh giá thực hiện kế hoạch (F18)", "Evaluation of the plan (F18)"),
        description=bilingual(
            "Như trang đánh giá: mỗi công trình kế hoạch so với thực hiện (khối lượng, tình "
            "trạng, vốn theo nguồn) và đánh giá của nó, tổng cộng, đánh giá năm (kết quả, tồn "
            "tại, bài học) và các chỉ tiêu với giá trị đạt được. ETag là phiên bản của đánh giá "
            "năm; version của mỗi công trình và targets_version là If-Match của các lệnh ghi.",
            "As the evaluation page: each work planned against achieved (quantity, status, "
            "money by source) with its evaluation, the totals, the year's evaluation (results, "
            "shortcomings, lessons) and the targets with the values achieved. The ETag is the "
            "year's evaluation version; each work's version and targets_version are the "
            "If-Match of the writes.",
        ),
        responses={200: EvaluationReadOutput},
        examples=[
            OpenApiExample(
                "Cuối năm — at the end of the year",
                value={
                    **YEAR_EXAMPLE,
                    "version": 1,
                    "targets_version": 0,
                    "totals": {
                        "works": 2,
                        "completed": 2,
                        "ongoing": 0,
                        "not_started": 0,
                        "suspended": 0,
                        "cancelled": 0,
                        "evaluated": 2,
                        "approved_mvnd": "850.000",
                        "disbursed_mvnd": "840.000",
                        "contribution_promised_mvnd": "150.000",
                        "contribution_realised_mvnd": "160.000",
                        "by_source": [],
                    },
                    "works": [],
                    "targets": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        summary = evaluation_summary(plan)
        version = summary.evaluation.version if summary.evaluation else 0
        body = {
            "evaluated_on": summary.evaluated_on,
            "results": summary.results,
            "shortcomings": summary.shortcomings,
            "lessons": summary.lessons,
            "version": version,
            "targets_version": achievements_version(plan),
            "totals": summary.totals,
            "rows": summary.rows,
            "targets": summary.targets,
        }
        return Response(EvaluationReadOutput(body).data, headers={"ETag": etag(version)})

    @extend_schema(
        operation_id="commune_plans_evaluation_update",
        summary=bilingual("Lưu đánh giá năm (F15)", "Save the year's evaluation (F15)"),
        description=bilingual(
            "Như biểu mẫu đánh giá năm trên trang: ngày (không sau hôm nay), kết quả đạt được "
            "(bắt buộc), tồn tại và nguyên nhân, bài học; trường bỏ qua là để trống. Chỉ người "
            "được đánh giá của xã, khi kế hoạch đã công bố và chưa đóng. If-Match bắt buộc "
            '(ETag của lần đọc, "0" khi chưa có đánh giá).',
            "As the page's form of the year's evaluation: the date (not in the future), the "
            "results achieved (required), the shortcomings and their causes, the lessons; a "
            "field left out is empty. Only for whoever may evaluate the commune's plan, once "
            'published and until closed. If-Match is required (the ETag you read, "0" while '
            "there is no evaluation).",
        ),
        request=PlanEvaluationInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: saved_or_checked("PlanEvaluation", PlanEvaluationOutput, CREATED_UPDATED)},
        examples=[
            OpenApiExample("Cuối năm — at the end of the year", value=YEAR_EXAMPLE),
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        current = PlanEvaluation.objects.filter(plan=plan).first()
        version = require_version(
            request, current.version if current else 0, lambda: _year_shown(plan)
        )
        given = PlanEvaluationInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.values()
        try:
            if is_dry_run(request):
                counts = plan_evaluation_check(
                    actor=request.user, plan=plan, data=values, expected_version=version
                )
                return Response({"dry_run": True, "counts": counts})
            saved = plan_evaluation_save(
                actor=request.user, plan=plan, data=values, expected_version=version
            )
        except ApplicationError as error:
            raise renamed(error, YEAR_NAMES) from error
        return Response(PlanEvaluationOutput(saved).data, headers={"ETag": etag(saved.version)})


def work_shown(line: CommuneLine) -> dict[str, Any]:
    current = LineEvaluation.objects.filter(line=line).select_related("line").first()
    if current is None:
        return {"line_uid": str(line.uid), "version": 0}
    return dict(LineEvaluationOutput(current).data)


class LineEvaluationView(APIView):
    @extend_schema(
        operation_id="commune_plans_lines_evaluation_update",
        summary=bilingual("Lưu đánh giá một công trình (F15)", "Save a work's evaluation (F15)"),
        description=bilingual(
            "Như biểu mẫu đánh giá trên trang công trình: lý do chênh lệch (bắt buộc khi làm ít "
            "hơn kế hoạch hoặc chưa hoàn thành), ý kiến người hưởng lợi (và điều họ nói khi "
            "chưa hài lòng), quản lý vận hành (bắt buộc khi đã hoàn thành), bài học. Chỉ công "
            "trình được cấp vốn. If-Match bắt buộc (version của công trình trong "
            '/evaluation/, "0" khi chưa đánh giá).',
            "As the evaluation form of the work's page: the reasons for the difference from the "
            "plan (required when less than planned was done or the work is not completed), the "
            "beneficiaries' opinion (and what they said when not satisfied), operation and "
            "maintenance (required for a completed work), a lesson. Only a funded work. "
            'If-Match is required (the work\'s version in /evaluation/, "0" when none).',
        ),
        request=LineEvaluationInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: saved_or_checked("LineEvaluation", LineEvaluationOutput, CREATED_UPDATED)},
        examples=[OpenApiExample("Hài lòng một phần — partly satisfied", value=WORK_EXAMPLE)],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = plan_of(request, self.kwargs)
        line = CommuneLine.objects.filter(plan=plan, uid=uid_param(self.kwargs, "line_uid")).first()
        if line is None:
            raise NotFoundError()
        current = LineEvaluation.objects.filter(line=line).first()
        version = require_version(
            request, current.version if current else 0, lambda: work_shown(line)
        )
        given = LineEvaluationInput(data=request.data)
        given.is_valid(raise_exception=True)
        changes = [LineEvaluationChange(line, given.values(), version)]
        if is_dry_run(request):
            counts = line_evaluations_check(actor=request.user, target=plan, changes=changes)
            return Response({"dry_run": True, "counts": counts})
        saved = line_evaluations_apply(actor=request.user, target=plan, changes=changes)
        evaluation = saved.evaluations[0]
        return Response(
            LineEvaluationOutput(evaluation).data, headers={"ETag": etag(evaluation.version)}
        )


class TargetAchievementsView(APIView):
    def plan_of(self) -> CommunePlan:
        return plan_of(self.request, self.kwargs)

    @extend_schema(
        operation_id="commune_plans_evaluation_targets_update",
        summary=bilingual("Lưu giá trị đạt được của chỉ tiêu (F16)", "Save targets achieved"),
        description=bilingual(
            "Như bảng chỉ tiêu trên trang đánh giá: mỗi dòng gửi lên là giá trị đạt được và ghi "
            "chú của một chỉ tiêu của kế hoạch (achieved null: xóa giá trị); chỉ tiêu không gửi "
            "giữ nguyên, mã không thuộc kế hoạch bị bỏ qua; tất cả hoặc không gì cả. If-Match "
            'bắt buộc (targets_version trong /evaluation/, "0" khi chưa có giá trị nào). Lỗi '
            'của một ô có where.field = "<mã chỉ tiêu>__achieved".',
            "As the targets table of the evaluation page: each row sent is the value achieved "
            "and notes of one of the plan's targets (achieved null: removed); a target not sent "
            "is kept, a code not of the plan is ignored; all or nothing. If-Match is required "
            '(targets_version in /evaluation/, "0" while there is no value). A cell\'s problem '
            'has where.field = "<indicator code>__achieved".',
        ),
        request=TargetAchievementsInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={
            200: saved_or_checked(
                "TargetAchievements",
                TargetAchievementsOutput,
                {**CREATED_UPDATED, "deleted": "Sẽ xóa — would be removed"},
            )
        },
        examples=[
            OpenApiExample(
                "Hộ nghèo — poor households",
                value={
                    "rows": [
                        {
                            "indicator_code": "HO-NGHEO",
                            "achieved": "3.2",
                            "notes": "Theo kết quả rà soát cuối năm",
                        }
                    ]
                },
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.plan_of()
        version = require_version(request, achievements_version(plan), lambda: _targets_shown(plan))
        given = TargetAchievementsInput(data=request.data)
        given.is_valid(raise_exception=True)
        rows = given.rows_for_service()
        if is_dry_run(request):
            counts = target_achievements_check(
                actor=request.user, plan=plan, rows=rows, expected_version=version
            )
            return Response({"dry_run": True, "counts": counts})
        target_achievements_save(actor=request.user, plan=plan, rows=rows, expected_version=version)
        body = _targets_shown(plan)
        return Response(body, headers={"ETag": etag(body["version"])})
