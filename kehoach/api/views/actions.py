"""The workflow actions of plans through the API (issue 17):
``POST /village-plans/<uid>/actions/<name>/`` and ``POST /commune-plans/<uid>/actions/<name>/``.

Each action is the very service call of the page's button — ``plans.services.workflow``
(``plan_transition``, ``plan_accept_meeting``) and ``synthesis.services.workflow``
(``commune_plan_transition``, ``commune_plan_approve``) — so the rules, the refusals (their
codes and messages), the status-change and audit rows are the page's; the history rows say
they came through the API. Every action names the plan's version it read in ``If-Match`` (the
ETag of ``GET …/<uid>/``: ``plan_version``), checked under the plan's row lock before the
service runs: 428 without it, 412 with the plan as it is now when it is older.
``?dry_run=1`` asks the services' check functions (``plan_transition_check`` …: the table's
permission and state, the step's precondition, the comment, the resolution), which read only.

An action not in the table of this plan's process profile is the workflow's own refusal (400,
``transition_unknown``); a name no plan has answers 404."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.actions import (
    AcceptMeetingInput,
    CommentInput,
    DryRunStepOutput,
    ResolutionInput,
    plan_version,
)
from kehoach.api.serializers.plans import VillagePlanDetailOutput
from kehoach.api.serializers.synthesis import CommunePlanOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.services.workflow import (
    plan_accept_meeting,
    plan_accept_meeting_check,
    plan_transition,
    plan_transition_check,
)
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user
from kehoach.synthesis.services.workflow import (
    commune_plan_approve,
    commune_plan_approve_check,
    commune_plan_transition,
    commune_plan_transition_check,
)

from .common import bilingual, uid_param
from .village_plans import village_plan_shown

Check = Callable[[Any, Any, Mapping[str, Any]], str]
"""(actor, plan, body) → the status the plan would have, or the service's refusal raised."""
Apply = Callable[[Any, Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Step:
    name: str  # in the address
    summary: tuple[str, str]  # Vietnamese, English
    description: tuple[str, str]
    check: Check
    apply: Apply
    body: type[serializers.Serializer[Any]] = CommentInput
    example: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Kind:
    segment: str  # "village-plans"
    operation: str  # "village_plans"
    model: type[Any]
    get: Callable[[Any, Any], Any]  # (user, uid) → the plan, or 404
    shown: Callable[[Any, dict[str, Any]], dict[str, Any]]
    output: PolymorphicProxySerializer


# --- village plans ----------------------------------------------------------------------------


def _village_step(action: str) -> tuple[Check, Apply]:
    def check(actor: Any, plan: Any, body: Mapping[str, Any]) -> str:
        step = plan_transition_check(
            actor=actor, plan=plan, action=action, comment=body.get("comment", "")
        )
        return str(step.target)

    def apply(actor: Any, plan: Any, body: Mapping[str, Any]) -> Any:
        return plan_transition(
            actor=actor, plan=plan, action=action, comment=body.get("comment", "")
        )

    return check, apply


def _accept_meeting_check(actor: Any, plan: Any, body: Mapping[str, Any]) -> str:
    plan_accept_meeting_check(actor=actor, plan=plan, reason=body.get("reason", ""))
    return str(plan.status)


def _accept_meeting(actor: Any, plan: Any, body: Mapping[str, Any]) -> Any:
    return plan_accept_meeting(actor=actor, plan=plan, reason=body.get("reason", ""))


VILLAGE_STEPS = (
    Step(
        "submit",
        ("Gửi kế hoạch thôn lên xã", "Submit the village plan to the commune"),
        (
            "Như nút Gửi xã trên trang (sau khi xác nhận): mọi dòng được kiểm tra lại, số hoạt "
            "động ưu tiên mỗi lĩnh vực (R3), biên bản họp thôn đủ số và tán thành, hoặc đã được "
            "lãnh đạo xã chấp nhận (accept-meeting). Sau khi gửi, thôn không sửa được nữa.",
            "As the page's Submit button (once confirmed): every line is checked again, the "
            "priorities per sector (R3), a quorate and approving village meeting, or one the "
            "commune leader accepted (accept-meeting). Once submitted the village can no "
            "longer change it.",
        ),
        *_village_step("submit"),
        example={},
    ),
    Step(
        "return",
        ("Trả kế hoạch thôn để sửa", "Return the village plan for revision"),
        (
            "Xã trả kế hoạch đã gửi về thôn; comment (điều cần sửa) bắt buộc.",
            "The commune returns a submitted plan to the village; comment (what must change) "
            "is required.",
        ),
        *_village_step("return"),
        example={"comment": "Bổ sung biên bản họp thôn có chữ ký."},
    ),
    Step(
        "revise",
        ("Mở lại kế hoạch thôn để sửa", "Reopen the village plan for revision"),
        (
            "Kế hoạch bị trả về trở lại bản nháp để thôn sửa.",
            "A returned plan becomes a draft again for the village to change.",
        ),
        *_village_step("revise"),
        example={},
    ),
    Step(
        "accept-meeting",
        ("Chấp nhận cuộc họp thôn chưa đạt", "Accept a village meeting that fell short"),
        (
            "Lãnh đạo xã chấp nhận cuộc họp thôn đã ghi biên bản nhưng chưa đủ số hộ dự hoặc "
            "chưa đủ tán thành, nêu lý do (reason, bắt buộc); không áp dụng cho cuộc họp chưa "
            "ghi biên bản (R11). Trạng thái không đổi; sau đó kế hoạch có thể gửi xã.",
            "The commune leader accepts a recorded village meeting without quorum or approval, "
            "with a reason (required); never a meeting not recorded (R11). The status does not "
            "change; the plan may then be submitted.",
        ),
        _accept_meeting_check,
        _accept_meeting,
        body=AcceptMeetingInput,
        example={"reason": "Mưa lũ, nhiều hộ không thể đến họp."},
    ),
)


# --- commune plans ----------------------------------------------------------------------------


def _commune_step(action: str) -> tuple[Check, Apply]:
    def check(actor: Any, plan: Any, body: Mapping[str, Any]) -> str:
        step = commune_plan_transition_check(
            actor=actor, plan=plan, action=action, comment=body.get("comment", "")
        )
        return str(step.target)

    def apply(actor: Any, plan: Any, body: Mapping[str, Any]) -> Any:
        return commune_plan_transition(
            actor=actor, plan=plan, action=action, comment=body.get("comment", "")
        )

    return check, apply


def _approve_check(actor: Any, plan: Any, body: Mapping[str, Any]) -> str:
    data = dict(body)
    step = commune_plan_approve_check(
        actor=actor, plan=plan, data=data, comment=data.pop("comment", "")
    )
    return str(step.target)


def _approve(actor: Any, plan: Any, body: Mapping[str, Any]) -> Any:
    data = dict(body)
    return commune_plan_approve(actor=actor, plan=plan, data=data, comment=data.pop("comment", ""))


def _commune(
    name: str, summary: tuple[str, str], description: tuple[str, str], example: Any = None
) -> Step:
    return Step(name, summary, description, *_commune_step(name), example=example or {})


COMMUNE_STEPS = (
    _commune(
        "agree",
        ("Ghi nhận thống nhất tại hội nghị xã", "Record the agreement of the commune conference"),
        (
            "Chỉ khi quy trình có bước hội nghị xã: bản nháp thành bản đã thống nhất; comment "
            "bắt buộc.",
            "Only when the process has the commune conference step: the draft becomes agreed; "
            "comment is required.",
        ),
        {"comment": "Hội nghị xã ngày 20/10 thống nhất danh mục."},
    ),
    _commune(
        "reopen",
        ("Mở lại bản nháp", "Reopen the draft"),
        (
            "Chỉ khi quy trình có bước hội nghị xã: bản đã thống nhất trở lại bản nháp; comment "
            "bắt buộc.",
            "Only when the process has the commune conference step: the agreed plan becomes a "
            "draft again; comment is required.",
        ),
        {"comment": "Bổ sung công trình của thôn Mỹ Chánh."},
    ),
    _commune(
        "submit",
        ("Trình duyệt kế hoạch xã", "Submit the commune plan for approval"),
        (
            "Như nút Trình duyệt trên trang (sau khi xác nhận): mọi dòng đang trong kế hoạch "
            "phải có quyết định và lý do (R22).",
            "As the page's Submit button (once confirmed): every active line needs a decision "
            "and a reason (R22).",
        ),
    ),
    _commune(
        "return",
        ("Trả kế hoạch xã để sửa", "Return the commune plan for revision"),
        (
            "Trả kế hoạch đã trình về xã; cần comment nói điều cần sửa, ở đây hoặc trên các "
            "dòng liên quan.",
            "Return a submitted plan; a comment must say what to change, here or on the lines "
            "concerned.",
        ),
        {"comment": "Làm rõ nguồn vốn của dòng 4."},
    ),
    _commune(
        "revise",
        ("Mở lại kế hoạch xã để sửa", "Reopen the commune plan for revision"),
        (
            "Kế hoạch bị trả về trở lại bản nháp.",
            "A returned plan becomes a draft again.",
        ),
    ),
    _commune(
        "review",
        ("Ghi nhận ý kiến thẩm định của huyện", "Record the district's review"),
        (
            "Chỉ khi quy trình có bước huyện thẩm định (dữ liệu trước 2025); comment bắt buộc.",
            "Only when the process has the district review step (data before 2025); comment "
            "is required.",
        ),
        {"comment": "Huyện đồng ý, đề nghị phê duyệt."},
    ),
    Step(
        "approve",
        ("Phê duyệt theo nghị quyết HĐND xã", "Approve with the council's resolution"),
        (
            "Phê duyệt với số, ngày và người ký nghị quyết của HĐND xã (R23); lưu phiên bản "
            "không thể sửa. Bản quét nghị quyết không gửi qua API: tải lên ở trang phê duyệt "
            "(dịch vụ cho phép phê duyệt không kèm bản quét).",
            "Approve with the number, date and signer of the commune council's resolution "
            "(R23); stores the version that can no longer change. The resolution's scan is "
            "not sent through the API: upload it on the approval page (the service approves "
            "without one).",
        ),
        _approve_check,
        _approve,
        body=ResolutionInput,
        example={
            "resolution_number": "25/NQ-HĐND",
            "resolution_date": "2026-12-01",
            "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
        },
    ),
    _commune(
        "publish",
        ("Công bố và gửi phản hồi cho các thôn", "Publish and send the feedback to the villages"),
        (
            "Công bố phiên bản đã phê duyệt; mọi dòng phải có quyết định và lý do (R22); kết "
            "quả của từng đề xuất được ghi vào kế hoạch thôn.",
            "Publish the approved version; every line needs a decision and a reason (R22); "
            "each proposal's outcome is recorded in its village plan.",
        ),
    ),
    _commune(
        "start",
        ("Bắt đầu thực hiện", "Start implementation"),
        ("Kế hoạch đã công bố chuyển sang thực hiện.", "A published plan goes into effect."),
    ),
    _commune(
        "evaluate",
        ("Đánh dấu đã đánh giá năm", "Mark the year as evaluated"),
        (
            "Chỉ khi đã ghi đánh giá năm (theo dõi, F15).",
            "Only once the year's evaluation is written (monitoring, F15).",
        ),
    ),
    _commune(
        "close",
        ("Đóng kế hoạch", "Close the plan"),
        ("Kế hoạch đã đánh giá được đóng lại.", "An evaluated plan is closed."),
    ),
    _commune(
        "amend",
        ("Bắt đầu điều chỉnh", "Start an amendment"),
        (
            "Sau phê duyệt, thay đổi là một bản điều chỉnh: kế hoạch trở thành bản nháp của "
            "phiên bản tiếp theo; comment (lý do điều chỉnh) bắt buộc.",
            "After approval a change is an amendment: the plan becomes the draft of its next "
            "version; comment (why) is required.",
        ),
        {"comment": "Điều chỉnh theo nguồn vốn bổ sung của tỉnh."},
    ),
)


def _commune_plan_shown(plan: CommunePlan, context: dict[str, Any]) -> dict[str, Any]:
    return dict(CommunePlanOutput(plan, context=context).data)


def _output(name: str, plan: type[serializers.Serializer[Any]]) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[plan, DryRunStepOutput],
        resource_type_field_name=None,
    )


VILLAGE = Kind(
    "village-plans",
    "village_plans",
    VillagePlan,
    lambda user, uid: plan_get_for_user(user=user, uid=uid),
    village_plan_shown,
    _output("VillagePlanActionOutput", VillagePlanDetailOutput),
)
COMMUNE = Kind(
    "commune-plans",
    "commune_plans",
    CommunePlan,
    lambda user, uid: commune_plan_get_for_user(user=user, uid=uid),
    _commune_plan_shown,
    _output("CommunePlanActionOutput", CommunePlanOutput),
)


# --- the endpoints ----------------------------------------------------------------------------


class PlanAction(APIView):
    """One action of one kind of plan (a subclass per action: each has its own schema)."""

    kind: Kind
    step: Step

    def _context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self}

    def _shown(self, plan: Any) -> dict[str, Any]:
        return self.kind.shown(plan, self._context())

    def act(self, request: Request) -> Response:
        plan = self.kind.get(request.user, uid_param(self.kwargs))
        if is_dry_run(request):
            require_version(request, plan_version(plan), lambda: self._shown(plan))
            body = self._body(request)
            return Response({"dry_run": True, "to": self.step.check(request.user, plan, body)})
        with transaction.atomic():
            locked = self.kind.model.objects.select_for_update().get(pk=plan.pk)
            require_version(request, plan_version(locked), lambda: self._shown(locked))
            body = self._body(request)
            self.step.apply(request.user, plan, body)
        done = self.kind.get(request.user, plan.uid)
        return Response(self._shown(done), headers={"ETag": etag(plan_version(done))})

    def _body(self, request: Request) -> dict[str, Any]:
        given = self.step.body(data=request.data)
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)


