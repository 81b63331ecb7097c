"""A commune line's scores (F10) and its rank through the API (issue 17):
``/commune-plans/<uid>/lines/<line_uid>/scores/`` reads the score with its breakdown and sets
the planner's scores (``line_scores_set``, the writer of the grid, the line's page and the F10
workbook); ``…/rank/`` sets a rank by hand with its reason (``line_rank_set``). If-Match names
the line's version (412 with the saved scores); ``?dry_run=1`` asks ``line_scores_check`` /
``line_rank_check``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.synthesis import RankOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.scoring import (
    ScoreChange,
    line_rank_check,
    line_rank_set,
    line_scores_check,
    line_scores_set,
    stored_ranks,
)

from .common import bilingual, uid_param
from .commune_lines import _line, _plan

SCORES_OUTPUT = inline_serializer(
    "CommuneLineScores",
    {
        "line": serializers.UUIDField(),
        "version": serializers.IntegerField(),
        "manual_scores": serializers.DictField(
            help_text="Điểm người chấm theo tiêu chí — the planner's scores by criterion"
        ),
        "ranking": serializers.DictField(
            allow_null=True,
            help_text="Điểm và thứ hạng như trang kế hoạch xã (dòng đang trong kế hoạch) — "
            "score and rank as the commune plan page shows (active lines)",
        ),
        "rank_override": serializers.IntegerField(allow_null=True),
        "rank_reason": serializers.CharField(),
    },
)


class ScoresInput(serializers.Serializer[Any]):
    scores = serializers.DictField(
        allow_empty=False,
        help_text="Mã tiêu chí → điểm 0–5, hay null để xoá; tiêu chí tự tính bị bỏ qua — "
        "criterion code → score 0–5, or null to clear; computed criteria are ignored",
    )


class RankInput(serializers.Serializer[Any]):
    rank = serializers.IntegerField(
        allow_null=True, help_text="1 là đầu; null: theo điểm — 1 is first; null: by score"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


def _scores(plan: CommunePlan, line: CommuneLine) -> dict[str, Any]:
    found = stored_ranks(plan).get(line.pk)
    ranking = dict(RankOutput(found).data) if found is not None else None
    return {
        "line": line.uid,
        "version": line.version,
        "manual_scores": line.manual_scores or {},
        "ranking": ranking,
        "rank_override": line.rank_override,
        "rank_reason": line.rank_reason,
    }


class _LineScoring(generics.GenericAPIView[CommuneLine]):
    def _checked(self, request: Request) -> tuple[CommunePlan, CommuneLine, int]:
        plan = _plan(request, self.kwargs)
        line = _line(plan, uid_param(self.kwargs, "line_uid"))
        version = require_version(request, line.version, lambda: _scores(plan, line))
        return plan, line, version

    def _answer(self, request: Request, plan: CommunePlan, line: CommuneLine) -> Response:
        if is_dry_run(request):
            return Response({"dry_run": True})
        line = _line(plan, line.uid)
        return Response(_scores(plan, line), headers={"ETag": etag(line.version)})


class LineScores(_LineScoring):
    serializer_class = ScoresInput

    @extend_schema(
        operation_id="commune_plans_lines_scores_retrieve",
        summary=bilingual("Điểm của một dòng", "A line's scores"),
        description=bilingual(
            "Điểm người chấm, điểm và thứ hạng của dòng như trang kế hoạch xã, với ETag.",
            "The planner's scores, the line's score and rank as the commune plan page shows "
            "them, with the ETag.",
        ),
        request=None,
        responses={200: SCORES_OUTPUT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        line = _line(plan, uid_param(self.kwargs, "line_uid"))
        return Response(_scores(plan, line), headers={"ETag": etag(line.version)})

    @extend_schema(
        operation_id="commune_plans_lines_scores_update",
        summary=bilingual("Chấm điểm một dòng", "Score a line"),
        description=bilingual(
            "Đặt điểm (0–5, null để xoá) các tiêu chí người chấm, như bảng chấm điểm và biểu "
            "F10; các tiêu chí không nêu giữ nguyên. If-Match bắt buộc.",
            "Set the scores (0–5, null to clear) of the criteria people judge, as the scoring "
            "grid and the F10 workbook; criteria not named stay as they are. If-Match is "
            "required.",
        ),
        request=ScoresInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SCORES_OUTPUT},
        examples=[
            OpenApiExample(
                "Hai tiêu chí — two criteria",
                value={"scores": {"urgency": 4, "feasibility": "3,5"}},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line, version = self._checked(request)
        given = ScoresInput(data=request.data)
        given.is_valid(raise_exception=True)
        scores = given.validated_data["scores"]
        if is_dry_run(request):
            change = ScoreChange(line, scores, version)
            line_scores_check(actor=request.user, plan=plan, changes=[change])
        else:
            line_scores_set(actor=request.user, line=line, scores=scores, expected_version=version)
        return self._answer(request, plan, line)


class LineRank(_LineScoring):
    serializer_class = RankInput

    @extend_schema(
        operation_id="commune_plans_lines_rank_update",
        summary=bilingual("Đặt thứ hạng một dòng", "Set a line's rank"),
        description=bilingual(
            "Đặt thứ hạng bằng tay với lý do (bắt buộc), hay null để trở lại thứ hạng theo "
            "điểm, như trang của dòng. If-Match bắt buộc.",
            "Set the rank by hand with a reason (required), or null to go back to the rank "
            "by score, as the line's page. If-Match is required.",
        ),
        request=RankInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SCORES_OUTPUT},
        examples=[
            OpenApiExample(
                "Lên hạng 1 — first",
                value={"rank": 1, "reason": "Đường vào trường học, cần làm trước mùa mưa."},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, line, _version = self._checked(request)
        given = RankInput(data=request.data)
        given.is_valid(raise_exception=True)
        rank = given.validated_data["rank"]
        reason = given.validated_data.get("reason", "")
        if is_dry_run(request):
            line_rank_check(actor=request.user, line=line, rank=rank, reason=reason)
        else:
            line_rank_set(actor=request.user, line=line, rank=rank, reason=reason)
        return self._answer(request, plan, line)
