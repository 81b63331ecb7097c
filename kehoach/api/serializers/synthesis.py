"""Commune plans (Kế hoạch xã) and their lines (F9) as the API shows them: the decision, the
funding by envelope line, the village lines each comes from, and the score and rank the plan
page shows (``stored_ranks``, passed in the serializer's context as ``ranks``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehoach.plans.line_values import LINE_VALUE_FIELDS
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding, LineSource

from .plans import LineOutput, value_columns


class CommunePlanOutput(serializers.Serializer[CommunePlan]):
    uid = serializers.UUIDField(help_text="Mã kế hoạch xã — commune plan UUID")
    commune_code = serializers.CharField(
        source="round.commune.code", help_text="Mã xã — commune code"
    )
    commune_name = serializers.CharField(source="round.commune.name", help_text="Tên xã — commune")
    plan_year = serializers.IntegerField(
        source="round.plan_year", help_text="Năm kế hoạch — plan year"
    )
    round_uid = serializers.UUIDField(
        source="round.uid", help_text="Mã kỳ lập kế hoạch — planning round UUID"
    )
    status = serializers.CharField(
        help_text="Trạng thái: draft, conference, submitted, returned, district_reviewed, "
        "approved, published, in_implementation, evaluated, closed — status"
    )
    version_number = serializers.IntegerField(
        help_text="Phiên bản (điều chỉnh thêm 1) — version (an amendment adds one)"
    )
    is_amendment = serializers.BooleanField(help_text="Là bản điều chỉnh — an amendment")
    synthesised_at = serializers.DateTimeField(
        allow_null=True, help_text="Tổng hợp lần cuối lúc — last synthesis at"
    )
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="Trình duyệt lúc — submitted for approval at"
    )
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")


class LineSourceOutput(serializers.Serializer[LineSource]):
    village_line_uid = serializers.UUIDField(
        source="village_line.uid", help_text="Mã dòng đề xuất của thôn — village line UUID"
    )
    village_plan_uid = serializers.UUIDField(
        source="village_line.plan.uid", help_text="Mã kế hoạch thôn — village plan UUID"
    )
    village_code = serializers.CharField(
        source="village_line.plan.village.code", help_text="Mã thôn — village code"
    )
    share = serializers.DecimalField(
        max_digits=9, decimal_places=6, help_text="Phần của dòng thôn (0–1) — share taken (0–1)"
    )
    withdrawn = serializers.BooleanField(
        help_text="Thôn đã rút hoặc xoá dòng này — the village withdrew or deleted the line"
    )


class LineFundingOutput(serializers.Serializer[LineFunding]):
    envelope_line_uid = serializers.UUIDField(
        source="envelope_line.uid", help_text="Mã dòng khung nguồn lực — envelope line UUID"
    )
    envelope_line_number = serializers.IntegerField(
        source="envelope_line.number", help_text="Số thứ tự dòng khung — envelope line number"
    )
    source_code = serializers.CharField(
        source="envelope_line.source.code", help_text="Mã nguồn vốn — funding source code"
    )
    amount_mvnd = serializers.DecimalField(
        max_digits=14, decimal_places=3, help_text="Số tiền (triệu đồng) — amount (million VND)"
    )


class RankOutput(serializers.Serializer[Any]):
    score = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="Điểm chấm — score")
    computed_rank = serializers.IntegerField(help_text="Thứ hạng theo điểm — rank by score")
    rank = serializers.IntegerField(
        help_text="Thứ hạng (xã có thể đặt tay) — rank (the commune may set it by hand)"
    )


class CommuneLineOutput(LineOutput):
    """F9 — one line of the commune plan with every column; catalogue entries by code."""

    merged_into_uid = serializers.UUIDField(
        source="merged_into.uid",
        allow_null=True,
        default=None,
        help_text="Đã gộp vào dòng này — the line it was merged into",
    )
    split_from_uid = serializers.UUIDField(
        source="split_from.uid",
        allow_null=True,
        default=None,
        help_text="Được tách từ dòng này — the line it was split from",
    )
    sources = LineSourceOutput(
        many=True, help_text="Các dòng đề xuất của thôn — the village lines it comes from"
    )
    funding = LineFundingOutput(
        many=True, help_text="Cấp vốn theo dòng khung nguồn lực — funding by envelope line"
    )
    ranking = serializers.SerializerMethodField(
        help_text="Điểm và thứ hạng (chỉ dòng đang trong kế hoạch) — score and rank (active "
        "lines only)"
    )

    class Meta:
        model = CommuneLine
        fields = [
            "uid",
            "number",
            "state",
            "merged_into_uid",
            "split_from_uid",
            "share",
            *value_columns(LINE_VALUE_FIELDS),
            "organisation",
            "village_priority",
            "expenditure_type",
            "decision",
            "decision_origin",
            "decision_reason",
            "decision_code",
            "review",
            "sources",
            "funding",
            "ranking",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(RankOutput(allow_null=True))
    def get_ranking(self, line: CommuneLine) -> dict[str, Any] | None:
        found = self.context.get("ranks", {}).get(line.pk)
        return RankOutput(found).data if found is not None else None
