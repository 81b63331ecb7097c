"""The commune's funding decision on one line and the allocation run (R16–R18) as a client
writes and reads them. The input serializers only read the JSON into values; every rule (a
reason, amounts that add up to the support needed, envelope lines that may pay and have that
much left) stays in ``synthesis.services.funding``, the same the line's page goes through."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.synthesis.choices import AllocationMode
from kehoach.synthesis.services.funding import MANUAL_DECISIONS


class FundingDrawInput(serializers.Serializer[Any]):
    envelope_line_uid = serializers.UUIDField(
        help_text="Mã dòng khung nguồn lực trả tiền — the paying envelope line's UUID"
    )
    amount_mvnd = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=True,
        help_text="Số tiền (triệu đồng) — amount (million VND)",
    )


class FundingDecisionInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[str(d) for d in MANUAL_DECISIONS],
        help_text="funded (cấp vốn), unfunded, deferred, rejected — the commune's decision",
    )
    reason = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Lý do (thôn sẽ đọc) — the reason (the village reads it)",
    )
    funding = FundingDrawInput(
        many=True,
        required=False,
        help_text="Cấp vốn theo dòng khung (chỉ khi funded, cộng lại bằng phần hỗ trợ) — the "
        "funding by envelope line (funded only; adds up to the external support)",
    )


class AllocationLineOutput(serializers.Serializer[Any]):
    line_uid = serializers.UUIDField(help_text="Mã dòng — line UUID")
    funded = serializers.BooleanField(help_text="Được cấp vốn — funded")
    reason = serializers.CharField(help_text="Lý do — the reason")


class AllocationModeOutput(serializers.Serializer[Any]):
    funded_count = serializers.IntegerField(help_text="Số dòng được cấp vốn — lines funded")
    funded_mvnd = serializers.DecimalField(
        max_digits=16, decimal_places=3, help_text="Tổng cấp (triệu đồng) — funded (million VND)"
    )
    applied = serializers.BooleanField(
        help_text="Kết quả được áp dụng vào kế hoạch — the result applied to the plan"
    )
    lines = AllocationLineOutput(many=True, help_text="Kết quả từng dòng — each line's outcome")


class AllocationOutput(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField(help_text="Chỉ kiểm tra — a check only")
    greedy = AllocationModeOutput(
        help_text="Theo ưu tiên và điểm — by priority and score (" + AllocationMode.GREEDY + ")"
    )
    optimal = AllocationModeOutput(help_text="Tối ưu — optimised (" + AllocationMode.OPTIMAL + ")")
