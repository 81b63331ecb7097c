"""Five-year periods, the villages' five-year plans (F7) and the commune's five-year plan as the
API shows them (issue 18): objects by UUID, units and catalogue entries by public code, codes
never translated labels. Every value comes from the pages' own reads (``midterm.selectors``,
``selectors_drawing.year_facts``, ``selectors_commune.commune_lines``); these serializers only
name and shape it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import (
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermLine,
    MediumTermPlan,
    MediumTermRound,
    MediumTermSource,
)
from kehoach.plans.line_values import MONEY

from .plans import LineOutput
from .versions import VersionOutput

_MONEY = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"]}
ACTIVITY_COLUMNS = [
    "sector_code",
    "activity",
    "location",
    "unit_of_measure_code",
    "contribution_mvnd",
    "external_support_mvnd",
    "proposed_source_code",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "notes",
]
"""The values of a five-year activity that do not change from year to year (``ACTIVITY_FIELDS``
by the API's names: a catalogue entry by its code)."""


class PeriodOutput(serializers.Serializer[MediumTermRound]):
    uid = serializers.UUIDField(help_text="Mã kỳ kế hoạch 5 năm — five-year period UUID")
    commune_code = serializers.CharField(source="commune.code", help_text="Mã xã — commune code")
    commune_name = serializers.CharField(source="commune.name", help_text="Tên xã — commune")
    first_year = serializers.IntegerField(help_text="Năm đầu — first year")
    last_year = serializers.IntegerField(help_text="Năm cuối — last year")
    profile_code = serializers.CharField(
        source="profile.code", help_text="Mã quy trình áp dụng — process profile code"
    )
    proposals_due = serializers.DateField(
        allow_null=True, help_text="Hạn thôn gửi đề xuất — village proposals due"
    )
    approval_due = serializers.DateField(allow_null=True, help_text="Hạn phê duyệt — approval due")
    commune_plan_status = serializers.SerializerMethodField(
        help_text="Trạng thái kế hoạch 5 năm của xã (chưa bắt đầu: null) — status of the "
        "commune's five-year plan (not started: null)"
    )
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")

    def get_commune_plan_status(self, period: MediumTermRound) -> str | None:
        plan = getattr(period, "commune_plan", None)  # selected with the period
        return plan.status if plan is not None else None


class FiveYearPlanOutput(serializers.Serializer[MediumTermPlan]):
    uid = serializers.UUIDField(help_text="Mã kế hoạch thôn 5 năm — five-year village plan UUID")
    period_uid = serializers.UUIDField(
        source="round.uid", help_text="Mã kỳ kế hoạch 5 năm — five-year period UUID"
    )
    first_year = serializers.IntegerField(source="round.first_year", help_text="Năm đầu")
    last_year = serializers.IntegerField(source="round.last_year", help_text="Năm cuối")
    commune_code = serializers.CharField(
        source="round.commune.code", help_text="Mã xã — commune code"
    )
    village_code = serializers.CharField(source="village.code", help_text="Mã thôn — village code")
    village_name = serializers.CharField(source="village.name", help_text="Tên thôn — village")
    status = serializers.CharField(help_text="Trạng thái: draft, submitted, returned — status")
    meeting_plan_uid = serializers.SerializerMethodField(
        help_text="Kế hoạch thôn hằng năm có cuộc họp thôn đã xem xét kế hoạch (chưa có: null) "
        "— the yearly village plan whose meeting reviewed it (none yet: null)"
    )
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="Gửi xã lúc — submitted to the commune at"
    )
    version = serializers.IntegerField(help_text="Phiên bản — version")
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")

    def get_meeting_plan_uid(self, plan: MediumTermPlan) -> str | None:
        meeting = plan.meeting  # selected with the plan
        return str(meeting.plan.uid) if meeting is not None else None


class LineYearOutput(serializers.Serializer[Any]):
    """One year of a five-year activity; ``status`` is derived from the yearly plan it was drawn
    into (``year_statuses``), never stored."""

    year = serializers.IntegerField(help_text="Năm — year")
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, help_text="Khối lượng — quantity"
    )
    cost_mvnd = serializers.DecimalField(**_MONEY, help_text="Kinh phí (triệu đồng) — cost")
    status = serializers.ChoiceField(
        choices=YearStatus.choices,
        help_text="Tình trạng năm: planned, proposed, in_plan, not_funded, done, dropped — "
        "what became of the year",
    )
    dropped_reason = serializers.CharField(help_text="Lý do bỏ (không bỏ: rỗng) — why dropped")
    drawn_line_uid = serializers.UUIDField(
        allow_null=True,
        help_text="Đề xuất của kế hoạch thôn năm đó được lấy từ năm này (chưa lấy: null) — the "
        "yearly proposal it was drawn into (not drawn: null)",
    )


class FiveYearLineOutput(LineOutput):
    """F7 — one activity with its values and its years."""

    years = serializers.SerializerMethodField(help_text="Các năm — the years")

    class Meta:
        model = MediumTermLine
        fields = ["uid", "number", *ACTIVITY_COLUMNS, "years", "version", "updated_at"]

    @extend_schema_field(LineYearOutput(many=True))
    def get_years(self, line: MediumTermLine) -> list[Any]:
        facts = self.context["facts"]  # ``year_facts`` of every year of the plan
        rows = []
        for item in line.years.all():
            found = facts[item.pk]
            rows.append(
                {
                    "year": item.year,
                    "quantity": item.quantity,
                    "cost_mvnd": item.cost_mvnd,
                    "status": found.status,
                    "dropped_reason": item.dropped_reason,
                    "drawn_line_uid": found.drawn.uid if found.drawn is not None else None,
                }
            )
        return list(LineYearOutput(rows, many=True).data)


