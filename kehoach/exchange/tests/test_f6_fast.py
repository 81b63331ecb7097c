"""The F6 import's fast path (issue 14): the kept new lines go to the database as they were kept,
without model instances, and read back exactly as the web form's writer would have saved them,
with the same history; a catalog entry removed after the check still refuses the whole
confirmation; the preview of a 20,000-line workbook lists the first changes and counts the
rest, and stays under the page budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.audit import snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import SUMMARY_CHANGES, unpack_kept
from kehoach.geo.tests.factories import VillageFactory
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import (
    AUDIT_FIELDS,
    LineChange,
    NewLines,
    proposal_lines_apply,
)
from kehoach.plans.tests import factories as f

from .helpers import FIRST_ROW, confirm, lines_state, opened, plan_with_lines, saved, upload
from .test_scan import f6_workbook

pytestmark = pytest.mark.django_db

NEW = FIRST_ROW + 2
PAGE_BUDGET = 100 * 1024


def _with_new_line(plan: Any, unit: str = "km") -> bytes:
    book = opened(f6.export(plan))
    ws = book["F6"]
    ws[f"A{NEW}"], ws[f"B{NEW}"], ws[f"C{NEW}"] = 3, "Hạ tầng: giao thông", "Làm cầu tràn"
    ws[f"D{NEW}"] = "Xóm Dưới"
    ws[f"E{NEW}"], ws[f"F{NEW}"], ws[f"G{NEW}"], ws[f"H{NEW}"] = unit, 0.5, "05/2027", "08/2027"
    ws[f"I{NEW}"], ws[f"J{NEW}"], ws[f"P{NEW}"] = 200.25, 0.25, 200
    return saved(book)


def test_a_kept_new_line_is_saved_as_the_writer_saves_a_line() -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _with_new_line(plan))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors

    confirm(plan, planner, record)

    line = ProposalLine.objects.get(plan=plan, number=3)
    assert (line.activity, line.location, line.unit.code) == ("Làm cầu tràn", "Xóm Dưới", "km")
    assert (line.quantity, line.total_cost_mvnd) == (Decimal("0.5"), Decimal("200.25"))
    assert (line.contribution_mvnd, line.external_support_mvnd) == (Decimal("0.25"), 200)
    assert (line.start_month.isoformat(), line.end_month.isoformat()) == (
        "2027-05-01",
        "2027-08-01",
    )
    assert (line.version, line.deleted_at, line.outcome) == (1, None, "pending")
    assert line.uid is not None and line.created_at == line.updated_at
    assert ProposalLine.objects.filter(uid=line.uid).count() == 1
    [entry] = AuditEntry.objects.filter(subject_id=str(line.pk), operation="create")
    # the history row reads as the writer's model instances made it: the snapshot of a line
    # built from the same kept values
    assert record.kept is not None
    [values] = f6.CODEC.load(unpack_kept(record.kept)["add"])
    assert entry.after == snapshot(ProposalLine(plan=plan, number=3, **values), AUDIT_FIELDS)
    assert entry.after["unit"] == str(line.unit) and entry.after["total_cost_mvnd"] == "200.25"
    assert entry.after["quantity"] == "0.5" and entry.after["contribution_labour_days"] == "0"
    assert (entry.before, entry.subject_repr, entry.plan_uid) == ({}, str(line), plan.uid)
    assert entry.subject_label == "plans.proposalline"
    assert (entry.actor_id, entry.actor_username) == (planner.pk, planner.get_username())


def test_lines_added_by_the_web_form_and_by_a_workbook_read_back_the_same() -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _with_new_line(plan))
    confirm(plan, planner, record)
    imported = ProposalLine.objects.get(plan=plan, number=3)
    data = {name: getattr(imported, name) for name in AUDIT_FIELDS if name != "number"}
    proposal_lines_apply(actor=planner, plan=plan, changes=[LineChange(data=data)])
    typed = ProposalLine.objects.get(plan=plan, number=4)
    assert snapshot(typed, AUDIT_FIELDS) == {**snapshot(imported, AUDIT_FIELDS), "number": 4}


def test_new_lines_as_rows_are_written_only_as_validated_lines() -> None:
    plan, planner = plan_with_lines()
    with pytest.raises(ValueError):
        proposal_lines_apply(actor=planner, plan=plan, changes=[], new=NewLines(rows=[]))
    counts = proposal_lines_apply(
        actor=planner, plan=plan, changes=[], validated=True, new=NewLines(rows=[])
    )
    assert counts["added"] == 0


def test_a_unit_removed_after_the_check_refuses_the_kept_new_lines() -> None:
    plan, planner = plan_with_lines()
    f.unit("dam", "dặm")
    record = upload(plan, planner, _with_new_line(plan, unit="dặm"))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    before = lines_state(plan)
    f.unit("dam", "dặm").delete()

    with pytest.raises(ApplicationError) as caught:
        confirm(plan, planner, record)

    assert caught.value.code == "import_stale"
    assert lines_state(plan) == before


def test_a_unit_still_there_lets_the_kept_new_lines_in() -> None:
    plan, planner = plan_with_lines()
    f.unit("dam", "dặm")
    record = upload(plan, planner, _with_new_line(plan, unit="dặm"))
    confirm(plan, planner, record)
    assert ProposalLine.objects.get(plan=plan, number=3).unit.code == "dam"


def test_a_small_workbook_lists_every_change(client: Client) -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, _with_new_line(plan))
    assert record.summary["more"] == 0 and len(record.summary["changes"]) == 1
    client.force_login(planner)
    page = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert 'id="import-more"' not in page


def test_the_preview_of_20000_lines_lists_the_first_and_counts_the_rest(client: Client) -> None:
    plan = f.village_plan(VillageFactory.create())
    f.line_data()  # the sector, unit and source the workbook names
    planner = commune_planner(plan.village.parent)
    record = upload(plan, planner, f6_workbook(20_000), "f6.xlsx")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors[:3]
    summary = record.summary
    assert summary["counts"] == {"add": 20_000, "change": 0, "remove": 0}
    assert len(summary["changes"]) == SUMMARY_CHANGES
    assert summary["more"] == 20_000 - SUMMARY_CHANGES
    client.force_login(planner)
    response = client.get(reverse("exchange:import", args=[record.uid]))
    page = response.content.decode()
    assert 'id="import-more"' in page
    assert ("19.700" in page) or ("19700" in page)
    assert len(response.content) < PAGE_BUDGET, len(response.content)

    confirm(plan, planner, record)
    assert ProposalLine.objects.filter(plan=plan).count() == 20_000
    assert AuditEntry.objects.filter(plan_uid=plan.uid, operation="create").count() == 20_000
    numbers = ProposalLine.objects.filter(plan=plan).values_list("number", flat=True)
    assert sorted(numbers) == list(range(1, 20_001))


def test_a_refused_reading_leaves_no_cyclic_garbage() -> None:
    """The check runs with the collector paused (``core.batch``): a reading must free itself
    by reference counting, even when its cells are wrong (a remembered conversion error once
    held the frames of the whole reading through the error it replaced)."""
    import gc

    from kehoach.exchange.reading.rows import DataRow

    plan, planner = plan_with_lines()
    book = opened(f6.export(plan))
    ws = book["F6"]
    for row in range(NEW, NEW + 5):
        ws[f"A{row}"], ws[f"B{row}"], ws[f"C{row}"] = row, "Hạ tầng: giao thông", f"Cầu {row}"
        ws[f"E{row}"], ws[f"F{row}"], ws[f"G{row}"], ws[f"H{row}"] = "km", 1, "05/2027", "08/2027"
        ws[f"I{row}"] = "hai trăm"  # not an amount
    data = saved(book)
    upload(plan, planner, data)  # every module imported, every cache warm
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        record = upload(plan, planner, data)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, DataRow)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert record.result == ImportRecord.Result.REFUSED
    assert any(e["column"] == "I" for e in record.errors), record.errors
    assert left == []
