"""Carry-over of last year's unfunded, deferred and unfinished proposals into a village plan
through the API (issue 17), as the "Carry over from last year" page does it:
``GET /village-plans/<uid>/carry-over/`` lists what the page offers (each line of last year's
plan by its public uid, why it is offered, what carrying it changes and, if it cannot be
carried, why); ``POST`` carries exactly the chosen uids through the page's service
(``plans.services.carry_over``), all or nothing.

The write names the plan's version it read in ``If-Match`` (the ETag of
``GET /village-plans/<uid>/``: ``plan_version``), checked under the plan's row lock as the
workflow actions do. ``?dry_run=1`` is answered by ``carry_over_check``, which shares the
writer's checks and writes and locks nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.actions import plan_version
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.carry_over import (
    Candidate,
    carry_over,
    carry_over_check,
    carry_over_preview,
    previous_plan,
)

from .common import bilingual, uid_param
from .village_plans import village_plan_shown

CANDIDATE_FIELDS = {
    "uid": serializers.UUIDField(help_text="Mã dòng của năm trước — last year's line uid"),
    "number": serializers.IntegerField(),
    "year": serializers.IntegerField(help_text="Năm kế hoạch trước — last year's plan year"),
    "activity": serializers.CharField(),
    "kind": serializers.ChoiceField(choices=["unfunded", "deferred", "unfinished"]),
    "reason": serializers.CharField(help_text="Vì sao được đề xuất — why it is offered"),
    "can_carry": serializers.BooleanField(),
    "notes": serializers.ListField(
        child=serializers.CharField(), help_text="Điều được điều chỉnh — what is adjusted"
    ),
    "problems": serializers.ListField(
        child=serializers.CharField(), help_text="Vì sao không chuyển được — why not"
    ),
}
CANDIDATES = inline_serializer(
    "CarryOverCandidates",
    {
        "previous_year": serializers.IntegerField(allow_null=True),
        "candidates": inline_serializer("CarryOverCandidate", CANDIDATE_FIELDS, many=True),
    },
)
CARRIED = inline_serializer(
    "CarryOverDone",
    {
        "dry_run": serializers.BooleanField(required=False),
        "lines": serializers.ListField(child=serializers.DictField()),
        "notes": serializers.ListField(child=serializers.CharField()),
    },
)
CANDIDATE_EXAMPLE = {
    "uid": "6f1c2e1a-3b7d-4c55-9a0e-2f8b7c1d4e90",
    "number": 3,
    "year": 2026,
    "activity": "Bê tông hóa đường ra đồng",
    "kind": "unfunded",
    "reason": "không được bố trí vốn năm 2026",
    "can_carry": True,
    "notes": [],
    "problems": [],
}


class CarryOverInput(serializers.Serializer[Any]):
    lines = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="Mã các dòng năm trước được chọn — the chosen lines of last year (uids)",
    )


def _candidate(candidate: Candidate) -> dict[str, Any]:
    line = candidate.line
    return {
        "uid": str(line.uid),
        "number": line.number,
        "year": line.plan.round.plan_year,
        "activity": line.activity,
        "kind": candidate.kind,
        "reason": candidate.reason,
        "can_carry": candidate.ok,
        "notes": list(candidate.notes),
        "problems": list(candidate.problems),
    }


def _carried(line: ProposalLine) -> dict[str, Any]:
    origin = line.origin
    return {
        "uid": str(line.uid),
        "number": line.number,
        "activity": line.activity,
        "origin_uid": str(origin.uid) if origin is not None else None,
        "version": line.version,
    }


class CarryOverView(generics.GenericAPIView[VillagePlan]):
    serializer_class = CarryOverInput

    def _plan(self) -> VillagePlan:
        return plan_get_for_user(user=self.request.user, uid=uid_param(self.kwargs))

    def _shown(self, plan: VillagePlan) -> Any:
        return lambda: village_plan_shown(plan, self.get_serializer_context())

    @extend_schema(
        operation_id="village_plans_carry_over_list",
        summary=bilingual("Dòng năm trước có thể chuyển sang", "Lines that may be carried over"),
        description=bilingual(
            "Như trang «Chuyển từ năm trước»: các dòng chưa được bố trí vốn, hoãn sang năm sau "
            "hoặc công trình dở dang của kế hoạch năm trước của thôn, mỗi dòng kèm lý do, điều "
            "được điều chỉnh và vì sao không chuyển được. ETag là phiên bản của kế hoạch.",
            "As the 'Carry over from last year' page: last year's unfunded, deferred or "
            "unfinished lines of the village, each with why it is offered, what is adjusted "
            "and why it cannot be carried. The ETag is the plan's version.",
        ),
        responses={200: CANDIDATES},
        examples=[
            OpenApiExample(
                "Một dòng — one line",
                value={"previous_year": 2026, "candidates": [CANDIDATE_EXAMPLE]},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._plan()
        before = previous_plan(plan)
        body = {
            "previous_year": before.round.plan_year if before else None,
            "candidates": [_candidate(c) for c in carry_over_preview(plan)],
        }
        return Response(body, headers={"ETag": etag(plan_version(plan))})

    @extend_schema(
        operation_id="village_plans_carry_over",
        summary=bilingual("Chuyển dòng từ năm trước", "Carry lines over from last year"),
        description=bilingual(
            "Chép đúng các dòng được chọn vào kế hoạch (bản nháp), theo quy định của năm nay, "
            "tất cả hoặc không dòng nào. If-Match: phiên bản của kế hoạch (ETag của GET "
            "/village-plans/{uid}/); ?dry_run=1 chỉ kiểm tra và trả lời các dòng sẽ chép.",
            "Copies exactly the chosen lines into the draft plan, by this year's rules, all or "
            "nothing. If-Match: the plan's version (the ETag of GET /village-plans/{uid}/); "
            "?dry_run=1 only checks and answers the lines it would copy.",
        ),
        request=CarryOverInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={201: CARRIED, 200: CARRIED},
        examples=[
            OpenApiExample(
                "Chọn một dòng — one line chosen",
                value={"lines": [CANDIDATE_EXAMPLE["uid"]]},
                request_only=True,
            ),
            OpenApiExample(
                "Đã chuyển — carried",
                value={
                    "lines": [
                        {
                            "uid": "0b5e7d8c-1f2a-4e3b-8c9d-7a6b5c4d3e2f",
                            "number": 12,
                            "activity": "Bê tông hóa đường ra đồng",
                            "origin_uid": CANDIDATE_EXAMPLE["uid"],
                            "version": 1,
                        }
                    ],
                    "notes": [],
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self._plan()
        given = CarryOverInput(data=request.data)
        given.is_valid(raise_exception=True)
        uids = [str(uid) for uid in given.validated_data["lines"]]
        if is_dry_run(request):
            require_version(request, plan_version(plan), self._shown(plan))
            chosen = carry_over_check(actor=request.user, plan=plan, line_uids=uids)
            notes = [note for candidate in chosen for note in candidate.notes]
            lines = [_candidate(candidate) for candidate in chosen]
            return Response({"dry_run": True, "lines": lines, "notes": notes})
        with transaction.atomic():
            locked = VillagePlan.objects.select_for_update().get(pk=plan.pk)
            require_version(request, plan_version(locked), self._shown(locked))
            done = carry_over(actor=request.user, plan=plan, line_uids=uids)
        body = {"lines": [_carried(line) for line in done.lines], "notes": done.notes}
        return Response(body, status=201, headers={"ETag": etag(plan_version(self._plan()))})
