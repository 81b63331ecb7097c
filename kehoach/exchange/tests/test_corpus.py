"""Old village proposal lists (F6) in the layouts programmes made (issue 15): each workbook of
the corpus imported through the real path (check, then apply by the commune planner) with no
hand edits, the saved lines compared field by field with the known content; the error cases
refused, each error named by its cell."""

from __future__ import annotations

from typing import Any

import pytest

from kehoach.accounts.tests.factories import commune_planner
from kehoach.catalog.services import catalog_load_defaults
from kehoach.exchange.models import ImportRecord
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.tests import factories as f

from .corpus import CASES, ERROR_CASES
from .helpers import confirm, upload

pytestmark = pytest.mark.django_db

RELATED = {
    "sector": "sector__code",
    "unit": "unit__code",
    "proposed_source": "proposed_source__code",
}


@pytest.fixture
def village() -> tuple[VillagePlan, Any]:
    """An empty 2027 plan of the seeded catalog (its sectors, units, sources and aliases)."""
    catalog_load_defaults()
    plan = f.village_plan()
    return plan, commune_planner(plan.village.parent)


def _saved(plan: VillagePlan, fields: list[str]) -> list[dict[str, Any]]:
    names = [RELATED.get(name, name) for name in fields]
    rows = ProposalLine.objects.filter(plan=plan).order_by("number").values(*names)
    back = {v: k for k, v in RELATED.items()}
    return [{back.get(k, k): v for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("name", list(CASES))
def test_an_old_workbook_imports_as_its_known_content(
    village: tuple[VillagePlan, Any], name: str
) -> None:
    plan, planner = village
    case = CASES[name]()

    record = upload(plan, planner, case.data, case.filename)

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": len(case.expected), "change": 0, "remove": 0}
    confirm(plan, planner, record)
    fields = sorted({key for line in case.expected for key in line})
    saved = _saved(plan, fields)
    assert len(saved) == len(case.expected)
    for number, (got, want) in enumerate(zip(saved, case.expected, strict=True), start=1):
        wrong = {k: (got[k], v) for k, v in want.items() if got[k] != v}
        assert not wrong, f"line {number}: field → (saved, expected): {wrong}"


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_a_wrong_old_workbook_is_refused_on_the_cell(
    village: tuple[VillagePlan, Any], name: str
) -> None:
    plan, planner = village
    case = ERROR_CASES[name]()

    record = upload(plan, planner, case.data, case.filename)

    assert record.result == ImportRecord.Result.REFUSED, record.summary
    named = {f"{e['column']}{e['row']}": e for e in record.errors if e.get("row")}
    for cell, shown in case.errors.items():
        assert cell in named, (cell, record.errors)
        error = named[cell]
        assert shown in error["value"] or shown in error["message"], error
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_the_preview_says_which_values_were_computed_and_where_the_sector_came_from(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    record = upload(plan, planner, CASES["01-clean"]().data)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    notes = record.summary["notes"]
    assert any(n.startswith("Dân đóng góp tính từ tiền mặt") and "4 dòng" in n for n in notes)
    assert any("Lĩnh vực lấy từ dòng tiêu đề" in n and "4 dòng" in n for n in notes), notes
    first = record.summary["changes"][0]["fields"]
    assert any("(tính từ các phần)" in after for _label, _before, after in first), first
    assert any("(lấy từ dòng tiêu đề)" in after for _label, _before, after in first), first


def test_the_preview_notes_a_total_computed_from_its_parts(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    record = upload(plan, planner, CASES["06-total-missing"]().data)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    notes = record.summary["notes"]
    assert any(n.startswith("Tổng kinh phí tính từ") and "4 dòng" in n for n in notes), notes


def test_a_workbook_that_gives_every_value_notes_nothing_computed(
    village: tuple[VillagePlan, Any],
) -> None:
    plan, planner = village
    record = upload(plan, planner, CASES["09-order-b"]().data)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert not [n for n in record.summary["notes"] if "tính từ" in n or "tiêu đề" in n]
