"""Approved versions of a commune plan (R23), the difference between two of them, and the
feedback to each village (F13) as the API shows them. Every value comes from the pages' own
reads (``synthesis.versions``, ``portal.tables``); these serializers only name and shape it.
Codes, never translated labels: the answer is the same in Vietnamese and in English."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehoach.approvals.models import Version
from kehoach.synthesis.versions import Fate


class VersionOutput(serializers.Serializer[Version]):
    """One approved version, as the approval page lists it."""

    number = serializers.IntegerField(help_text="Số phiên bản — version number")
    is_amendment = serializers.BooleanField(help_text="Là bản điều chỉnh — an amendment")
    resolution_number = serializers.CharField(
        help_text="Số nghị quyết phê duyệt — number of the approving resolution"
    )
    resolution_date = serializers.DateField(help_text="Ngày nghị quyết — resolution date")
    signer = serializers.CharField(help_text="Người ký — signed by")
    approved_at = serializers.DateTimeField(help_text="Phê duyệt lúc — approved at")
    approved_by = serializers.CharField(
        source="who", help_text="Người phê duyệt (tên lúc đó) — approved by (name at the time)"
    )
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Công bố lúc (chưa công bố: null) — published at"
    )
    has_scan = serializers.SerializerMethodField(
        help_text="Có bản quét nghị quyết — a scanned resolution is kept"
    )

    def get_has_scan(self, version: Version) -> bool:
        return bool(version.scan)


class VersionDetailOutput(VersionOutput):
    amendment_reason = serializers.CharField(
        help_text="Lý do điều chỉnh (bản gốc: rỗng) — why the amendment was made"
    )
    snapshot = serializers.JSONField(
        help_text="Ảnh chụp kế hoạch được phê duyệt: đầu mục, các dòng (số tiền, quyết định, "
        "lý do, cấp vốn, dòng thôn), khung nguồn lực, chỉ tiêu — the approved plan as kept for "
        "ever: heading, lines (amounts, decision, reason, funding, village lines), envelope, "
        "targets"
    )


# --- the difference between two versions -----------------------------------------------------


class DiffLineOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã dòng kế hoạch xã — commune line UUID")
    number = serializers.IntegerField(help_text="Số thứ tự — line number")
    activity = serializers.CharField(help_text="Hoạt động — activity")
    total_mvnd = serializers.DecimalField(
        max_digits=16, decimal_places=3, help_text="Tổng kinh phí (triệu đồng) — total cost"
    )
    decision = serializers.CharField(help_text="Quyết định của xã — commune decision")
    decision_reason = serializers.CharField(allow_blank=True, help_text="Lý do — reason")


@extend_schema_field(OpenApiTypes.STR)
class ValueField(serializers.Field):
    """A value of a snapshot: an amount as text, a text, or null."""

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return str(value)
        return str(value)


class FieldChangeOutput(serializers.Serializer[Any]):
    field = serializers.CharField(
        help_text="Cột đã đổi: activity, location, quantity, total, contribution, support, "
        "decision, decision_reason, funding:<mã nguồn> — the column that changed"
    )
    before = ValueField(allow_null=True, help_text="Giá trị trước — value before")
    after = ValueField(allow_null=True, help_text="Giá trị sau — value after")


class ChangedLineOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã dòng kế hoạch xã — commune line UUID")
    number = serializers.IntegerField(help_text="Số thứ tự — line number")
    activity = serializers.CharField(help_text="Hoạt động — activity")
    fields = FieldChangeOutput(many=True, help_text="Những gì đã đổi — what changed")


class TotalOutput(serializers.Serializer[Any]):
    before = serializers.DecimalField(max_digits=18, decimal_places=3, help_text="Trước — before")
    after = serializers.DecimalField(max_digits=18, decimal_places=3, help_text="Sau — after")


class TotalsOutput(serializers.Serializer[Any]):
    total = TotalOutput(help_text="Tổng kinh phí — total cost")
    contribution = TotalOutput(help_text="Dân đóng góp — village contribution")
    support = TotalOutput(help_text="Hỗ trợ đề nghị — external support requested")
    funded = TotalOutput(help_text="Được cấp vốn — funded")


class DiffOutput(serializers.Serializer[Any]):
    from_version = serializers.IntegerField(
        allow_null=True, help_text="So từ phiên bản (null: trước phiên bản 1) — from version"
    )
    to_version = serializers.IntegerField(help_text="Đến phiên bản — to version")
    totals = TotalsOutput(help_text="Tổng các dòng đang trong kế hoạch — totals")
    added = DiffLineOutput(many=True, help_text="Dòng thêm — lines added")
    removed = DiffLineOutput(many=True, help_text="Dòng bỏ — lines removed")
    changed = ChangedLineOutput(many=True, help_text="Dòng thay đổi — lines changed")


# --- feedback to the villages (F13) ----------------------------------------------------------


class FundingPartOutput(serializers.Serializer[Any]):
    source_code = serializers.CharField(help_text="Mã nguồn vốn — funding source code")
    amount_mvnd = serializers.DecimalField(
        max_digits=16, decimal_places=3, help_text="Số tiền (triệu đồng) — amount (million VND)"
    )


def _funding(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"source_code": r["source"], "amount_mvnd": Decimal(r["amount"])} for r in rows]


class FateOutput(serializers.Serializer[Fate]):
    """What became of one proposal of the village, from one commune line it went into (a
    proposal split into parts appears once per part)."""

    number = serializers.IntegerField(help_text="Số thứ tự đề xuất của thôn — proposal number")
    village_line_uid = serializers.CharField(
        source="village_line", help_text="Mã dòng đề xuất của thôn — village line UUID"
    )
    activity = serializers.CharField(help_text="Đề xuất của thôn — the village's proposal")
    decision = serializers.CharField(
        help_text="Quyết định của xã: funded, unfunded, deferred, rejected, merged, pending — "
        "commune decision"
    )
    decision_reason = serializers.SerializerMethodField(help_text="Lý do — reason")
    commune_line_number = serializers.SerializerMethodField(
        help_text="Số dòng kế hoạch xã — commune line number"
    )
    shared_with = serializers.ListField(
        child=serializers.CharField(),
        help_text="Các thôn cùng một công trình — villages sharing the work",
    )
    funding = serializers.SerializerMethodField(
        help_text="Phần hỗ trợ được duyệt của thôn theo nguồn — the village's approved support "
        "by source"
    )
    line_funding = serializers.SerializerMethodField(
        help_text="Hỗ trợ của cả công trình theo nguồn — the whole work's support by source"
    )
    proposed_contribution_mvnd = serializers.DecimalField(
        source="proposed_contribution",
        max_digits=16,
        decimal_places=3,
        allow_null=True,
        help_text="Đóng góp thôn đề xuất (đề xuất bị điều chỉnh bỏ: null) — proposed "
        "contribution of the village",
    )
    start = serializers.SerializerMethodField(help_text="Bắt đầu (yyyy-mm) — start month")
    end = serializers.SerializerMethodField(help_text="Kết thúc (yyyy-mm) — end month")
    dropped = serializers.BooleanField(
        help_text="Bị bỏ ra khỏi kế hoạch khi điều chỉnh — taken out by an amendment"
    )

    def get_decision_reason(self, fate: Fate) -> str:
        return str(fate.line.get("decision_reason") or "")

    def get_commune_line_number(self, fate: Fate) -> int:
        return int(fate.line["number"])

    @extend_schema_field(FundingPartOutput(many=True))
    def get_funding(self, fate: Fate) -> Any:
        return FundingPartOutput(_funding(fate.funding), many=True).data

    @extend_schema_field(FundingPartOutput(many=True))
    def get_line_funding(self, fate: Fate) -> Any:
        return FundingPartOutput(_funding(fate.line.get("funding", [])), many=True).data

    def get_start(self, fate: Fate) -> str:
        return str(fate.line.get("start", ""))

    def get_end(self, fate: Fate) -> str:
        return str(fate.line.get("end", ""))


class PublishedVersionOutput(serializers.Serializer[Version]):
    number = serializers.IntegerField(help_text="Số phiên bản — version number")
    is_amendment = serializers.BooleanField(help_text="Là bản điều chỉnh — an amendment")
    resolution_number = serializers.CharField(help_text="Số nghị quyết — resolution number")
    resolution_date = serializers.DateField(help_text="Ngày nghị quyết — resolution date")
    published_at = serializers.DateTimeField(help_text="Công bố lúc — published at")


class VillageFeedbackOutput(serializers.Serializer[Any]):
    village_code = serializers.CharField(help_text="Mã thôn — village code")
    village_name = serializers.CharField(help_text="Tên thôn — village name")
    village_plan_uid = serializers.UUIDField(help_text="Mã kế hoạch thôn — village plan UUID")
    version = PublishedVersionOutput(
        allow_null=True,
        help_text="Phiên bản đã công bố mới nhất (chưa công bố: null) — the latest published "
        "version (none yet: null)",
    )
    proposals = FateOutput(
        many=True, help_text="Số phận từng đề xuất của thôn — what became of each proposal"
    )
