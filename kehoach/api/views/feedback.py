"""The feedback of a commune plan to each village (F13), split out of ``versions``:

- ``GET /commune-plans/<uid>/feedback/`` — per village of the plan, what became of each of its
  proposals in the latest published version and why; ``…/feedback/<village_code>/`` one
  village. The commune's users read them here; a village's own users read their village's on
  ``GET /village-plans/<uid>/feedback/``, the address of their page (``plans/<uid>/feedback/``):
  a village user sees no commune plan, so its feedback is reached through its own plan.

Every read starts from the pages' selectors: another unit's plan is 404. The fates are the
pages' (``portal.tables.village_feedback_fates`` over the published versions read once), so a
page of villages costs the same queries for 5 villages and for 50."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api import filters
from kehoach.api.serializers.versions import VillageFeedbackOutput
from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import VillagePlan
from kehoach.plans.selectors import plan_get_for_user, plans_visible_to
from kehoach.portal.tables import village_feedback_fates
from kehoach.synthesis.models import CommunePlan

from .common import CursorPage, bilingual, uid_param
from .versions import _plan

FEEDBACK_EXAMPLE = {
    "village_code": "19702-001",
    "village_name": "Thôn Diên Sanh",
    "village_plan_uid": "5b0c5a7e-3f1d-4c55-9a57-0d7c2b1e9f40",
    "version": {
        "number": 1,
        "is_amendment": False,
        "resolution_number": "25/NQ-HĐND",
        "resolution_date": "2026-12-01",
        "published_at": "2026-12-05T09:00:00+07:00",
    },
    "proposals": [
        {
            "number": 1,
            "village_line_uid": "9e3c7a52-61b4-4f0e-b8a2-1d5f0c3e7a11",
            "activity": "Bê tông hóa đường xóm Trên",
            "decision": "funded",
            "decision_reason": "Đủ điều kiện, ưu tiên 1",
            "commune_line_number": 1,
            "shared_with": [],
            "funding": [{"source_code": "NTP26", "amount_mvnd": "500.000"}],
            "line_funding": [{"source_code": "NTP26", "amount_mvnd": "500.000"}],
            "proposed_contribution_mvnd": "100.000",
            "start": "2027-03",
            "end": "2027-06",
            "dropped": False,
        }
    ],
}


def published_chain(plan: CommunePlan) -> list[Version]:
    """The plan's published versions in order (one query): the last is what the villages are
    told, the earlier ones what amendments took out."""
    return list(
        Version.objects.filter(plan_uid=plan.uid, published_at__isnull=False).order_by("number")
    )


def feedback_row(chain: list[Version], village_plan: VillagePlan) -> dict[str, Any]:
    """One village's feedback: its proposals' fates in the last published version (none while
    nothing is published)."""
    code = village_plan.village.code
    fates = village_feedback_fates(chain, code)[1] if chain else []
    return {
        "village_code": code,
        "village_name": village_plan.village.name,
        "village_plan_uid": village_plan.uid,
        "version": chain[-1] if chain else None,
        "proposals": fates,
    }


def _village_plans(request: Any, plan: CommunePlan) -> QuerySet[VillagePlan]:
    return plans_visible_to(request.user).filter(round=plan.round_id)


FEEDBACK_TEXT = (
    "đề xuất của thôn trong phiên bản đã công bố mới nhất: quyết định của xã và lý do, phần "
    "hỗ trợ của thôn theo nguồn (công trình chung chia theo tỉ lệ hỗ trợ đề nghị), đóng góp "
    "thôn đề xuất, thời gian; đề xuất bị bản điều chỉnh bỏ ra là “rejected” với lý do điều "
    "chỉnh. Chưa công bố: version null, không có đề xuất.",
    "proposals of the village in the latest published version: the commune's decision and its "
    "reason, the village's part of the support by source (a shared work divided in proportion "
    "to the support asked), the contribution the village proposed, the period; a proposal an "
    "amendment took out is “rejected” with the amendment's reason. Nothing published yet: "
    "version null, no proposals.",
)


class FeedbackList(generics.ListAPIView[VillagePlan]):
    serializer_class = VillageFeedbackOutput
    pagination_class = CursorPage
    cursor_ordering = ("created_at", "uid")

    def get_queryset(self) -> QuerySet[VillagePlan]:
        self.commune_plan = _plan(self)
        return _village_plans(self.request, self.commune_plan)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        chain = published_chain(self.commune_plan)
        rows = [feedback_row(chain, vp) for vp in (page if page is not None else queryset)]
        return self.get_paginated_response(VillageFeedbackOutput(rows, many=True).data)

    @extend_schema(
        operation_id="commune_plan_feedback_list",
        summary=bilingual("Phản hồi cho các thôn (F13)", "Feedback to the villages (F13)"),
        description=bilingual(
            "Mỗi thôn có kế hoạch trong kỳ: " + FEEDBACK_TEXT[0],
            "Each village with a plan in the round: " + FEEDBACK_TEXT[1],
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[OpenApiExample("Thôn Diên Sanh", value=FEEDBACK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class FeedbackDetail(APIView):
    @extend_schema(
        operation_id="commune_plan_feedback_retrieve",
        summary=bilingual("Phản hồi cho một thôn (F13)", "Feedback to one village (F13)"),
        description=bilingual(
            "Thôn có mã này (không có kế hoạch trong kỳ của kế hoạch xã: 404): " + FEEDBACK_TEXT[0],
            "The village with this code (no plan in the commune plan's round: 404): "
            + FEEDBACK_TEXT[1],
        ),
        parameters=[
            OpenApiParameter(
                "village_code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=bilingual("Mã thôn", "village code"),
            )
        ],
        responses=VillageFeedbackOutput,
        examples=[OpenApiExample("Thôn Diên Sanh", value=FEEDBACK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, uid: str, village_code: str) -> Response:
        plan = _plan(self)
        village_plan = _village_plans(request, plan).filter(village__code=village_code).first()
        if village_plan is None:
            raise NotFoundError()
        row = feedback_row(published_chain(plan), village_plan)
        return Response(VillageFeedbackOutput(row).data)


class VillagePlanFeedback(APIView):
    @extend_schema(
        operation_id="village_plan_feedback_retrieve",
        summary=bilingual("Phản hồi của xã cho thôn (F13)", "The commune's feedback (F13)"),
        description=bilingual(
            "Trang Phản hồi của kế hoạch thôn, cho người dùng của thôn và của xã: "
            + FEEDBACK_TEXT[0],
            "The feedback page of the village plan, for the village's and the commune's "
            "users: " + FEEDBACK_TEXT[1],
        ),
        responses=VillageFeedbackOutput,
        examples=[OpenApiExample("Thôn Diên Sanh", value=FEEDBACK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, uid: str) -> Response:
        village_plan = plan_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        # the round's commune plan, read through the plan the user may see (as the page does)
        commune_plan = CommunePlan.objects.filter(round_id=village_plan.round_id).first()
        chain = published_chain(commune_plan) if commune_plan is not None else []
        return Response(VillageFeedbackOutput(feedback_row(chain, village_plan)).data)
