"""A village plan's findings (F3 SWOT, F4 problems, F5 ranking) as the API shows and takes
them (issue 17). The input serializers only read the JSON into values; every rule (an active
sector, texts and their bounds, counts, priorities, scores, the linked proposals) is the
findings services' validators', the same the pages go through. Catalogue entries by code,
proposals and findings by UUID, never a primary key; each record's version (its ETag) is its
``version`` column, bumped by every write."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.plans.models import Problem, ProposalLine, SwotEntry
from kehoach.plans.services.findings import RankingRow

VERSION_HELP = (
    "Phiên bản, tăng sau mỗi lần lưu; gửi lại trong If-Match — the version, increased by every "
    "save; sent back in If-Match"
)


# --- F3: SWOT ----------------------------------------------------------------------------------

SWOT_TEXT_HELP = {
    "strengths": "Điểm mạnh — strengths",
    "weaknesses": "Điểm yếu — weaknesses",
    "opportunities": "Cơ hội — opportunities",
    "threats": "Thách thức — threats",
    "implication": "Ý nghĩa với kế hoạch — what it means for the plan",
}


class SwotInput(serializers.Serializer[Any]):
    """A sector's SWOT entry, written whole (a text left out is empty)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.CharField(
                required=False,
                allow_blank=True,
                allow_null=True,
                trim_whitespace=False,
                help_text=help_text,
            )
            for name, help_text in SWOT_TEXT_HELP.items()
        }


class SwotOutput(serializers.Serializer[SwotEntry]):
    sector_code = serializers.CharField(source="sector.code", help_text="Mã lĩnh vực — sector code")
    strengths = serializers.CharField(help_text=SWOT_TEXT_HELP["strengths"])
    weaknesses = serializers.CharField(help_text=SWOT_TEXT_HELP["weaknesses"])
    opportunities = serializers.CharField(help_text=SWOT_TEXT_HELP["opportunities"])
    threats = serializers.CharField(help_text=SWOT_TEXT_HELP["threats"])
    implication = serializers.CharField(help_text=SWOT_TEXT_HELP["implication"])
    version = serializers.IntegerField(help_text=VERSION_HELP)
    updated_at = serializers.DateTimeField()


# --- F4: problems ------------------------------------------------------------------------------


class LineRef(serializers.Serializer[ProposalLine]):
    uid = serializers.UUIDField(help_text="Mã đề xuất — proposal UUID")
    number = serializers.IntegerField(help_text="Số thứ tự (F6) — line number (F6)")
    activity = serializers.CharField(help_text="Hoạt động — activity")


class SolutionOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField(help_text="Số thứ tự — position")
    text = serializers.CharField(help_text="Giải pháp — solution")
    lines = LineRef(many=True, help_text="Các đề xuất từ giải pháp — the proposals it produced")


class SolutionInput(serializers.Serializer[Any]):
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Giải pháp — solution"
    )
    lines = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=1000,
        help_text="Mã các đề xuất (F6) của kế hoạch mà giải pháp sinh ra — UUIDs of the plan's "
        "proposals (F6) it produced",
    )


COUNT_HELP = {
    "affected_households": "Số hộ bị ảnh hưởng — households affected",
    "affected_poor": "Trong đó hộ nghèo — of which poor",
    "affected_women": "Số phụ nữ bị ảnh hưởng — women affected",
    "affected_em": "Trong đó hộ dân tộc thiểu số — of which ethnic minority",
}


class ProblemInput(serializers.Serializer[Any]):
    """A problem's values; a change sends only what changes (``solutions``, when sent,
    replaces all of them)."""

    sector_code = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Mã lĩnh vực — sector code"
    )
    problem = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        help_text="Vấn đề — problem",
    )
    affected_households = serializers.IntegerField(
        required=False, allow_null=True, help_text=COUNT_HELP["affected_households"]
    )
    affected_poor = serializers.IntegerField(
        required=False, allow_null=True, help_text=COUNT_HELP["affected_poor"]
    )
    affected_women = serializers.IntegerField(
        required=False, allow_null=True, help_text=COUNT_HELP["affected_women"]
    )
    affected_em = serializers.IntegerField(
        required=False, allow_null=True, help_text=COUNT_HELP["affected_em"]
    )
    causes = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        help_text="Nguyên nhân, mỗi dòng một — causes, one per line",
    )
    priority = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Thứ tự ưu tiên của vấn đề (1..số vấn đề, có thể trống) — problem priority "
        "(1..number of problems, may be null)",
    )
    solutions = SolutionInput(many=True, required=False, max_length=100)


