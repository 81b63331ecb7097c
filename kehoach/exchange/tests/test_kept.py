"""The changes a check finds are kept with the record and the confirmation applies them without
reading the file again: every kind of value comes back as it was, a stale record is still
refused, the plan-level rules show as warnings in the preview, and the confirmation's queries
do not grow with the number of lines."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f6
from kehoach.exchange.keeping import ValuesCodec
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import pack_kept, unpack_kept
from kehoach.geo.tests.factories import VillageFactory
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import LINE_FIELDS, proposal_line_delete
from kehoach.plans.tests import factories as f

from .helpers import FIRST_ROW, confirm, lines_state, opened, plan_with_lines, saved, upload
from .test_scan import f6_workbook

pytestmark = pytest.mark.django_db

ROW1, ROW2, NEW = FIRST_ROW, FIRST_ROW + 1, FIRST_ROW + 2


def _edited(plan: Any) -> bytes:
    """The plan's form with line 1 renamed, line 2's amounts changed and a new line."""
    book = opened(f6.export(plan))
    ws = book["F6"]
    ws[f"C{ROW1}"] = "Bê tông hóa đường trục thôn"
    ws[f"I{ROW2}"], ws[f"P{ROW2}"] = 600, 500
    ws[f"A{NEW}"], ws[f"B{NEW}"], ws[f"C{NEW}"] = 3, "Hạ tầng: giao thông", "Làm cầu tràn"
    ws[f"E{NEW}"], ws[f"F{NEW}"], ws[f"G{NEW}"], ws[f"H{NEW}"] = "km", 0.5, "05/2027", "08/2027"
    ws[f"I{NEW}"], ws[f"J{NEW}"], ws[f"P{NEW}"] = 200, 0, 200
    return saved(book)


def _gone_file(record: ImportRecord) -> None:
    """Remove the kept upload from the storage (the record still names it)."""
    storage, name = record.file.storage, record.file.name
    storage.delete(name)
    assert not storage.exists(name)


def test_the_confirmation_applies_the_kept_changes_without_the_file() -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _edited(plan))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.kept is not None
    _gone_file(record)

    confirm(plan, planner, record)

    lines = {line.number: line for line in ProposalLine.objects.filter(plan=plan)}
    assert lines[1].activity == "Bê tông hóa đường trục thôn"
    assert (lines[2].total_cost_mvnd, lines[2].external_support_mvnd) == (600, 500)
    assert (lines[3].activity, lines[3].quantity, lines[3].start_month) == (
        "Làm cầu tràn",
        Decimal("0.5"),
        datetime.date(2027, 5, 1),
    )
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.APPLIED
    assert record.summary["applied"] == {"added": 1, "changed": 2, "deleted": 0}


def test_a_record_without_kept_changes_needs_its_file() -> None:
    """The other side: a record that keeps nothing (a form not moved yet) reads the file, so
    the test above would fail if the confirmation opened it."""
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _edited(plan))
    ImportRecord.objects.filter(pk=record.pk).update(kept=None)
    _gone_file(record)
    before = lines_state(plan)
    with pytest.raises((ApplicationError, OSError)):
        confirm(plan, planner, record)
    assert lines_state(plan) == before


def test_a_stale_record_is_refused_without_applying_the_kept_changes() -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _edited(plan))
    proposal_line_delete(actor=planner, line=ProposalLine.objects.get(plan=plan, number=2))
    before = lines_state(plan)
    with pytest.raises(ApplicationError) as caught:
        confirm(plan, planner, record)
    assert caught.value.code == "import_stale"
    assert lines_state(plan) == before
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.STALE


def test_a_removed_line_is_kept_and_applied() -> None:
    plan, planner = plan_with_lines()
    book = opened(f6.export(plan))
    book["F6"].delete_rows(ROW2)
    record = upload(plan, planner, saved(book))
    assert record.kept is not None
    kept = unpack_kept(record.kept)
    line = ProposalLine.objects.get(plan=plan, number=2)
    assert kept["remove"] == [[line.pk, 2, line.version]]
    confirm(plan, planner, record)
    line.refresh_from_db()
    assert line.deleted_at is not None


def test_kept_values_round_trip_every_kind_of_field() -> None:
    other_unit = f.unit("m", "m")
    values = {
        **f.line_data(),
        "unit": other_unit,
        "quantity": Decimal("0.125"),  # decimal
        "start_month": datetime.date(2027, 2, 1),  # month
        "proposed_source": None,  # an empty foreign key
        "priority": None,  # an empty number
        "notes": "Ghi chú có dấu: “đường”",
        "beneficiary_households": 80,
    }
    codec = ValuesCodec(ProposalLine, LINE_FIELDS)
    row = codec.dump(values)
    [back] = codec.load(unpack_kept(pack_kept([row])))
    assert back == {name: values[name] for name in LINE_FIELDS}
    assert isinstance(back["quantity"], Decimal) and back["unit"].pk == other_unit.pk
    assert isinstance(back["start_month"], datetime.date)


def test_a_catalog_entry_removed_after_the_check_refuses_the_confirmation() -> None:
    gone = f.unit("dam", "dặm")
    codec = ValuesCodec(ProposalLine, LINE_FIELDS)
    row = codec.dump({**f.line_data(), "unit": gone})
    gone.delete()
    with pytest.raises(ApplicationError) as caught:
        codec.load([row])
    assert caught.value.code == "import_stale"


def test_the_kept_changes_restore_as_the_reading_found_them() -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _edited(plan))
    assert record.kept is not None
    restored = f6.restore(plan, unpack_kept(record.kept))
    assert [(c.line.number if c.line else None, c.delete) for c in restored.changes] == [
        (1, False),
        (2, False),
    ]
    where = restored.changes[0].where
    assert where is not None and (where.sheet, where.row) == ("F6", ROW1)
    [added] = restored.new.rows  # the new line as the database takes it, not converted
    values = dict(zip(LINE_FIELDS, added, strict=True))
    assert (values["activity"], values["quantity"], values["end_month"]) == (
        "Làm cầu tràn",
        "0.5",
        "2027-08-01",
    )
    assert values["unit"] in restored.new.related["unit"]


def test_plan_rules_appear_as_warnings_in_the_preview(client: Client) -> None:
    plan, planner = plan_with_lines()
    book = opened(f6.export(plan))
    book["F6"][f"V{ROW1}"], book["F6"][f"V{ROW2}"] = None, None  # no priority left in the sector
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    [warning] = record.summary["warnings"]
    assert "Hạ tầng: giao thông" in warning
    client.force_login(planner)
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert 'id="import-warnings"' in page and "Hạ tầng: giao thông" in page
    assert "Cần xử lý trước khi nộp kế hoạch" in page
    confirm(plan, planner, record)  # a warning does not stop the import
    assert ProposalLine.objects.filter(plan=plan, priority__isnull=True).count() == 2


def test_a_workbook_that_keeps_the_rules_shows_no_warning(client: Client) -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _edited(plan))
    assert record.summary["warnings"] == []
    client.force_login(planner)
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert 'id="import-warnings"' not in page


def _confirm_queries(lines: int) -> int:
    plan = f.village_plan(VillageFactory.create())
    f.line_data()  # the sector, unit and source the workbook names
    planner = commune_planner(plan.village.parent)
    record = upload(plan, planner, f6_workbook(lines), "f6.xlsx")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors[:3]
    with CaptureQueriesContext(connection) as queries:
        confirm(plan, planner, record)
    assert ProposalLine.objects.filter(plan=plan).count() == lines
    return len(queries)


def test_the_confirmation_queries_do_not_grow_with_the_lines() -> None:
    few, many = _confirm_queries(2), _confirm_queries(20)
    assert few == many
    assert many <= 25
