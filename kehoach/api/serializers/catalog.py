"""The catalogue (sectors, funding sources, units of measure) by public code, with the other
names people write in workbooks (aliases)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure

ALIASES_HELP = "Tên gọi khác (như trong các tệp Excel) — other names, as written in workbooks"


def _alias_texts(entry: Any) -> list[str]:
    """The entry's aliases, from the prefetched ``alias_entries`` (no query)."""
    return sorted({alias.text for alias in entry.alias_entries.all()})


class SectorOutput(serializers.Serializer[Sector]):
    code = serializers.CharField(help_text="Mã lĩnh vực — sector code")
    name = serializers.CharField(help_text="Tên — name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")
    description = serializers.CharField(help_text="Mô tả — description")
    sort_order = serializers.IntegerField(help_text="Thứ tự — sort order")
    is_active = serializers.BooleanField(help_text="Đang dùng — active")
    ntm_criteria = serializers.SerializerMethodField(
        help_text="Tiêu chí nông thôn mới (1–19) — new-rural criteria served (1–19)"
    )
    default_expenditure = serializers.CharField(
        help_text="Loại chi mặc định: investment, recurrent — default expenditure type"
    )
    aliases = serializers.SerializerMethodField(help_text=ALIASES_HELP)

    def get_ntm_criteria(self, sector: Sector) -> list[int]:
        return sector.ntm_criteria_list()

    def get_aliases(self, sector: Sector) -> list[str]:
        return _alias_texts(sector)


class FundingSourceOutput(serializers.Serializer[FundingSource]):
    code = serializers.CharField(help_text="Mã nguồn vốn — source code")
    name = serializers.CharField(help_text="Tên — name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")
    kind = serializers.CharField(help_text="Loại nguồn — kind of source")
    parent_code = serializers.CharField(
        source="parent.code",
        allow_null=True,
        default=None,
        help_text="Mã chương trình (với hợp phần) — code of the programme (for a component)",
    )
    valid_from_year = serializers.IntegerField(
        allow_null=True, help_text="Hiệu lực từ năm — first valid year"
    )
    valid_to_year = serializers.IntegerField(
        allow_null=True, help_text="Hiệu lực đến năm — last valid year"
    )
    counterpart_share_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="Tỷ lệ đối ứng bắt buộc (%) — required counterpart share (%)",
    )
    is_external = serializers.BooleanField(help_text="Hỗ trợ từ bên ngoài — external support")
    is_active = serializers.BooleanField(help_text="Đang dùng — active")
    sort_order = serializers.IntegerField(help_text="Thứ tự — sort order")
    aliases = serializers.SerializerMethodField(help_text=ALIASES_HELP)

    def get_aliases(self, source: FundingSource) -> list[str]:
        return _alias_texts(source)


class UnitOfMeasureOutput(serializers.Serializer[UnitOfMeasure]):
    code = serializers.CharField(help_text="Mã đơn vị tính — unit code")
    name = serializers.CharField(help_text="Tên — name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")
    is_active = serializers.BooleanField(help_text="Đang dùng — active")
    sort_order = serializers.IntegerField(help_text="Thứ tự — sort order")
    aliases = serializers.SerializerMethodField(help_text=ALIASES_HELP)

    def get_aliases(self, unit: UnitOfMeasure) -> list[str]:
        return sorted({*unit.alias_list(), *_alias_texts(unit)})
