"""The line validator's quick pass over the bounds (issue 14) lets through only values that
surely fit: every other value — a float, a text, a value out of range, not a number — is
decided and worded by ``bounds.errors_for`` as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.core import bounds
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import LineContext, validate_proposal_line
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

CONTEXT = LineContext(plan_year=2027, min_priority=1, max_priority=3)

REFUSED = [
    ("quantity", Decimal("NaN"), "not_a_number"),
    ("quantity", Decimal("Infinity"), "not_a_number"),
    ("quantity", float("nan"), "not_a_number"),
    ("total_cost_mvnd", "1e30", "value_too_large"),
    ("total_cost_mvnd", 10**20, "value_too_large"),
    ("beneficiary_households", 10**12, "value_too_large"),
    ("contribution_land_m2", Decimal(-1), "value_negative"),
    ("location", "x" * 201, "text_too_long"),
]


@pytest.mark.parametrize(("name", "value", "code"), REFUSED)
def test_a_value_the_quick_pass_does_not_know_is_decided_by_the_bounds(
    name: str, value: Any, code: str
) -> None:
    found = validate_proposal_line(CONTEXT, 1, {**f.line_data(), name: value})
    assert code in {p.code for p in found}
    assert code in {p.code for p in bounds.problems(ProposalLine, {name: value})}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("quantity", 2.5),  # a float: the full check decides, and it fits
        ("location", "x" * 200),
        ("beneficiary_households", 100),
        ("total_cost_mvnd", Decimal("100")),
    ],
)
def test_a_value_within_its_bound_passes(name: str, value: Any) -> None:
    data = {**f.line_data(), name: value}
    assert validate_proposal_line(CONTEXT, 1, data) == []


def test_an_empty_value_does_not_hide_a_later_value_out_of_bounds() -> None:
    data = {**f.line_data(), "quantity": "", "beneficiary_households": 10**12}
    found = validate_proposal_line(CONTEXT, 1, data)
    assert "value_too_large" in {p.code for p in found}