class FiveYearPlanDetailOutput(FiveYearPlanOutput):
    lines = serializers.SerializerMethodField(
        help_text="Các hoạt động còn hiệu lực, theo số thứ tự (F7) — the activities, by number"
    )

    @extend_schema_field(FiveYearLineOutput(many=True))
    def get_lines(self, plan: MediumTermPlan) -> list[Any]:
        lines = self.context["lines"]  # ``plan_lines``, read by the view
        return list(FiveYearLineOutput(lines, many=True, context=self.context).data)


# --- the commune's five-year plan -------------------------------------------------------------


class CommuneLineYearOutput(serializers.ModelSerializer[MediumTermCommuneLineYear]):
    class Meta:
        model = MediumTermCommuneLineYear
        fields = ["year", "quantity", "cost_mvnd"]


class SourceOutput(serializers.ModelSerializer[MediumTermSource]):
    village_line_uid = serializers.UUIDField(
        source="village_line.uid", help_text="Mã hoạt động của thôn (F7) — village activity UUID"
    )
    village_plan_uid = serializers.UUIDField(
        source="village_line.plan.uid", help_text="Mã kế hoạch thôn 5 năm — five-year plan UUID"
    )
    village_code = serializers.CharField(
        source="village_line.plan.village.code", help_text="Mã thôn — village code"
    )

    class Meta:
        model = MediumTermSource
        fields = ["village_line_uid", "village_plan_uid", "village_code", "share", "withdrawn"]


class CommuneFiveYearLineOutput(LineOutput):
    """One line of the commune's five-year plan: its values, years, village activities and the
    commune's decision."""

    merged_into_uid = serializers.UUIDField(
        source="merged_into.uid",
        allow_null=True,
        default=None,
        help_text="Dòng được gộp vào — the line it was merged into",
    )
    split_from_uid = serializers.UUIDField(
        source="split_from.uid",
        allow_null=True,
        default=None,
        help_text="Dòng được tách ra từ — the line it was split from",
    )
    state = serializers.CharField(
        help_text="Tình trạng dòng: active (trong kế hoạch), merged, split, withdrawn, removed "
        "— whether the line is in the plan"
    )
    decision = serializers.CharField(
        help_text="Quyết định của xã: pending, funded, unfunded, deferred, rejected, merged — "
        "commune decision"
    )
    years = CommuneLineYearOutput(many=True, read_only=True)
    sources = SourceOutput(many=True, read_only=True)

    class Meta:
        model = MediumTermCommuneLine
        fields = [
            "uid",
            "number",
            "state",
            "merged_into_uid",
            "split_from_uid",
            "share",
            *ACTIVITY_COLUMNS,
            "years",
            "sources",
            "decision",
            "decision_reason",
            "review_note",
            "version",
            "updated_at",
        ]


class FrameLineOutput(serializers.ModelSerializer[MediumTermFrameLine]):
    source_code = serializers.CharField(
        source="source.code", help_text="Mã chương trình, nguồn vốn — programme code"
    )
    sector_code = serializers.CharField(
        source="sector.code",
        allow_null=True,
        default=None,
        help_text="Mã lĩnh vực (mọi lĩnh vực: null) — sector code (any sector: null)",
    )

    class Meta:
        model = MediumTermFrameLine
        fields = ["uid", "source_code", "sector_code", "year", "amount_mvnd", "notes", "version"]


class CommuneFiveYearPlanOutput(serializers.Serializer[MediumTermCommunePlan]):
    uid = serializers.UUIDField(help_text="Mã kế hoạch 5 năm của xã — commune five-year plan UUID")
    period_uid = serializers.UUIDField(source="round.uid", help_text="Mã kỳ — period UUID")
    commune_code = serializers.CharField(source="round.commune.code", help_text="Mã xã")
    first_year = serializers.IntegerField(source="round.first_year", help_text="Năm đầu")
    last_year = serializers.IntegerField(source="round.last_year", help_text="Năm cuối")
    status = serializers.CharField(
        help_text="Trạng thái: draft, submitted, returned, approved, published — status"
    )
    version_number = serializers.IntegerField(
        help_text="Số phiên bản đang lập — number of the version being prepared"
    )
    is_amendment = serializers.BooleanField(help_text="Là bản điều chỉnh — an amendment")
    synthesised_at = serializers.DateTimeField(
        allow_null=True, help_text="Tổng hợp lần cuối lúc — last synthesis"
    )
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="Trình lúc — submitted")
    version = serializers.IntegerField(help_text="Phiên bản — version")
    lines = serializers.SerializerMethodField(
        help_text="Mọi dòng, trong kế hoạch hay không (state), theo số thứ tự — every line, in "
        "the plan or not (state), by number"
    )
    frame = serializers.SerializerMethodField(
        help_text="Khung nguồn lực 5 năm — the five-year resource frame"
    )
    approved_versions = serializers.SerializerMethodField(
        help_text="Các phiên bản đã phê duyệt, mới nhất trước — approved versions, newest first"
    )

    @extend_schema_field(CommuneFiveYearLineOutput(many=True))
    def get_lines(self, plan: MediumTermCommunePlan) -> list[Any]:
        return list(CommuneFiveYearLineOutput(self.context["lines"], many=True).data)

    @extend_schema_field(FrameLineOutput(many=True))
    def get_frame(self, plan: MediumTermCommunePlan) -> list[Any]:
        return list(FrameLineOutput(self.context["frame"], many=True).data)

    @extend_schema_field(VersionOutput(many=True))
    def get_approved_versions(self, plan: MediumTermCommunePlan) -> list[Any]:
        return list(VersionOutput(self.context["versions"], many=True).data)
