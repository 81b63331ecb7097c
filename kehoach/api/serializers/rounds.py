"""Planning rounds and their resource envelope (F11) as the API shows them and as a client
writes an envelope line: rounds by UUID, units and catalogue entries by public code. The input
serializer only reads the JSON; every rule of a line is the envelope's validator's
(``synthesis.services.envelope.validators``), the same the page and the F11 workbook use."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.errors import ApplicationError, Where
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound
from kehoach.plans.services.rounds import PLAN_YEAR_MAX, PLAN_YEAR_MIN
from kehoach.synthesis.choices import AreaScope, CommunePlanStatus, Firmness, VillageFlag
from kehoach.synthesis.models import EnvelopeLine

FIELD_NAMES = {
    "source": "source_code",
    "sector": "sector_code",
    "area_villages": "area_village_codes",
}
"""The service's name of a field → the API's (for the problems' ``where.field``)."""


class RoundOutput(serializers.Serializer[PlanningRound]):
    uid = serializers.UUIDField(help_text="Mã kỳ lập kế hoạch — planning round UUID")
    commune_code = serializers.CharField(source="commune.code", help_text="Mã xã — commune code")
    commune_name = serializers.CharField(source="commune.name", help_text="Tên xã — commune")
    plan_year = serializers.IntegerField(help_text="Năm kế hoạch — plan year")
    profile_code = serializers.CharField(
        source="profile.code", help_text="Mã quy trình áp dụng — process profile code"
    )
    proposals_due = serializers.DateField(
        allow_null=True, help_text="Hạn thôn gửi đề xuất — village proposals due"
    )
    synthesis_due = serializers.DateField(
        allow_null=True, help_text="Hạn xã tổng hợp — commune synthesis due"
    )
    approval_due = serializers.DateField(allow_null=True, help_text="Hạn phê duyệt — approval due")
    status = serializers.SerializerMethodField(
        help_text="Trạng thái kế hoạch xã của kỳ (draft khi chưa lập) — status of the round's "
        "commune plan (draft before it exists)"
    )
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")

    def get_status(self, round_: PlanningRound) -> str:
        status = getattr(round_, "commune_plan_status", None)
        return str(status or CommunePlanStatus.DRAFT)


class EnvelopeLineOutput(serializers.Serializer[EnvelopeLine]):
    uid = serializers.UUIDField(help_text="Mã dòng — line UUID")
    number = serializers.IntegerField(help_text="Số thứ tự — line number")
    origin = serializers.CharField(
        help_text="Ai nhập: province (tỉnh) hoặc commune (xã) — entered by the province or "
        "the commune"
    )
    source_code = serializers.CharField(
        source="source.code", help_text="Mã chương trình/nguồn vốn — programme or source code"
    )
    sector_code = serializers.CharField(
        source="sector.code",
        allow_null=True,
        default=None,
        help_text="Mã lĩnh vực (trống: mọi lĩnh vực) — sector code (null: any sector)",
    )
    expenditure_type = serializers.CharField(
        help_text="investment, recurrent hoặc trống (cả hai) — or empty for both"
    )
    content = serializers.CharField(help_text="Nội dung hỗ trợ — support content")
    activity_keywords = serializers.CharField(
        help_text="Hoạt động được hỗ trợ (từ khóa) — eligible activities (words)"
    )
    amount_mvnd = serializers.DecimalField(
        max_digits=None, decimal_places=3, help_text="Số tiền (triệu đồng) — amount (million VND)"
    )
    firmness = serializers.CharField(help_text="notified, indicative, expected")
    counterpart_share_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        allow_null=True,
        help_text="Tỷ lệ đối ứng của dân (%, trống: theo nguồn vốn) — community contribution "
        "required (%, null: the source's)",
    )
    area_scope = serializers.CharField(help_text="all, listed, flagged")
    area_village_codes = serializers.SerializerMethodField(
        help_text="Mã các thôn được hưởng (area_scope = listed) — eligible villages"
    )
    area_flags = serializers.ListField(
        child=serializers.CharField(), help_text="Loại thôn được hưởng — eligible village kinds"
    )
    notes = serializers.CharField(help_text="Ghi chú — notes")
    used_mvnd = serializers.DecimalField(
        max_digits=None,
        decimal_places=3,
        help_text="Đã phân bổ cho các dòng kế hoạch xã (triệu đồng) — allocated to commune "
        "plan lines (million VND)",
    )
    left_mvnd = serializers.DecimalField(
        max_digits=None, decimal_places=3, help_text="Còn lại (triệu đồng) — left (million VND)"
    )
    deleted = serializers.SerializerMethodField(
        help_text="Đã xóa (có thể khôi phục) — deleted (can be restored)"
    )
    version = serializers.IntegerField(help_text="Phiên bản của dòng — the line's version")

    def get_area_village_codes(self, line: EnvelopeLine) -> list[str]:
        return sorted(v.code for v in line.area_villages.all())

    def get_deleted(self, line: EnvelopeLine) -> bool:
        return line.deleted_at is not None


