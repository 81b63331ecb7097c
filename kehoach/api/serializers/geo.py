"""Administrative units as the API shows them: by public code, never by primary key."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehoach.geo.models import AdministrativeUnit, UnitSuccession


class SuccessionOutput(serializers.Serializer[UnitSuccession]):
    code = serializers.CharField(help_text="Mã đơn vị — unit code")
    kind = serializers.CharField(
        help_text="Loại thay đổi: merged, split, renamed, transferred — kind of change"
    )
    effective_date = serializers.DateField(help_text="Ngày hiệu lực — effective date")


class UnitOutput(serializers.Serializer[AdministrativeUnit]):
    code = serializers.CharField(help_text="Mã đơn vị (mã công khai) — public unit code")
    official_code = serializers.CharField(
        help_text="Mã theo danh mục chính thức (trống với thôn) — official code (empty for "
        "villages)"
    )
    name = serializers.CharField(help_text="Tên — name")
    kind = serializers.CharField(help_text="Loại đơn vị (tinh, xa, phuong, thon…) — kind")
    level = serializers.IntegerField(
        help_text="Cấp: 1 tỉnh, 2 huyện (trước 2025), 3 xã, 4 thôn — level: 1 province, "
        "2 former district, 3 commune, 4 village"
    )
    parent_code = serializers.SerializerMethodField(
        help_text="Mã đơn vị cấp trên — code of the parent unit"
    )
    valid_from = serializers.DateField(allow_null=True, help_text="Hiệu lực từ — valid from")
    valid_to = serializers.DateField(
        allow_null=True, help_text="Hiệu lực đến (trống: còn hiệu lực) — valid to (null: current)"
    )
    end_reason = serializers.CharField(help_text="Lý do chấm dứt — reason for ending")
    successors = serializers.SerializerMethodField(
        help_text="Đơn vị kế thừa — successor units (merged into, split into …)"
    )
    predecessors = serializers.SerializerMethodField(
        help_text="Đơn vị tiền thân — predecessor units"
    )
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")

    def get_parent_code(self, unit: AdministrativeUnit) -> str | None:
        codes = unit.ancestor_codes()  # from the path: no query
        return codes[-1] if codes else None

    @staticmethod
    def _links(rows: Any, side: str) -> list[dict[str, Any]]:
        return [
            {
                "code": getattr(row, side).code,
                "kind": row.kind,
                "effective_date": row.effective_date,
            }
            for row in rows
        ]

    @extend_schema_field(SuccessionOutput(many=True))
    def get_successors(self, unit: AdministrativeUnit) -> list[dict[str, Any]]:
        return SuccessionOutput(self._links(unit.successions.all(), "successor"), many=True).data

    @extend_schema_field(SuccessionOutput(many=True))
    def get_predecessors(self, unit: AdministrativeUnit) -> list[dict[str, Any]]:
        return SuccessionOutput(
            self._links(unit.predecessions.all(), "predecessor"), many=True
        ).data
