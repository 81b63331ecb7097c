"""Messages of a proposal line that say what is allowed (issue 15, point 8): the value found as
it was typed, then the allowed values (listed when there are few, as a range otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kehoach.plans.services.lines.validators import (
    LineContext,
    allowed_numbers,
    check_proposal_line,
    one_of,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese() -> Any:
    with translation.override("vi"):
        yield


def _problem(context: LineContext, **changes: Any) -> Any:
    data = {**f.line_data(), **changes}
    found = check_proposal_line(context, 1, data)[1]
    assert len(found) == 1, found
    return found[0]


def test_a_short_list_of_priorities_is_named_value_by_value() -> None:
    problem = _problem(LineContext(plan_year=2027, min_priority=1, max_priority=3), priority=5)
    assert problem.code == "priority_out_of_range"
    assert problem.detail == (
        "5: phải là 1, 2 hoặc 3 (để trống nếu hoạt động không phải là ưu tiên)."
    )
    assert problem.message.startswith("Dòng 1, Thứ tự ưu tiên: 5: phải là 1, 2 hoặc 3")


def test_a_long_range_of_priorities_is_named_by_its_ends() -> None:
    problem = _problem(LineContext(plan_year=2027, min_priority=1, max_priority=12), priority=13)
    assert problem.code == "priority_out_of_range"
    assert problem.detail == (
        "13: phải là số nguyên từ 1 đến 12 (để trống nếu hoạt động không phải là ưu tiên)."
    )


def test_a_priority_within_the_bounds_passes() -> None:
    context = LineContext(plan_year=2027, min_priority=1, max_priority=12)
    assert check_proposal_line(context, 1, {**f.line_data(), "priority": 12})[1] == []


def test_a_mode_outside_the_list_names_the_modes() -> None:
    problem = _problem(
        LineContext(plan_year=2027, min_priority=1, max_priority=3), implementation_mode="magic"
    )
    assert problem.code == "mode_invalid"
    assert problem.detail == (
        "“magic” không phải là phương thức thực hiện; hãy chọn Cộng đồng tự thực hiện, "
        "Xã tổ chức thực hiện, Nhà thầu thực hiện hoặc Khác."
    )


@pytest.mark.parametrize(
    ("choices", "said"),
    [([], ""), (["1"], "1"), (["1", "2"], "1 hoặc 2"), (["1", "2", "3"], "1, 2 hoặc 3")],
)
def test_one_of_says_a_closed_list(choices: list[str], said: str) -> None:
    assert one_of(choices) == said


@pytest.mark.parametrize(
    ("low", "high", "said"),
    [(1, 1, "1"), (1, 10, "1, 2, 3, 4, 5, 6, 7, 8, 9 hoặc 10"), (1, 11, "số nguyên từ 1 đến 11")],
)
def test_allowed_numbers_lists_up_to_ten(low: int, high: int, said: str) -> None:
    assert allowed_numbers(low, high) == said


def test_a_decimal_found_is_shown_the_vietnamese_way() -> None:
    problem = _problem(
        LineContext(plan_year=2027, min_priority=1, max_priority=3), priority=Decimal("4.0")
    )
    assert problem.detail.startswith("4: phải là 1, 2 hoặc 3")