class EnvelopeOutput(serializers.Serializer[Any]):
    round_uid = serializers.UUIDField(help_text="Mã kỳ lập kế hoạch — planning round UUID")
    version = serializers.IntegerField(
        help_text="Phiên bản của khung nguồn lực (ETag) — the envelope's version (ETag)"
    )
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Công bố cho các thôn lúc — published to the villages at"
    )
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text="Thay đổi lần cuối — last changed"
    )
    changed_since_published = serializers.BooleanField(
        help_text="Có thay đổi sau khi công bố — changed since it was published"
    )
    total_mvnd = serializers.DecimalField(
        max_digits=None, decimal_places=3, help_text="Tổng (triệu đồng) — total (million VND)"
    )
    used_mvnd = serializers.DecimalField(
        max_digits=None, decimal_places=3, help_text="Đã phân bổ — allocated"
    )
    left_mvnd = serializers.DecimalField(
        max_digits=None, decimal_places=3, help_text="Còn lại — left"
    )
    lines = EnvelopeLineOutput(many=True)
    deleted_lines = EnvelopeLineOutput(
        many=True,
        help_text="Các dòng đã xóa mà bạn có thể khôi phục — the deleted lines you may restore",
    )


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False, **kwargs
    )


class EnvelopeLineInput(serializers.Serializer[Any]):
    """The values of an envelope line to add or change; a change sends only what changes."""

    source_code = _text(help_text="Mã chương trình/nguồn vốn — programme or source code")
    sector_code = _text(help_text="Mã lĩnh vực (trống: mọi lĩnh vực) — sector (empty: any)")
    expenditure_type = _text(
        help_text="investment, recurrent hoặc trống (cả hai) — or empty for both"
    )
    content = _text(help_text="Nội dung hỗ trợ — support content")
    activity_keywords = _text(help_text="Hoạt động được hỗ trợ, cách nhau bởi dấu phẩy — words")
    amount_mvnd = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="Số tiền (triệu đồng) — amount (million VND)",
    )
    firmness = serializers.ChoiceField(
        choices=Firmness.values, required=False, help_text="notified, indicative, expected"
    )
    counterpart_share_pct = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="Tỷ lệ đối ứng của dân (%, trống: theo nguồn vốn) — community share (%)",
    )
    area_scope = serializers.ChoiceField(
        choices=AreaScope.values, required=False, help_text="all, listed, flagged"
    )
    area_village_codes = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=500,
        help_text="Mã các thôn được hưởng (area_scope = listed) — eligible villages",
    )
    area_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=VillageFlag.values),
        required=False,
        max_length=10,
        help_text="Loại thôn được hưởng (area_scope = flagged) — eligible village kinds",
    )
    notes = _text(help_text="Ghi chú — notes")


PLAIN_FIELDS = (
    "expenditure_type",
    "content",
    "activity_keywords",
    "amount_mvnd",
    "firmness",
    "counterpart_share_pct",
    "area_scope",
    "area_flags",
    "notes",
)


def envelope_line_data(
    values: dict[str, Any], round_: PlanningRound, row: int | None = None
) -> tuple[dict[str, Any], list[AdministrativeUnit] | None]:
    """The service's values and villages (None: keep them) from a validated
    ``EnvelopeLineInput``, as the page's form gives them: the source and the sector as their
    catalogue entries (a code not in the catalogue stays a text, which the validator refuses
    in its own words), the villages by code."""
    data: dict[str, Any] = {}
    for name in PLAIN_FIELDS:
        if name in values:
            value = values[name]
            if name in ("content", "activity_keywords", "notes", "expenditure_type"):
                value = value or ""
            data[name] = value
    if "source_code" in values:
        code = values["source_code"] or ""
        data["source"] = FundingSource.objects.filter(code=code).first() or code or None
    if "sector_code" in values:
        code = values["sector_code"] or ""
        data["sector"] = (Sector.objects.filter(code=code).first() or code) if code else None
    villages: list[AdministrativeUnit] | None = None
    if "area_village_codes" in values:
        codes = list(dict.fromkeys(values["area_village_codes"]))
        villages = list(
            AdministrativeUnit.objects.filter(code__in=codes, parent=round_.commune).current()
        )
        unknown = sorted(set(codes) - {v.code for v in villages})
        if unknown:
            raise ApplicationError(
                "village_unknown",
                _("No village of this commune has the code %(codes)s.")
                % {"codes": ", ".join(unknown)},
                Where(field="area_village_codes", row=row),
            )
    return data, villages


class RoundInput(serializers.Serializer[Any]):
    """A new planning round, as the commune page's "New planning round" form takes it."""

    commune_code = serializers.CharField(help_text="Mã xã — commune code")
    plan_year = serializers.IntegerField(
        min_value=PLAN_YEAR_MIN, max_value=PLAN_YEAR_MAX, help_text="Năm kế hoạch — plan year"
    )
    proposals_due = serializers.DateField(
        required=False, allow_null=True, help_text="Hạn thôn gửi đề xuất — village proposals due"
    )
    synthesis_due = serializers.DateField(
        required=False, allow_null=True, help_text="Hạn xã tổng hợp — commune synthesis due"
    )
    approval_due = serializers.DateField(
        required=False, allow_null=True, help_text="Hạn phê duyệt — approval due"
    )
