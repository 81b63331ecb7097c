"""The evaluation of a commune plan's year as the API writes it (issue 17, F15–F16): a work's
evaluation, a batch of them, the year's evaluation and the targets' values achieved — the
shape of the input only (every rule stays in ``monitoring.validators.evaluation``) — and what
each write answers, with the versions to send back in ``If-Match``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.monitoring.choices import Opinion
from kehoach.monitoring.models import LineEvaluation, PlanEvaluation

from .progress import EvaluationOutput, EvaluationTargetOutput, EvaluationWorkOutput

BATCH_MAX = 500
"""The most works one batch may carry (a commune plan has a few dozen)."""


def _text(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, help_text=help_text
    )


class LineEvaluationInput(serializers.Serializer[Any]):
    """The page's form of a work's evaluation; a field left out is empty."""

    deviation_reason = _text(
        "Lý do chênh lệch so với kế hoạch (bắt buộc khi làm ít hơn kế hoạch hoặc chưa hoàn "
        "thành) — reasons for the difference from the plan"
    )
    beneficiary_opinion = serializers.ChoiceField(
        choices=Opinion.choices,
        default=Opinion.NOT_ASKED,
        help_text="satisfied, partly, not_satisfied, not_asked — ý kiến người hưởng lợi — "
        "beneficiaries' opinion",
    )
    opinion_notes = _text("Người hưởng lợi nói gì — what the beneficiaries said")
    operation_maintenance = _text(
        "Quản lý, vận hành, bảo trì (bắt buộc khi đã hoàn thành) — operation and maintenance"
    )
    lesson = _text("Bài học — lesson")

    def values(self) -> dict[str, Any]:
        return dict(self.validated_data)


class LineEvaluationBatchItem(LineEvaluationInput):
    line_uid = serializers.UUIDField(help_text="Mã công trình — work UUID")
    version = serializers.IntegerField(
        min_value=0,
        help_text="Phiên bản đã đọc (0 khi chưa đánh giá) — the version you read (0 when none)",
    )


class LineEvaluationBatchInput(serializers.Serializer[Any]):
    items = LineEvaluationBatchItem(many=True, allow_empty=False, max_length=BATCH_MAX)


class LineEvaluationOutput(serializers.Serializer[LineEvaluation]):
    line_uid = serializers.UUIDField(source="line.uid", help_text="Mã công trình — work UUID")
    deviation_reason = serializers.CharField()
    beneficiary_opinion = serializers.ChoiceField(choices=Opinion.choices)
    opinion_notes = serializers.CharField()
    operation_maintenance = serializers.CharField()
    lesson = serializers.CharField()
    version = serializers.IntegerField(help_text="Phiên bản (ETag) — version (the ETag)")
    updated_at = serializers.DateTimeField(help_text="Lưu lúc — saved at")


class LineEvaluationBatchOutput(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="Đánh giá mới — evaluations created")
    updated = serializers.IntegerField(help_text="Đánh giá đã sửa — evaluations changed")
    evaluations = LineEvaluationOutput(many=True)


class PlanEvaluationInput(serializers.Serializer[Any]):
    """The page's form of the year's evaluation; a field left out is empty."""

    evaluated_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Ngày đánh giá — date"
    )
    results_achieved = _text("Kết quả đạt được (bắt buộc) — results achieved (required)")
    shortcomings = _text("Tồn tại, hạn chế và nguyên nhân — shortcomings and their causes")
    lessons = _text("Bài học — lessons")

    def values(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data["results"] = data.pop("results_achieved")
        return data


class PlanEvaluationOutput(serializers.Serializer[PlanEvaluation]):
    evaluated_on = serializers.DateField(help_text="Ngày đánh giá — date")
    results_achieved = serializers.CharField(source="results", help_text="Kết quả — results")
    shortcomings = serializers.CharField(help_text="Tồn tại, hạn chế — shortcomings")
    lessons = serializers.CharField(help_text="Bài học — lessons")
    version = serializers.IntegerField(help_text="Phiên bản (ETag) — version (the ETag)")


class TargetAchievedItem(serializers.Serializer[Any]):
    indicator_code = serializers.CharField(help_text="Mã chỉ tiêu — indicator code")
    achieved = serializers.DecimalField(
        max_digits=24,
        decimal_places=6,
        allow_null=True,
        help_text="Giá trị đạt được (null: xóa) — the value achieved (null: removed)",
    )
    notes = _text("Ghi chú — notes")


class TargetAchievementsInput(serializers.Serializer[Any]):
    rows = TargetAchievedItem(many=True, max_length=BATCH_MAX)

    def rows_for_service(self) -> dict[str, dict[str, Any]]:
        return {
            row["indicator_code"]: {"achieved": row["achieved"], "notes": row["notes"]}
            for row in self.validated_data["rows"]
        }


class TargetAchievedOutput(EvaluationTargetOutput):
    notes = serializers.CharField(help_text="Ghi chú — notes")


class TargetAchievementsOutput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        help_text="Phiên bản các giá trị đạt được (ETag; 0 khi chưa có) — version of the "
        "values achieved (the ETag; 0 while there is none)"
    )
    rows = TargetAchievedOutput(many=True)


class EvaluationWorkVersioned(EvaluationWorkOutput):
    version = serializers.SerializerMethodField(
        help_text="Phiên bản đánh giá của công trình (0 khi chưa có) — the work's evaluation "
        "version (0 when none)"
    )

    def get_version(self, row: Any) -> int:
        return row.evaluation.version if row.evaluation else 0


class EvaluationReadOutput(EvaluationOutput):
    """The evaluation page as the API reads it, with the versions its writes take."""

    version = serializers.IntegerField(
        help_text="Phiên bản đánh giá năm (ETag; 0 khi chưa có) — the year's evaluation "
        "version (the ETag; 0 when none)"
    )
    targets_version = serializers.IntegerField(
        help_text="Phiên bản các giá trị đạt được — version of the values achieved"
    )
    works = EvaluationWorkVersioned(source="rows", many=True)
    targets = TargetAchievedOutput(many=True)
