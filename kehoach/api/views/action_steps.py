"""The workflow steps the API offers on plans (split out of ``actions``): for each, its name
in the address, its schema texts, the service's check (for ``?dry_run=1``) and the service call
of the page's button, with the body it reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from kehoach.api.serializers.actions import (
    AcceptMeetingInput,
    CommentInput,
    ResolutionInput,
)
from kehoach.plans.services.workflow import (
    plan_accept_meeting,
    plan_accept_meeting_check,
    plan_transition,
    plan_transition_check,
)
from kehoach.synthesis.services.workflow import (
    commune_plan_approve,
    commune_plan_approve_check,
    commune_plan_transition,
    commune_plan_transition_check,
)

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
