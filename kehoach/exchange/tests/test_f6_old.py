"""F6 in, issue 15: the plan-level rules (R3/R4) in the preview as warnings or, when the process
profile says so (``plan_rules_in_import``), as errors that refuse the upload on the cell of the
sector's first line; the typed policy setting itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from kehoach.catalog.policy import DEFAULT_POLICY, parse_policy
from kehoach.exchange.forms import f6
from kehoach.exchange.forms.base import RowValues
from kehoach.exchange.forms.f6.reading import _derived_notes
from kehoach.exchange.layouts import layout_get
from kehoach.exchange.models import ImportRecord
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f

from .helpers import FIRST_ROW, opened, saved, upload

pytestmark = pytest.mark.django_db


def test_the_setting_defaults_to_warnings() -> None:
    assert DEFAULT_POLICY.plan_rules_in_import == "warning"
    assert not DEFAULT_POLICY.plan_rules_refuse_import


@pytest.mark.parametrize(("value", "refuses"), [("warning", False), ("error", True)])
def test_the_setting_is_read_typed(value: str, refuses: bool) -> None:
    policy, problems = parse_policy({"plan_rules_in_import": value})
    assert problems == []
    assert policy.plan_rules_in_import == value
    assert policy.plan_rules_refuse_import is refuses


def test_a_wrong_setting_says_what_is_allowed_and_keeps_the_default() -> None:
    with translation.override("en"):
        policy, problems = parse_policy({"plan_rules_in_import": "strict"})
    assert policy.plan_rules_in_import == "warning"
    assert [(p.code, p.where.field, p.severity) for p in problems] == [
        ("policy_bad_choice", "plan_rules_in_import", "error")
    ]
    assert problems[0].message == (
        'Parameter “plan_rules_in_import”: "strict" is not allowed; enter “warning” (the rules '
        "on priority activities per sector are shown in the import preview) or “error” (an "
        "upload that breaks them is refused)."
    )
    with translation.override("vi"):
        _policy, problems = parse_policy({"plan_rules_in_import": "strict"})
    assert problems[0].message.startswith("Tham số “plan_rules_in_import”")


def _plan(mode: str | None) -> tuple[Any, Any]:
    from kehoach.accounts.tests.factories import commune_planner

    f.profile(extra={"plan_rules_in_import": mode} if mode else {})
    plan = f.village_plan()
    f.sector()
    f.unit()
    return plan, commune_planner(plan.village.parent)


def _workbook(plan: Any, priority: int | None) -> bytes:
    """One new line of the sector "Hạ tầng: giao thông", with or without a priority (the
    profile asks for 1 to 3 priority activities per sector: without one, R3 fails)."""
    book = opened(f6.export(plan, blank=True))
    ws = book["F6"]
    r = FIRST_ROW
    ws[f"B{r}"], ws[f"C{r}"], ws[f"E{r}"], ws[f"F{r}"] = "Hạ tầng: giao thông", "Làm cầu", "km", 1
    ws[f"G{r}"], ws[f"H{r}"], ws[f"I{r}"], ws[f"P{r}"] = "03/2027", "05/2027", 100, 100
    ws[f"V{r}"] = priority
    return saved(book)


@pytest.mark.parametrize("mode", [None, "warning"])
def test_plan_rules_are_warnings_by_default(mode: str | None) -> None:
    plan, planner = _plan(mode)
    record = upload(plan, planner, _workbook(plan, None))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert any("Hạ tầng: giao thông" in w and "0" in w for w in record.summary["warnings"])


def test_plan_rules_refuse_the_upload_when_the_profile_says_error() -> None:
    plan, planner = _plan("error")
    record = upload(plan, planner, _workbook(plan, None))
    assert record.result == ImportRecord.Result.REFUSED
    [error] = record.errors
    assert (error["row"], error["column"]) == (FIRST_ROW, "V")  # the priority of its first line
    assert "Hạ tầng: giao thông" in error["message"]
    assert not ProposalLine.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("mode", ["warning", "error"])
def test_a_plan_that_keeps_the_rules_has_neither(mode: str) -> None:
    plan, planner = _plan(mode)
    record = upload(plan, planner, _workbook(plan, 1))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["warnings"] == []


def _rows(count: int, *, computed: set[str], sector_column: bool) -> list[RowValues]:
    letters = {"activity": "B", **({"sector": "A"} if sector_column else {})}
    return [
        RowValues(
            number=n, key="", values={"sector": "HT-GT"}, letters=letters, computed=set(computed)
        )
        for n in range(7, 7 + count)
    ]


def test_values_computed_and_sectors_from_headings_are_noted_once_with_the_first_rows() -> None:
    rows = _rows(7, computed={"contribution_mvnd"}, sector_column=False)
    with translation.override("vi"):
        notes = _derived_notes(rows, layout_get("F6-CHUAN"))
    assert notes == [
        "Dân đóng góp tính từ tiền mặt, ngày công (quy đổi), vật liệu, hiến đất ở 7 dòng "
        "(dòng 7, 8, 9, 10, 11 …).",
        "Lĩnh vực lấy từ dòng tiêu đề phía trên ở 7 dòng (dòng 7, 8, 9, 10, 11 …).",
    ]
    with translation.override("vi"):
        [note] = _derived_notes(rows[:2], layout_get("F6-CHUAN"))[1:]
    assert note == "Lĩnh vực lấy từ dòng tiêu đề phía trên ở 2 dòng (dòng 7, 8)."


def test_values_read_from_their_own_cells_are_not_noted() -> None:
    rows = _rows(3, computed=set(), sector_column=True)
    assert _derived_notes(rows, layout_get("F6-CHUAN")) == []
