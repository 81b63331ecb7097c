"""The pure validators of a proposal line and of a plan's set of lines (issue 14): each rule
refuses its bad value and passes its nearest good one, with no query once the context is
built; the messages are the Vietnamese ones the user reads."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.core.errors import ApplicationErrors
from kehoach.plans.services.lines import (
    LineContext,
    check_proposal_line,
    clean_line_values,
    line_context,
    validate_line,
    validate_plan_lines,
    validate_proposal_line,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

CONTEXT = LineContext(
    plan_year=2027, min_priority=1, max_priority=3, min_per_sector=1, max_per_sector=2
)


def _retired_unit() -> Any:
    unit = f.unit("cai", "cái")
    unit.is_active = False
    unit.save()
    return unit


def _retired_sector() -> Any:
    sector = f.sector("CU", "Lĩnh vực cũ", 90)
    sector.is_active = False
    sector.save()
    return sector


# code → (values that break the rule, nearest values that keep it)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "activity_required": ({"activity": "  "}, {"activity": "Đường"}),
    "sector_invalid": ({"sector": "HT-GT"}, {}),
    "unit_invalid": ({"unit": None}, {}),
    "quantity_not_positive": ({"quantity": Decimal(0)}, {"quantity": Decimal("0.001")}),
    "month_required": ({"start_month": None}, {"start_month": datetime.date(2027, 1, 1)}),
    "month_outside_year": (
        {"end_month": datetime.date(2028, 1, 1)},
        {"end_month": datetime.date(2027, 12, 31)},
    ),
    "end_before_start": (
        {"start_month": datetime.date(2027, 7, 1)},
        {"start_month": datetime.date(2027, 6, 20)},
    ),
    "amount_negative": (
        {"contribution_materials_mvnd": Decimal(-1)},
        {"contribution_materials_mvnd": Decimal(0)},
    ),
    "cost_identity": ({"total_cost_mvnd": Decimal(101)}, {"total_cost_mvnd": Decimal(100)}),
    "contribution_split": (
        {"contribution_cash_mvnd": Decimal(11)},
        {"contribution_cash_mvnd": Decimal(0), "contribution_labour_mvnd": Decimal(0)},
    ),
    "priority_out_of_range": ({"priority": 4}, {"priority": 3}),
    "beneficiaries_part": ({"beneficiary_poor": 81}, {"beneficiary_poor": 80}),
    "mode_invalid": ({"implementation_mode": "magic"}, {"implementation_mode": "contractor"}),
    "value_too_large": (
        {"quantity": Decimal("1000000001")},
        {"quantity": Decimal("1000000000")},
    ),
    "text_too_long": ({"activity": "x" * 301}, {"activity": "x" * 300}),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_refuses_its_bad_value_and_passes_the_good_one(
    code: str, django_assert_num_queries: Any
) -> None:
    bad, good = CASES[code]
    data = f.line_data()
    with django_assert_num_queries(0):
        refused = validate_proposal_line(CONTEXT, 4, {**data, **bad})
        passed = validate_proposal_line(CONTEXT, 4, {**data, **good})
    assert code in {p.code for p in refused}
    assert all(p.severity == "error" and p.message.startswith("Dòng 4, ") for p in refused)
    assert passed == []


def test_catalog_entries_no_longer_in_use_are_refused(django_assert_num_queries: Any) -> None:
    data = f.line_data(
        unit=_retired_unit(),
        sector=_retired_sector(),
        proposed_source=f.source("NTM", "NTM", valid_from_year=2021, valid_to_year=2025),
    )
    with django_assert_num_queries(0):
        found = validate_proposal_line(CONTEXT, 1, data)
    assert {p.code: p.where.field for p in found} == {
        "unit_invalid": "unit",
        "sector_invalid": "sector",
        "source_inactive": "proposed_source",
    }
    assert found[-1].message == (
        "Dòng 1, Nguồn vốn đề xuất: nguồn vốn “NTM” không còn áp dụng trong năm 2027; "
        "hãy chọn nguồn khác."
    )
    assert (
        found[-1].detail == "nguồn vốn “NTM” không còn áp dụng trong năm 2027; hãy chọn nguồn khác."
    )


def test_the_cost_identity_message_is_the_one_the_user_reads() -> None:
    (problem,) = validate_proposal_line(CONTEXT, 1, f.line_data(total_cost_mvnd=Decimal("150")))
    assert problem.message == (
        "Dòng 1, Tổng kinh phí: tổng kinh phí (150) phải bằng dân đóng góp (30) cộng hỗ trợ "
        "từ bên ngoài đề nghị (70), tức là 100 triệu đồng."
    )
    assert problem.where.field == "total_cost_mvnd"


def test_clean_values_take_the_defaults_and_the_first_of_the_month() -> None:
    data = f.line_data(end_month=datetime.date(2027, 6, 30), activity="Đường  ")
    for name in ("location", "contribution_cash_mvnd", "beneficiary_em", "notes"):
        data[name] = None
    values = clean_line_values(CONTEXT, 1, data)
    assert values["end_month"] == datetime.date(2027, 6, 1)
    assert (values["location"], values["notes"], values["beneficiary_em"]) == ("", "", 0)
    assert values["contribution_cash_mvnd"] == Decimal(0)
    assert set(values) == set(check_proposal_line(CONTEXT, 1, data)[0])


def test_validate_line_raises_every_problem_with_its_field() -> None:
    plan = f.village_plan()
    assert validate_line(plan.round, 1, f.line_data())["activity"] == "Bê tông hóa đường thôn"
    with pytest.raises(ApplicationErrors) as caught:
        validate_line(plan.round, 2, f.line_data(priority=9, quantity=Decimal(0)))
    assert [e.where.field for e in caught.value.errors] == ["quantity", "priority"]


def test_the_context_is_read_from_the_round_and_its_profile() -> None:
    f.profile(min_priority_activities_per_sector=0, unique_ranks_within_sector=True)
    plan = f.village_plan()
    context = line_context(plan.round)
    assert (context.plan_year, context.min_per_sector, context.unique_ranks_within_sector) == (
        2027,
        0,
        True,
    )


def _line(number: int, priority: int | None, sector: Any = None) -> dict[str, Any]:
    return {"number": number, "priority": priority, "sector": sector or f.sector()}


def test_r3_too_many_priority_activities_in_a_sector_is_a_warning(
    django_assert_num_queries: Any,
) -> None:
    lines = [_line(1, 1), _line(2, 2), _line(3, 3)]
    with django_assert_num_queries(0):
        found = validate_plan_lines(CONTEXT, lines)
        fine = validate_plan_lines(CONTEXT, lines[:2])
    (problem,) = found
    assert (problem.code, problem.severity) == ("priority_count", "warning")
    assert problem.message == (
        "Hạ tầng: giao thông có 3 hoạt động ưu tiên; mỗi lĩnh vực phải có từ 1 đến 2. "
        "Hãy đổi thứ tự ưu tiên của một số hoạt động."
    )
    assert fine == []


def test_r3_counts_every_line_when_the_profile_says_so() -> None:
    every = LineContext(2027, 1, 3, 1, 2, bound_applies_to_all_lines=True)
    lines = [_line(1, 1), _line(2, None), _line(3, None)]
    assert [p.code for p in validate_plan_lines(every, lines)] == ["priority_count"]
    assert validate_plan_lines(CONTEXT, lines) == []


def test_r4_a_rank_given_twice_in_a_sector_when_ranks_are_unique() -> None:
    unique = LineContext(2027, 1, 3, 1, 3, unique_ranks_within_sector=True)
    other = f.sector("GD", "Giáo dục", 60)
    lines = [_line(1, 1), _line(2, 1), _line(3, 1, other)]
    (problem,) = validate_plan_lines(unique, lines)
    assert problem.code == "unique_rank"
    assert "1, 2" in problem.message
    assert validate_plan_lines(CONTEXT, lines) == []  # the profile does not ask for it


def test_plan_rules_take_saved_lines_and_new_values_together() -> None:
    plan = f.village_plan()
    saved = f.line(plan, priority=1)
    new = {"number": 2, "priority": 2, "sector": saved.sector}
    newer = {"number": 3, "priority": 3, "sector": saved.sector}
    assert validate_plan_lines(CONTEXT, [saved, new]) == []
    assert len(validate_plan_lines(CONTEXT, [saved, new, newer])) == 1
