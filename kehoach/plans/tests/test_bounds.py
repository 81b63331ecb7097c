"""Every value of a village plan has a bound that fits the real world (``kehoach.core.bounds``):
the same validators refuse it from the web form and the Excel import with a message naming the
limit, the database refuses it from any other path, and the migration that added the bounds
stops on stored rows that break them instead of repairing anything."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.core.bounds import OutOfBoundsRows, refuse_out_of_bounds
from kehoach.core.errors import ApplicationErrors
from kehoach.exchange.tests.helpers import FIRST_ROW, opened, saved, upload
from kehoach.plans.models import BasicInfo, ProposalLine, VillageMeeting
from kehoach.plans.services.info import basic_info_save
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


def _messages(plan: Any, planner: Any, **overrides: Any) -> dict[str, str]:
    with pytest.raises(ApplicationErrors) as caught:
        proposal_line_create(actor=planner, plan=plan, data=f.line_data(**overrides))
    assert not ProposalLine.objects.filter(plan=plan).exists()
    return {e.where.field or "": e.message for e in caught.value.errors}


def test_a_quantity_out_of_this_world_is_refused_naming_the_limit(plan: Any, planner: Any) -> None:
    assert _messages(plan, planner, quantity=Decimal("1e20")) == {
        "quantity": "Dòng 1, Khối lượng: 1E+20 lớn hơn giá trị lớn nhất được phép là "
        "1.000.000.000; hãy kiểm tra lại con số và đơn vị tính."
    }


def test_labour_days_households_and_money_have_bounds(plan: Any, planner: Any) -> None:
    messages = _messages(
        plan,
        planner,
        contribution_labour_days=Decimal("1e300"),
        beneficiary_households=10**12,
        total_cost_mvnd=Decimal("20000000"),
    )
    assert messages == {
        "contribution_labour_days": "Dòng 1, Số ngày công: 1E+300 lớn hơn giá trị lớn nhất được "
        "phép là 10.000.000; hãy kiểm tra lại con số và đơn vị tính.",
        "beneficiary_households": "Dòng 1, Số hộ hưởng lợi: 1.000.000.000.000 lớn hơn giá trị lớn "
        "nhất được phép là 1.000.000; hãy kiểm tra lại con số và đơn vị tính.",
        "total_cost_mvnd": "Dòng 1, Tổng kinh phí: 20.000.000 lớn hơn giá trị lớn nhất được "
        "phép là 10.000.000; hãy kiểm tra lại con số và đơn vị tính.",
    }


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_a_number_that_is_not_finite_is_refused(plan: Any, planner: Any, value: Any) -> None:
    messages = _messages(plan, planner, quantity=value)
    assert set(messages) == {"quantity"}
    assert "không phải là số" in messages["quantity"]


def test_a_text_longer_than_its_field_is_refused(plan: Any, planner: Any) -> None:
    assert _messages(plan, planner, activity="x" * 32_767) == {
        "activity": "Dòng 1, Hoạt động: nội dung có 32.767 ký tự; chỉ được tối đa 300 ký "
        "tự. Hãy rút gọn."
    }


def test_control_characters_are_stripped_and_minus_zero_is_zero(plan: Any, planner: Any) -> None:
    line = proposal_line_create(
        actor=planner,
        plan=plan,
        data=f.line_data(
            activity="Bê tông\x00 hóa\x01 đường\x7f thôn", contribution_land_m2=Decimal("-0")
        ),
    )
    line.refresh_from_db()
    assert line.activity == "Bê tông hóa đường thôn"
    assert str(line.contribution_land_m2) in ("0", "0.0")


def test_the_database_refuses_what_the_validators_would(plan: Any) -> None:
    """A path that skips the services (a script, a bug) still cannot store the value."""
    with pytest.raises(IntegrityError), transaction.atomic():
        f.line(plan, quantity=Decimal("5000000000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        f.line(plan, beneficiary_households=2_000_000, beneficiary_poor=0)
    assert not ProposalLine.objects.exists()


def test_the_meeting_and_the_basic_information_have_bounds(plan: Any, planner: Any) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        meeting_save(
            actor=planner,
            plan=plan,
            data={
                "held_on": datetime.date(2026, 10, 5),
                "chair": "Trần Văn Bình",
                "decision": "Thông qua",
                "households_total": 10**12,
                "households_represented": 50,
                "participants_total": 60,
                "votes_agree": 60,
            },
        )
    assert [e.where.field for e in caught.value.errors] == ["households_total"]
    assert not VillageMeeting.objects.exists()
    with pytest.raises(ApplicationErrors) as caught:
        basic_info_save(
            actor=planner,
            plan=plan,
            data={"total_households": "2.000.000", "land_wet_rice_ha": "99.000.000"},
            sources={},
            ethnic_groups=[],
            expected_version=0,
        )
    assert {e.where.field: e.message for e in caught.value.errors} == {
        "total_households": "Tổng số hộ: 2.000.000 lớn hơn giá trị lớn nhất được phép là "
        "1.000.000; hãy kiểm tra lại con số và đơn vị tính.",
        "land_wet_rice_ha": "Đất trồng lúa nước: 99.000.000 lớn hơn giá trị lớn nhất được phép là "
        "10.000.000; hãy kiểm tra lại con số và đơn vị tính.",
    }
    assert not BasicInfo.objects.exists()


def test_the_line_form_shows_the_bound_and_refuses_with_its_message(
    client: Any, plan: Any, planner: Any
) -> None:
    client.force_login(planner)
    page = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert 'title="Tối đa 1.000.000.000"' in page  # the quantity's bound, shown on the form
    assert 'maxlength="300"' in page
    data = f.line_data(quantity="100000000000000000000")
    data = {
        k: (v.pk if hasattr(v, "pk") else v.strftime("%m/%Y") if hasattr(v, "strftime") else v)
        for k, v in data.items()
    }
    response = client.post(
        reverse("plans:line_create", args=[plan.uid]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "lớn hơn giá trị lớn nhất được phép là 1.000.000.000" in response.content.decode()
    assert not ProposalLine.objects.exists()


def test_the_f6_import_refuses_out_of_bound_cells_by_cell(plan: Any, planner: Any) -> None:
    from kehoach.exchange.forms import f6

    f.line_data()  # the sector, unit and source of the lists
    book = opened(f6.export(plan, None, actor=planner, blank=True))
    ws = book["F6"]
    row = FIRST_ROW
    values = {
        "B": "Hạ tầng: giao thông",
        "C": "x" * 32_767,
        "E": "km",
        "F": 1e20,
        "G": "03/2027",
        "H": "06/2027",
        "I": 100,
        "J": 30,
        "K": 10,
        "L": 1e300,
        "M": 20,
        "P": 70,
    }
    for letter, value in values.items():
        ws[f"{letter}{row}"] = value
    record = upload(plan, planner, saved(book))
    assert record.result == "refused"
    cells = {(e["sheet"], e["column"], e["row"]) for e in record.errors}
    assert ("F6", "C", row) in cells  # the activity's length
    assert ("F6", "F", row) in cells  # the quantity
    assert ("F6", "L", row) in cells  # the labour days
    assert not ProposalLine.objects.exists()


def _bad_row(plan: Any) -> ProposalLine:
    """A line stored before the bounds existed: the constraint is set aside for the insert."""
    line = f.line(plan)
    table = ProposalLine._meta.db_table
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            cursor.execute(f"UPDATE {table} SET quantity = 5000000000 WHERE id = %s", [line.pk])
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger before ALTER
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_bounds")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"UPDATE {table} SET quantity = 5000000000 WHERE id = %s", [line.pk])
    return line


def test_refuse_out_of_bounds_names_the_stored_rows_and_changes_nothing(plan: Any) -> None:
    line = _bad_row(plan)
    with pytest.raises(OutOfBoundsRows) as caught:
        refuse_out_of_bounds("plans.ProposalLine")(apps, None)
    text = str(caught.value)
    assert f"plans_proposalline id={line.pk}: quantity = 5000000000" in text
    assert "nothing was changed" in text
    assert ProposalLine.objects.filter(pk=line.pk, quantity=Decimal(5_000_000_000)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_bounds_migration_stops_on_a_stored_row_out_of_bounds() -> None:
    before = ("plans", "0004_remove_problem_solution_text")
    after = ("plans", "0005_bounds")
    plan = f.village_plan()
    line = f.line(plan)
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        old.get_model("plans", "ProposalLine").objects.filter(pk=line.pk).update(
            beneficiary_households=5_000_000, beneficiary_poor=0, beneficiary_em=0
        )
        with pytest.raises(OutOfBoundsRows, match="beneficiary_households = 5000000"):
            MigrationExecutor(connection).migrate([after])
        old.get_model("plans", "ProposalLine").objects.filter(pk=line.pk).update(
            beneficiary_households=80
        )
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert ProposalLine.objects.get(pk=line.pk).beneficiary_households == 80
