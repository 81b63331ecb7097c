"""The commune's funding decisions (R16–R18) through the API (issue 17): a line decided by
hand with its amounts by envelope line (``…/lines/<line_uid>/funding/``, the call the line's
page makes: ``line_decide`` → ``line_fundings_apply``), and the allocation run
(``…/allocation/run/``, the page's "Run the allocation" button: ``allocation_run``). A dry run
is answered by the services' check functions (``line_fundings_check``, ``allocation_check``),
which share the writers' checks and write and lock nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.actions import plan_version
from kehoach.api.serializers.funding import AllocationOutput, FundingDecisionInput
from kehoach.api.serializers.synthesis import CommuneLineOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.choices import AllocationMode
from kehoach.synthesis.models import (
    AllocationRun,
    CommuneLine,
    CommunePlan,
    EnvelopeLine,
    LineFunding,
    LineSource,
)
from kehoach.synthesis.selectors import (
    commune_plan_get_for_user,
    envelope_lines,
    runs_to_compare,
)
from kehoach.synthesis.services.funding import (
    FundingChange,
    allocation_apply,
    allocation_apply_check,
    allocation_check,
    allocation_run,
    line_decision_clear,
    line_decision_clear_check,
    line_fundings_apply,
    line_fundings_check,
)
from kehoach.synthesis.services.scoring.stored import stored_ranks

from .common import bilingual, uid_param

DECISION_EXAMPLE = {
    "decision": "funded",
    "reason": "Đường liên thôn, ưu tiên 1 của thôn.",
    "funding": [
        {"envelope_line_uid": "6f1c0a52-8d1e-4c8e-9a3b-2f4e5d6c7b8a", "amount_mvnd": "500"}
    ],
}


def _plan(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


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


def _line(plan: CommunePlan, line_uid: Any) -> CommuneLine:
    line = _lines(plan).filter(uid=line_uid).first()
    if line is None:
        raise NotFoundError()
    return line


def _shown(plan: CommunePlan, line: CommuneLine) -> dict[str, Any]:
    return dict(CommuneLineOutput(line, context={"ranks": stored_ranks(plan)}).data)


def _funding(
    plan: CommunePlan, draws: list[dict[str, Any]]
) -> tuple[dict[EnvelopeLine, Decimal], dict[str, str]]:
    """The amounts by envelope line of the round (an envelope line of another round, or none,
    is not found: 404, like the page's), and the service's field name of each → the API's
    (``funding[<position>]``)."""
    by_uid = {e.uid: e for e in envelope_lines(plan.round)}
    funding: dict[EnvelopeLine, Decimal] = {}
    names: dict[str, str] = {}
    for position, draw in enumerate(draws):
        envelope_line = by_uid.get(draw["envelope_line_uid"])
        if envelope_line is None:
            raise NotFoundError()
        funding[envelope_line] = funding.get(envelope_line, Decimal(0)) + draw["amount_mvnd"]
        names[f"funding_{envelope_line.uid}"] = f"funding[{position}]"
    return funding, names


class LineFundingDecision(generics.GenericAPIView[CommuneLine]):
    serializer_class = CommuneLineOutput

    @extend_schema(
        operation_id="commune_plans_lines_funding_update",
        summary=bilingual("Quyết định cấp vốn cho một dòng", "Decide a line's funding"),
        description=bilingual(
            "Quyết định của xã về một dòng, đặt tay, với lý do (thôn sẽ đọc) và — khi cấp vốn "
            "(funded) — số tiền theo từng dòng khung nguồn lực, như biểu «Quyết định» trên "
            "trang của dòng: số tiền cộng lại bằng phần hỗ trợ bên ngoài, dòng khung phải được "
            "trả cho dòng này và còn đủ tiền. Lần phân bổ sau giữ nguyên quyết định này. "
            "If-Match bắt buộc (ETag của dòng): cũ hơn thì 412 kèm giá trị hiện tại; "
            "?dry_run=1 chỉ kiểm tra.",
            "The commune's decision on a line, by hand, with a reason (the village reads it) "
            "and — when funded — the amounts by envelope line, as the line page's 'Decision' "
            "form: the amounts add up to the external support needed, each envelope line may "
            "pay for this line and has that much left. The next allocation keeps this "
            "decision. If-Match is required (the line's ETag): older, 412 with the current "
            "values; ?dry_run=1 only checks.",
        ),
        request=FundingDecisionInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: CommuneLineOutput},
        examples=[
            OpenApiExample(
                "Cấp vốn từ một dòng khung — funded from one envelope line",
                value=DECISION_EXAMPLE,
                request_only=True,
            ),
            OpenApiExample(
                "Lùi lại, có lý do — deferred, with a reason",
                value={"decision": "deferred", "reason": "Chờ nguồn vốn năm sau."},
                request_only=True,
            ),
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        line = _line(plan, uid_param(self.kwargs, "line_uid"))
        require_version(request, line.version, lambda: _shown(plan, line))
        given = FundingDecisionInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        funding, names = _funding(plan, values.get("funding") or [])
        change = FundingChange(line, values["decision"], values["reason"], funding)
        try:
            if is_dry_run(request):
                line_fundings_check(actor=request.user, plan=plan, changes=[change])
                return Response({"dry_run": True, "counts": {"decided": 1}})
            line_fundings_apply(actor=request.user, plan=plan, changes=[change])
        except ApplicationError as error:
            raise renamed(error, names) from error
        done = _lines(plan).get(pk=line.pk)
        return Response(_shown(plan, done), headers={"ETag": etag(done.version)})

    @extend_schema(
        operation_id="commune_plans_lines_funding_destroy",
        summary=bilingual("Trả dòng về cho phân bổ", "Give a line back to the allocation"),
        description=bilingual(
            "Như nút «Trả về cho phân bổ» trên trang của dòng: bỏ quyết định đặt tay và số "
            "tiền của nó; dòng chưa được quyết định cho tới lần chạy phân bổ sau. Dòng không "
            "do tay quyết định thì giữ nguyên. If-Match bắt buộc (ETag của dòng); ?dry_run=1 "
            "chỉ kiểm tra (counts.cleared: 1 hay 0).",
            "As the line page's 'Give back to the allocation' button: drops the decision made "
            "by hand and its amounts; the line is not decided until the next allocation run. "
            "A line not decided by hand is left as it is. If-Match is required (the line's "
            "ETag); ?dry_run=1 only checks (counts.cleared: 1 or 0).",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: CommuneLineOutput},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        line = _line(plan, uid_param(self.kwargs, "line_uid"))
        require_version(request, line.version, lambda: _shown(plan, line))
        if is_dry_run(request):
            counts = line_decision_clear_check(actor=request.user, line=line)
            return Response({"dry_run": True, "counts": counts})
        line_decision_clear(actor=request.user, line=line)
        done = _lines(plan).get(pk=line.pk)
        return Response(_shown(plan, done), headers={"ETag": etag(done.version)})


def _stored(plan: CommunePlan, runs: dict[str, AllocationRun]) -> dict[str, Any]:
    """The stored runs as ``allocation_check`` answers them."""
    found: dict[str, Any] = {"dry_run": False}
    for mode, run in runs.items():
        results = run.results.select_related("line").order_by("position")
        found[mode] = {
            "funded_count": run.funded_count,
            "funded_mvnd": run.funded_mvnd,
            "applied": run.applied_at is not None,
            "lines": [
                {"line_uid": str(r.line.uid), "funded": r.funded, "reason": r.reason}
                for r in results
            ],
        }
    return found


class AllocationRunView(generics.GenericAPIView[CommunePlan]):
    serializer_class = AllocationOutput

    @extend_schema(
        operation_id="commune_plans_allocation_run",
        summary=bilingual("Chạy phân bổ khung nguồn lực", "Run the allocation"),
        description=bilingual(
            "Như nút «Chạy phân bổ» của trang phân bổ: chạy cả hai cách (theo ưu tiên và "
            "điểm; tối ưu) trên kế hoạch như hiện tại, lưu cả hai để so sánh và áp dụng một "
            "cách (theo hồ sơ quy trình, mặc định theo ưu tiên và điểm). Dòng đã quyết định "
            "tay được giữ nguyên. If-Match bắt buộc (ETag của kế hoạch xã); ?dry_run=1 trả "
            "lời kết quả mỗi cách sẽ có, không lưu và không áp dụng gì.",
            "As the allocation page's 'Run the allocation' button: runs both procedures (by "
            "priority and score; optimised) on the plan as it is, stores both for comparison "
            "and applies one (the process profile's, by default by priority and score). Lines "
            "decided by hand are kept. If-Match is required (the commune plan's ETag); "
            "?dry_run=1 answers what each procedure would decide, storing and applying "
            "nothing.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: AllocationOutput},
        examples=[
            OpenApiExample(
                "Một dòng được cấp — one line funded",
                value={
                    "dry_run": True,
                    **{
                        mode: {
                            "funded_count": 1,
                            "funded_mvnd": "500.000",
                            "applied": mode == AllocationMode.GREEDY,
                            "lines": [
                                {
                                    "line_uid": "0b8e4f2a-3c1d-4e5f-8a9b-1c2d3e4f5a6b",
                                    "funded": True,
                                    "reason": "Được cấp từ nguồn CTMTQG.",
                                }
                            ],
                        }
                        for mode in AllocationMode.values
                    },
                },
                response_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        shown = {"uid": str(plan.uid), "version": plan_version(plan)}
        if is_dry_run(request):
            require_version(request, plan_version(plan), lambda: shown)
            found = allocation_check(actor=request.user, plan=plan)
            return Response(AllocationOutput({"dry_run": True, **found}).data)
        with transaction.atomic():
            locked = CommunePlan.objects.select_for_update().get(pk=plan.pk)
            require_version(request, plan_version(locked), lambda: shown)
            runs = allocation_run(actor=request.user, plan=locked)
        done = _plan(request, self.kwargs)
        return Response(
            AllocationOutput(_stored(done, runs)).data,
            headers={"ETag": etag(plan_version(done))},
        )


class AllocationApplyView(generics.GenericAPIView[CommunePlan]):
    serializer_class = AllocationOutput

    @extend_schema(
        operation_id="commune_plans_allocation_apply",
        summary=bilingual("Áp dụng kết quả phân bổ đã lưu", "Apply a stored allocation result"),
        description=bilingual(
            "Như nút «Áp dụng» của trang phân bổ: áp dụng kết quả đã lưu của cách này (greedy: "
            "theo ưu tiên và điểm; optimal: tối ưu) của lần chạy gần nhất thay cho cách đang "
            "áp dụng. Dòng quyết định tay được giữ nguyên. Kế hoạch hay khung đã đổi sau lần "
            "chạy: từ chối (run_stale), chạy lại phân bổ. Chưa chạy lần nào: 404. If-Match bắt "
            "buộc (ETag của kế hoạch xã); ?dry_run=1 chỉ kiểm tra và trả lời số dòng sẽ được "
            "quyết định.",
            "As the allocation page's 'Apply' button: applies the stored result of this "
            "procedure (greedy: by priority and score; optimal: optimised) of the latest run "
            "instead of the one applied. Lines decided by hand are kept. Plan or envelope "
            "changed since the run: refused (run_stale), run the allocation again. Never run: "
            "404. If-Match is required (the commune plan's ETag); ?dry_run=1 only checks and "
            "answers how many lines it would decide.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: AllocationOutput},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        run = runs_to_compare(plan).get(str(self.kwargs.get("mode")))
        if run is None:
            raise NotFoundError()
        shown = {"uid": str(plan.uid), "version": plan_version(plan)}
        if is_dry_run(request):
            require_version(request, plan_version(plan), lambda: shown)
            counts = allocation_apply_check(actor=request.user, run=run)
            return Response({"dry_run": True, "counts": counts})
        with transaction.atomic():
            locked = CommunePlan.objects.select_for_update().get(pk=plan.pk)
            require_version(request, plan_version(locked), lambda: shown)
            allocation_apply(actor=request.user, run=run)
        done = _plan(request, self.kwargs)
        runs = {m: r for m, r in runs_to_compare(done).items() if r is not None}
        return Response(
            AllocationOutput(_stored(done, runs)).data,
            headers={"ETag": etag(plan_version(done))},
        )
