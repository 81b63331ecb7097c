"""The bodies of the workflow actions (``…/actions/<name>/``) and a plan's version as the API
tags it. The input serializers only parse JSON: every rule (the comment a step needs, the
resolution's number, date and signer, the reason for accepting a meeting) stays in the
workflow services, which answer the same problems as on the pages."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def plan_version(plan: Any) -> int:
    """A plan's version for its ETag: its ``updated_at`` in microseconds since 1970. Every
    step of a workflow saves the plan (``approvals.workflow.transition_apply``), and so does
    accepting a meeting, so the number changes with every action; village plans have no
    version column, and commune plans' ``data_version`` does not move on a step."""
    return int((plan.updated_at - EPOCH) // MICROSECOND)


class CommentInput(serializers.Serializer[Any]):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Ý kiến kèm theo (bắt buộc khi trả về, điều chỉnh …: điều cần sửa) — a "
        "comment (required to return, amend …: what must change)",
    )


class AcceptMeetingInput(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Lý do chấp nhận cuộc họp (bắt buộc) — why the meeting is accepted (required)",
    )


class ResolutionInput(serializers.Serializer[Any]):
    """The council's resolution (R23). Its scan is uploaded on the approval page: the API
    approves without one (the service allows it)."""

    resolution_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Số nghị quyết, ví dụ 25/NQ-HĐND — the resolution's number",
    )
    resolution_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Ngày nghị quyết (không sau hôm nay) — the resolution's date (not in the future)",
    )
    signer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Người ký — who signed it",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Ý kiến (trống: số, ngày và người ký nghị quyết) — a comment (empty: the "
        "resolution's number, date and signer)",
    )


class DryRunStepOutput(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField(help_text="Luôn true — always true")
    to = serializers.CharField(
        help_text="Trạng thái kế hoạch sẽ có — the status the plan would have"
    )
