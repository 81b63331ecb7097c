"""A commune plan's socio-economic targets table (F16) as the API shows and takes it (issue 17).

The table is the page's: one row per indicator of the catalogue (active ones, and retired ones
the plan has values for), by indicator code. The input serializer only reads the JSON into
values; every rule (bounds, no negative share or count) is ``clean_targets``', the same the page
goes through. The table's version (its ETag) is the last save of any of its rows: their newest
``updated_at`` in microseconds since the epoch, 0 while the plan has none (``targets_apply``
stamps every row it adds or changes, so any save moves it)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Max
from rest_framework import serializers

from kehoach.synthesis.models import CommunePlan, TargetValue
from kehoach.synthesis.selectors import TargetRow

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

VALUE_HELP = {
    "actual_previous": "Thực hiện năm trước năm hiện tại — actual, year before the current one",
    "plan_current": "Kế hoạch năm hiện tại — plan, current year",
    "estimate_current": "Ước thực hiện năm hiện tại — estimate, current year",
    "plan_next": "Kế hoạch năm kế hoạch — plan, plan year",
}


def targets_version(plan: CommunePlan) -> int:
    """The table's version: its newest row's ``updated_at`` in microseconds, 0 without rows."""
    newest = TargetValue.objects.filter(plan=plan).aggregate(newest=Max("updated_at"))["newest"]
    if newest is None:
        return 0
    delta = newest - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _value(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class TargetRowOutput(serializers.Serializer[TargetRow]):
    indicator_code = serializers.CharField(
        source="indicator.code", help_text="Mã chỉ tiêu — indicator code"
    )
    indicator_name = serializers.CharField(source="indicator.name", help_text="Tên — name")
    indicator_name_en = serializers.CharField(
        source="indicator.name_en", help_text="Tên tiếng Anh — English name"
    )
    unit = serializers.CharField(source="indicator.unit", help_text="Đơn vị tính — unit")
    group = serializers.CharField(source="indicator.group", help_text="Nhóm chỉ tiêu — group")
    decimals = serializers.IntegerField(
        source="indicator.decimals", help_text="Số chữ số thập phân — decimals shown"
    )
    higher_is_better = serializers.BooleanField(
        source="indicator.higher_is_better", help_text="Càng cao càng tốt — higher is better"
    )
    actual_previous = serializers.SerializerMethodField(help_text=VALUE_HELP["actual_previous"])
    plan_current = serializers.SerializerMethodField(help_text=VALUE_HELP["plan_current"])
    estimate_current = serializers.SerializerMethodField(help_text=VALUE_HELP["estimate_current"])
    plan_next = serializers.SerializerMethodField(help_text=VALUE_HELP["plan_next"])
    estimate_vs_plan_pct = serializers.SerializerMethodField(
        help_text="Ước thực hiện so kế hoạch năm hiện tại (%), tính ra — estimate against the "
        "current year's plan (%), computed"
    )
    next_vs_estimate_pct = serializers.SerializerMethodField(
        help_text="Kế hoạch năm kế hoạch so ước thực hiện (%), tính ra — plan year against the "
        "current estimate (%), computed"
    )
    notes = serializers.SerializerMethodField(help_text="Ghi chú — notes")

    @staticmethod
    def _text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    def get_actual_previous(self, row: TargetRow) -> str | None:
        return self._text(row.get("actual_previous"))

    def get_plan_current(self, row: TargetRow) -> str | None:
        return self._text(row.get("plan_current"))

    def get_estimate_current(self, row: TargetRow) -> str | None:
        return self._text(row.get("estimate_current"))

    def get_plan_next(self, row: TargetRow) -> str | None:
        return self._text(row.get("plan_next"))

    def get_estimate_vs_plan_pct(self, row: TargetRow) -> str | None:
        return self._text(row.estimate_vs_plan_pct)

    def get_next_vs_estimate_pct(self, row: TargetRow) -> str | None:
        return self._text(row.next_vs_estimate_pct)

    def get_notes(self, row: TargetRow) -> str:
        return row.value.notes if row.value else ""


class TargetYearsOutput(serializers.Serializer[dict[str, int]]):
    previous = serializers.IntegerField(help_text="Năm trước năm hiện tại — the year before")
    current = serializers.IntegerField(help_text="Năm hiện tại — the current year")
    next = serializers.IntegerField(help_text="Năm kế hoạch — the plan year")


class TargetsOutput(serializers.Serializer[dict[str, Any]]):
    plan_uid = serializers.UUIDField(help_text="UUID của kế hoạch xã — the commune plan's UUID")
    years = TargetYearsOutput(help_text="Năm của các cột — the columns' years")
    version = serializers.IntegerField(
        help_text="Phiên bản của bảng (gửi lại trong If-Match) — the table's version (sent "
        "back in If-Match)"
    )
    rows = TargetRowOutput(many=True)


class TargetRowInput(serializers.Serializer[dict[str, Any]]):
    indicator_code = serializers.CharField(
        max_length=32,
        help_text="Mã chỉ tiêu (mã không có bị bỏ qua) — indicator code (an "
        "unknown code is ignored, as on the page)",
    )
    actual_previous = _value(VALUE_HELP["actual_previous"])
    plan_current = _value(VALUE_HELP["plan_current"])
    estimate_current = _value(VALUE_HELP["estimate_current"])
    plan_next = _value(VALUE_HELP["plan_next"])
    notes = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Ghi chú — notes"
    )


class TargetsInput(serializers.Serializer[dict[str, Any]]):
    rows = TargetRowInput(
        many=True,
        help_text="Các chỉ tiêu gửi lên; giá trị bỏ qua là để trống, chỉ tiêu không gửi giữ "
        "nguyên — the indicators sent; a value left out is empty, an indicator not sent is "
        "kept",
    )

    def changes(self) -> dict[str, dict[str, Any]]:
        """``rows`` as the service takes them: ``{indicator code: {field: value}}``."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.validated_data["rows"]:
            values = dict(row)
            found[values.pop("indicator_code")] = values
        return found
