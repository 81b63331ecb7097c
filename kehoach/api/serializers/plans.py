"""Village plans (Kế hoạch thôn) and their proposal lines (F6) as the API shows them: plans by
UUID, units and catalogue entries by public code."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.plans.line_values import PROPOSAL_LINE_FIELDS
from kehoach.plans.models import BasicInfo, EthnicGroup, ProposalLine, VillagePlan

CATALOG_CODES = {
    "sector": ("sector_code", "Mã lĩnh vực — sector code"),
    "unit": ("unit_of_measure_code", "Mã đơn vị tính — unit of measure code"),
    "proposed_source": (
        "proposed_source_code",
        "Mã nguồn vốn đề xuất (có thể trống) — proposed funding source code (may be null)",
    ),
}
"""The catalogue relations of a line, shown by their public codes under these names."""


class VillagePlanOutput(serializers.Serializer[VillagePlan]):
    uid = serializers.UUIDField(help_text="Mã kế hoạch thôn — village plan UUID")
    village_code = serializers.CharField(source="village.code", help_text="Mã thôn — village code")
    village_name = serializers.CharField(source="village.name", help_text="Tên thôn — village")
    commune_code = serializers.CharField(
        source="round.commune.code", help_text="Mã xã — commune code"
    )
    plan_year = serializers.IntegerField(
        source="round.plan_year", help_text="Năm kế hoạch — plan year"
    )
    round_uid = serializers.UUIDField(
        source="round.uid", help_text="Mã kỳ lập kế hoạch — planning round UUID"
    )
    status = serializers.CharField(help_text="Trạng thái: draft, submitted, returned — status")
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="Gửi xã lúc — submitted to the commune at"
    )
    created_at = serializers.DateTimeField(help_text="Tạo lúc — created at")
    updated_at = serializers.DateTimeField(help_text="Cập nhật lúc — last changed")


class EthnicGroupOutput(serializers.ModelSerializer[EthnicGroup]):
    class Meta:
        model = EthnicGroup
        fields = ["name", "households", "persons"]


class BasicInfoOutput(serializers.ModelSerializer[BasicInfo]):
    """F1 — every value of the village's basic information, with its sources."""

    ethnic_groups = EthnicGroupOutput(many=True, read_only=True)

    class Meta:
        model = BasicInfo
        exclude = ["id", "plan", "created_at"]


class VillagePlanDetailOutput(VillagePlanOutput):
    basic_info = serializers.SerializerMethodField(
        help_text="Thông tin cơ bản của thôn (F1), trống khi chưa nhập — the village's basic "
        "information (F1), null until entered"
    )

    def get_basic_info(self, plan: VillagePlan) -> dict[str, Any] | None:
        info = self.context.get("basic_info")  # read by the view, with its ethnic groups
        return BasicInfoOutput(info).data if info is not None else None


class ProposalLineOutput(serializers.ModelSerializer[ProposalLine]):
    """F6 — one proposal with every column; catalogue entries by code."""

    sector_code = serializers.CharField(source="sector.code", help_text=CATALOG_CODES["sector"][1])
    unit_of_measure_code = serializers.CharField(
        source="unit.code", help_text=CATALOG_CODES["unit"][1]
    )
    proposed_source_code = serializers.CharField(
        source="proposed_source.code",
        allow_null=True,
        default=None,
        help_text=CATALOG_CODES["proposed_source"][1],
    )
    origin_uid = serializers.UUIDField(
        source="origin.uid",
        allow_null=True,
        default=None,
        help_text="Đề xuất năm trước được chuyển sang — the line it was carried over from",
    )

    class Meta:
        model = ProposalLine
        fields = [
            "uid",
            "number",
            *(
                CATALOG_CODES[name][0] if name in CATALOG_CODES else name
                for name in PROPOSAL_LINE_FIELDS
            ),
            "outcome",
            "origin_uid",
            "version",
            "created_at",
            "updated_at",
        ]
