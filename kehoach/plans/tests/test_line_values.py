"""One line shape (issue 14): the values of a village and a commune line are declared once, the
field lists are derived from that declaration, and a number is never given twice in a plan."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor

from kehoach.core.bounds import constraint_name
from kehoach.geo.tests.factories import VillageFactory
from kehoach.plans.line_values import (
    AMOUNT_FIELDS,
    COUNT_FIELDS,
    LINE_VALUE_FIELDS,
    MONEY_FIELDS,
    PROPOSAL_LINE_FIELDS,
    LineValues,
    copy_line_values,
    line_values,
)
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f
from kehoach.synthesis.models import CommuneLine

pytestmark = pytest.mark.django_db

F6_ORDER = [
    "sector",
    "activity",
    "location",
    "unit",
    "quantity",
    "start_month",
    "end_month",
    "total_cost_mvnd",
    "contribution_mvnd",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "priority",
    "notes",
]
"""The columns of the F6 form, as the form has always ordered them."""


def _constraints(table: str) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def test_the_field_lists_are_the_f6_order_and_exist_on_both_models() -> None:
    assert PROPOSAL_LINE_FIELDS == F6_ORDER
    assert [*LINE_VALUE_FIELDS, "priority"] == [*F6_ORDER[:-2], "notes", "priority"]
    for model in (ProposalLine, CommuneLine):
        names = {f.name for f in model._meta.concrete_fields}
        assert set(LINE_VALUE_FIELDS) <= names, model
        for name in LINE_VALUE_FIELDS:
            inherited = LineValues._meta.get_field(name)
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field) and isinstance(inherited, models.Field)
            assert type(field) is type(inherited), (model, name)
    # what each keeps of its own
    assert ProposalLine._meta.get_field("location").max_length == 200
    assert CommuneLine._meta.get_field("location").max_length == 300
    assert "priority" not in {f.name for f in CommuneLine._meta.concrete_fields}
    assert MONEY_FIELDS == [
        "total_cost_mvnd",
        "contribution_mvnd",
        "contribution_cash_mvnd",
        "contribution_labour_mvnd",
        "contribution_materials_mvnd",
        "external_support_mvnd",
    ]
    assert AMOUNT_FIELDS[0] == "quantity" and "contribution_land_m2" in AMOUNT_FIELDS
    assert COUNT_FIELDS == ["beneficiary_households", "beneficiary_poor", "beneficiary_em"]


def test_each_model_has_the_shared_checks_and_its_own_bounds_check() -> None:
    expected = {
        ProposalLine: [
            "plans_proposalline_amounts_not_negative",
            "plans_proposalline_start_before_end",
            "plans_line_number_unique",
            "plans_proposalline_bounds",
        ],
        CommuneLine: [
            "synthesis_communeline_amounts_not_negative",
            "synthesis_communeline_start_before_end",
            "synthesis_line_number_unique",
            "synthesis_communeline_bounds",
        ],
    }
    for model, names in expected.items():
        declared = [c.name for c in model._meta.constraints]
        stored = _constraints(model._meta.db_table)
        for name in names:
            assert name in declared, (model, name)
            assert name in stored, (model, name)
        assert constraint_name(model) in declared
    assert "plans_line_amounts_not_negative" not in _constraints("plans_proposalline")


def test_line_values_and_copy_line_values_carry_every_value() -> None:
    plan = f.village_plan()
    village_line = f.line(plan, number=1, notes="Ghi chú", location="Xóm Dưới")
    values = line_values(village_line)
    assert list(values) == LINE_VALUE_FIELDS
    assert values["location"] == "Xóm Dưới" and values["sector"] == village_line.sector
    copy = copy_line_values(village_line, CommuneLine())
    assert copy.sector_id == village_line.sector_id
    assert copy.proposed_source_id == village_line.proposed_source_id
    assert line_values(copy) == values
    other = copy_line_values(village_line, ProposalLine(), ["activity"])
    assert other.activity == village_line.activity and other.notes == ""


def test_a_number_is_given_once_in_a_plan_even_to_a_deleted_line() -> None:
    plan = f.village_plan()
    first = f.line(plan, number=1)
    ProposalLine.objects.filter(pk=first.pk).update(deleted_at=first.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.line(plan, number=1)
    f.line(plan, number=2)
    other_plan = f.village_plan(VillageFactory.create(parent=plan.village.parent))
    f.line(other_plan, number=1)  # another plan may use the same number
    assert ProposalLine.objects.filter(number=1).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_when_stored_lines_share_a_number() -> None:
    before = ("plans", "0005_bounds")
    after = ("plans", "0006_line_values_and_number_unique")
    plan = f.village_plan()
    first = f.line(plan, number=1)
    second = f.line(plan, number=2)
    MigrationExecutor(connection).migrate([before])
    try:
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        old_lines = old.get_model("plans", "ProposalLine").objects
        old_lines.filter(pk=second.pk).update(number=1)
        with pytest.raises(Exception, match="number 1 is used by 2 lines") as caught:
            MigrationExecutor(connection).migrate([after])
        assert type(caught.value).__name__ == "DuplicateLineNumbers"
        assert "nothing was changed" in str(caught.value)
        assert old_lines.filter(plan_id=plan.pk, number=1).count() == 2  # nothing repaired
        old_lines.filter(pk=second.pk).update(number=2)
        MigrationExecutor(connection).migrate([after])
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert "plans_line_number_unique" in _constraints("plans_proposalline")
    assert sorted(ProposalLine.objects.values_list("number", flat=True)) == [1, 2]
    assert first.pk != second.pk