def _view(kind: Kind, step: Step) -> type[PlanAction]:
    examples = (
        [OpenApiExample(step.summary[0], value=dict(step.example), request_only=True)]
        if step.example is not None
        else []
    )

    @extend_schema(
        operation_id=f"{kind.operation}_actions_{step.name.replace('-', '_')}",
        summary=bilingual(*step.summary),
        description=bilingual(
            f"{step.description[0]} If-Match bắt buộc (ETag của kế hoạch); ?dry_run=1 chỉ "
            "kiểm tra và trả lời trạng thái sẽ có (to).",
            f"{step.description[1]} If-Match is required (the plan's ETag); ?dry_run=1 only "
            "checks and answers the status it would have (to).",
        ),
        request=step.body,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: kind.output},
        examples=examples,
    )
    def post(self: PlanAction, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.act(request)

    name = "".join(part.title() for part in (kind.operation, step.name.replace("-", "_")))
    return type(
        f"{name.replace('_', '')}Action", (PlanAction,), {"kind": kind, "step": step, "post": post}
    )


class UnknownAction(APIView):
    """An action name no plan has: 404 (outside the schema: the known ones are listed)."""

    @extend_schema(exclude=True)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFoundError()


def url_patterns() -> list[Any]:
    """The addresses of every action, then the one that answers 404 to any other name."""
    from django.urls import path

    found = [
        path(
            f"{kind.segment}/<str:uid>/actions/{step.name}/",
            _view(kind, step).as_view(),
            name=f"{kind.segment[:-1]}-action-{step.name}",
        )
        for kind, steps in ((VILLAGE, VILLAGE_STEPS), (COMMUNE, COMMUNE_STEPS))
        for step in steps
    ]
    found += [
        path(
            f"{kind.segment}/<str:uid>/actions/<str:name>/",
            UnknownAction.as_view(),
            name=f"{kind.segment[:-1]}-action-unknown",
        )
        for kind in (VILLAGE, COMMUNE)
    ]
    return found