class ProblemOutput(serializers.Serializer[Problem]):
    uid = serializers.UUIDField(help_text="Mã vấn đề — problem UUID")
    sector_code = serializers.CharField(source="sector.code", help_text="Mã lĩnh vực — sector code")
    problem = serializers.CharField(help_text="Vấn đề — problem")
    affected_households = serializers.IntegerField(help_text=COUNT_HELP["affected_households"])
    affected_poor = serializers.IntegerField(help_text=COUNT_HELP["affected_poor"])
    affected_women = serializers.IntegerField(help_text=COUNT_HELP["affected_women"])
    affected_em = serializers.IntegerField(help_text=COUNT_HELP["affected_em"])
    causes = serializers.CharField(help_text="Nguyên nhân, mỗi dòng một — causes, one per line")
    priority = serializers.IntegerField(allow_null=True, help_text="Thứ tự ưu tiên — priority")
    solutions = SolutionOutput(many=True, source="solutions.all")
    version = serializers.IntegerField(help_text=VERSION_HELP)
    updated_at = serializers.DateTimeField()


# --- F5: ranking -------------------------------------------------------------------------------


class RankingItemValues(serializers.Serializer[Any]):
    """A ranking row's values, written whole."""

    label = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Vấn đề hoặc hoạt động — problem or activity",
    )
    line_uid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Mã đề xuất (F6) của kế hoạch mà dòng đại diện (có thể trống) — UUID of the "
        "plan's proposal (F6) the row stands for (may be null)",
    )
    scores = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Điểm theo mã tiêu chí (số nguyên, trống khi chưa chấm) — scores by criterion "
        "code (whole numbers, null while not yet scored)",
    )


class CriterionOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã tiêu chí — criterion code")
    name = serializers.CharField(help_text="Tên tiêu chí — criterion name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")
    weight = serializers.DecimalField(
        max_digits=None, decimal_places=None, coerce_to_string=True, help_text="Trọng số — weight"
    )


def ranking_row_shown(row: RankingRow) -> dict[str, Any]:
    item = row.item
    return {
        "uid": str(item.uid),
        "label": item.label,
        "line": (
            {"uid": str(item.line.uid), "number": item.line.number, "activity": item.line.activity}
            if item.line is not None
            else None
        ),
        "scores": row.scores,
        "total": str(row.total),
        "rank": row.rank,
        "missing": row.missing,
        "version": item.version,
        "updated_at": serializers.DateTimeField().to_representation(item.updated_at),
    }


class RankingRowOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã dòng — row UUID")
    label = serializers.CharField(help_text="Vấn đề hoặc hoạt động — problem or activity")
    line = LineRef(allow_null=True, help_text="Đề xuất mà dòng đại diện — the proposal it is")
    scores = serializers.DictField(
        child=serializers.IntegerField(), help_text="Điểm đã chấm — the scores given so far"
    )
    total = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=True,
        help_text="Tổng điểm = Σ trọng số × điểm — total = Σ weight × score",
    )
    rank = serializers.IntegerField(
        allow_null=True, help_text="Hạng (trống khi chưa chấm) — rank (null while unscored)"
    )
    missing = serializers.IntegerField(help_text="Số tiêu chí chưa chấm — criteria not scored")
    version = serializers.IntegerField(help_text=VERSION_HELP)
    updated_at = serializers.DateTimeField()


class RankingOutput(serializers.Serializer[Any]):
    criteria = CriterionOutput(many=True)
    rows = RankingRowOutput(many=True, help_text="Theo hạng — by rank")
    score_min = serializers.IntegerField()
    score_max = serializers.IntegerField()
