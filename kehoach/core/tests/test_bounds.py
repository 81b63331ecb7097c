"""Bounds declared once on the model field: the pure check, the constraint made from them, the
command that lists stored rows outside them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from kehoach.core import bounds
from kehoach.core.bounds import Limits, limits_of, problems
from kehoach.monitoring.models import ProgressReport
from kehoach.plans.models import BasicInfo, ProposalLine, VillageMeeting
from kehoach.synthesis.models import CommuneLine, EnvelopeLine, TargetValue


def test_a_declared_bound_and_the_room_of_the_column() -> None:
    assert limits_of(ProposalLine, "quantity") == Limits(
        minimum=Decimal(0), maximum=Decimal(1_000_000_000), places=3
    )
    assert limits_of(ProposalLine, "total_cost_mvnd").maximum == Decimal(10_000_000)
    assert limits_of(ProposalLine, "activity") == Limits(length=300)
    assert limits_of(ProposalLine, "notes") == Limits(length=bounds.NOTE_TEXT)
    # no bound declared: what the column holds (PositiveIntegerField, numeric(14, 3))
    assert limits_of(ProposalLine, "version").maximum == Decimal(2_147_483_647)
    assert limits_of(CommuneLine, "share").maximum == Decimal("999.999999")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("1e20"), "value_too_large"),
        (1e300, "value_too_large"),
        (Decimal("NaN"), "not_a_number"),
        (float("inf"), "not_a_number"),
        ("1234567890123456789", "value_too_large"),
        (Decimal("-1"), "value_negative"),
    ],
)
def test_every_numeric_edge_is_a_problem_of_the_field(value: object, code: str) -> None:
    (problem,) = problems(ProposalLine, {"quantity": value})
    assert (problem.field, problem.code) == ("quantity", code)


def test_values_within_bounds_and_empty_values_are_fine() -> None:
    values = {
        "quantity": Decimal("1000000000"),
        "total_cost_mvnd": Decimal("-0"),
        "notes": "x" * bounds.NOTE_TEXT,
        "location": None,
        "priority": "",
        "not_a_field": 10**30,
    }
    assert problems(ProposalLine, values) == []


def test_a_negative_amount_is_named_as_money() -> None:
    (problem,) = problems(ProposalLine, {"external_support_mvnd": Decimal("-5")})
    assert (problem.code, problem.text) == ("amount_negative", "số tiền không được âm.")


@pytest.mark.parametrize(
    "model",
    [
        ProposalLine,
        CommuneLine,
        EnvelopeLine,
        TargetValue,
        ProgressReport,
        VillageMeeting,
        BasicInfo,
    ],
)
def test_every_line_type_has_its_bounds_constraint(model: type[models.Model]) -> None:
    names = {c.name for c in model._meta.constraints}
    assert f"{model._meta.db_table}_bounds" in names


def test_the_constraint_holds_every_declared_bound() -> None:
    (constraint,) = [
        c for c in ProposalLine._meta.constraints if c.name == "plans_proposalline_bounds"
    ]
    text = str(constraint.condition)  # type: ignore[attr-defined]
    for needle in ("quantity__lte", "1000000000", "beneficiary_households__lte", "1000000"):
        assert needle in text


@pytest.mark.django_db
def test_check_bounds_says_when_everything_is_within_bounds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("check_bounds")
    assert "Mọi giá trị đã lưu đều nằm trong giới hạn." in capsys.readouterr().out


@pytest.mark.django_db
def test_check_bounds_lists_a_stored_row_and_fails() -> None:
    from django.db import connection

    from kehoach.plans.tests import factories as f

    line = f.line(f.village_plan())
    table = ProposalLine._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_bounds")
        cursor.execute(
            f"UPDATE {table} SET beneficiary_households = 3000000 WHERE id = %s", [line.pk]
        )
    try:
        with pytest.raises(CommandError, match="1 giá trị"):
            call_command("check_bounds")
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
