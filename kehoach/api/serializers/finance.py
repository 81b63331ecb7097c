"""The allocation page's comparison of the stored runs and the financial plan (F12) as a client
reads them. Both only shape what the pages' own selectors and report answer
(``runs_to_compare``, ``synthesis.reports.finance.financial_plan``); money is a decimal string
(million VND, three places) like every other money field of the API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kehoach.synthesis.choices import AllocationMode


def money(help_text: str, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=3, help_text=help_text, **kwargs)


def measure(help_text: str, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=1, help_text=help_text, **kwargs)


# --- the allocation's stored runs ---------------------------------------------------------------


class StoredDrawOutput(serializers.Serializer[Any]):
    envelope_line_uid = serializers.UUIDField(
        help_text="Mã dòng khung nguồn lực trả tiền — the paying envelope line's UUID"
    )
    amount_mvnd = money("Số tiền (triệu đồng) — amount (million VND)")


class StoredResultOutput(serializers.Serializer[Any]):
    line_uid = serializers.UUIDField(source="line.uid", help_text="Mã dòng — line UUID")
    position = serializers.IntegerField(
        help_text="Thứ tự xét trong lần chạy — the order the run took the line in"
    )
    funded = serializers.BooleanField(help_text="Được cấp vốn — funded")
    reason_code = serializers.CharField(
        help_text="Mã lý do (funded, no_need, no_envelope, no_pot, short) — the reason's code"
    )
    reason = serializers.CharField(
        help_text="Lý do, như trang phân bổ hiển thị — the reason, as the allocation page shows it"
    )
    draws = StoredDrawOutput(
        source="draws_shown",
        many=True,
        help_text="Số tiền theo dòng khung (khi được cấp) — amounts by envelope line",
    )


class StoredRunOutput(serializers.Serializer[Any]):
    uid = serializers.UUIDField(help_text="Mã lần chạy — run UUID")
    mode = serializers.ChoiceField(
        choices=AllocationMode.values,
        help_text=f"Cách phân bổ — the procedure ({AllocationMode.GREEDY}: theo ưu tiên và điểm "
        f"— by priority and score; {AllocationMode.OPTIMAL}: tối ưu — optimised)",
    )
    created_at = serializers.DateTimeField(help_text="Lúc chạy — when it ran")
    funded_count = serializers.IntegerField(help_text="Số dòng được cấp vốn — lines funded")
    funded_mvnd = money("Tổng hỗ trợ được cấp (triệu đồng) — external support funded")
    objective = money("Hỗ trợ có trọng số ưu tiên — support weighted by priority")
    applied = serializers.BooleanField(
        help_text="Kết quả đang áp dụng vào kế hoạch — the result applied to the plan"
    )
    stale = serializers.BooleanField(
        help_text="Kế hoạch hay khung đã đổi sau lần chạy — the plan or envelope changed since"
    )
    lines = StoredResultOutput(many=True, help_text="Kết quả từng dòng — each line's outcome")


class AllocationResultsOutput(serializers.Serializer[Any]):
    stale = serializers.BooleanField(
        help_text="Có lần chạy đã cũ: chạy lại phân bổ — a run is stale: run the allocation again"
    )
    runs = StoredRunOutput(
        many=True,
        help_text="Lần chạy gần nhất của mỗi cách (rỗng khi chưa chạy) — the latest run of each "
        "procedure (empty when never run)",
    )


# --- the financial plan (F12) -------------------------------------------------------------------


class FinanceSourceOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã nguồn vốn — funding source code")
    name = serializers.CharField(help_text="Tên nguồn vốn — source name")
    name_en = serializers.CharField(help_text="Tên tiếng Anh — English name")


class FinanceRowOutput(serializers.Serializer[Any]):
    line_uid = serializers.UUIDField(
        allow_null=True, help_text="Mã dòng (null ở dòng cộng) — line UUID (null on a subtotal)"
    )
    label = serializers.CharField(help_text="Dòng hay lĩnh vực — the line or the sector")
    total_mvnd = money("Tổng mức (triệu đồng) — total cost (million VND)")
    contribution_mvnd = money("Dân góp (triệu đồng) — community contribution")
    cash_mvnd = money("Dân góp tiền — contributed in cash")
    labour_mvnd = money("Dân góp công (quy ra tiền) — contributed labour (in money)")
    labour_days = measure("Ngày công — labour days")
    materials_mvnd = money("Dân góp vật tư — contributed materials")
    unsplit_mvnd = money("Dân góp chưa tách theo loại — contribution not broken down")
    land_m2 = measure("Đất hiến (m²) — land donated (m²)")
    support_mvnd = money("Hỗ trợ bên ngoài — external support")
    by_source = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=3),
        help_text="Số tiền theo mã nguồn vốn — amounts by source code",
    )
    balanced = serializers.BooleanField(
        help_text="Các nguồn trả đúng phần hỗ trợ (R1b) — the sources pay exactly the support"
    )


class FinanceGroupOutput(serializers.Serializer[Any]):
    sector_code = serializers.CharField(help_text="Mã lĩnh vực — sector code")
    sector_name = serializers.CharField(help_text="Tên lĩnh vực — sector name")
    rows = FinanceRowOutput(many=True, help_text="Các dòng được cấp vốn — the funded lines")
    subtotal = FinanceRowOutput(help_text="Cộng lĩnh vực — the sector's subtotal")


class SourceCheckOutput(serializers.Serializer[Any]):
    source_code = serializers.CharField(help_text="Mã nguồn vốn — funding source code")
    envelope_mvnd = money("Khung nguồn lực — the envelope")
    used_mvnd = money("Đã dùng — used")
    left_mvnd = money("Còn lại — left")
    within = serializers.BooleanField(help_text="Trong khung — within the envelope")


class FinancialPlanOutput(serializers.Serializer[Any]):
    sources = FinanceSourceOutput(many=True, help_text="Các nguồn vốn (cột) — the sources")
    groups = FinanceGroupOutput(many=True, help_text="Theo lĩnh vực — by sector")
    total = FinanceRowOutput(help_text="Tổng cộng — the grand total")
    checks = SourceCheckOutput(
        many=True, help_text="Mỗi nguồn so với khung — each source against the envelope"
    )
    all_within = serializers.BooleanField(
        help_text="Mọi nguồn trong khung — every source within its envelope"
    )
    unfunded_count = serializers.IntegerField(
        help_text="Số dòng chưa được cấp vốn — lines not funded"
    )
    unfunded_support_mvnd = money("Hỗ trợ chưa được cấp — support not funded")
