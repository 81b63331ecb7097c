"""The commune planner scores 20 lines in the F10 grid with the keyboard alone, like in a
spreadsheet: Tab along the rows, Enter down a column, Esc to put a cell back. One wrong score
stays in its cell with its message while the rest of the row is saved; corrected, it is saved
too; the totals and the ranks on the page end as kehoach computes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from kehoach.accounts.tests.factories import PASSWORD
from kehoach.core.numbers import format_number_vi
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.lines import commune_plan_synthesise, lines_with_sources
from kehoach.synthesis.services.scoring import line_scores
from kehoach.synthesis.tests import factories as f

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the browser tests run on SQLite"
)
WRONG_ROW = 5
SAVED = 60_000
"""How long to wait for the answer of a save queued behind the others (ms): 100 saves go one
after the other on a slow test machine; expect() returns as soon as the answer is there."""
"""The row (0-based) whose urgency score is typed as 7 first."""


def _plan_with_20_lines() -> Any:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = f.transport()
    for village, first in ((a, 0), (b, 10)):
        f.submitted_plan(
            village,
            [
                f.money_line(
                    str(100 + 20 * k), str(5 + k), sector=road, activity=f"Đường xóm {k + 1}",
                    priority=1 + k % 3, beneficiary_households=20 + 3 * k,
                )
                for k in range(first, first + 10)
            ],
        )  # fmt: skip
    round_ = f.round_of(commune)
    planner = f.planner(commune, username="xa.hailang")
    commune_plan_synthesise(actor=planner, round_=round_)
    return f.commune_plan_for(round_)


def _intended(index: int) -> dict[str, Any]:
    """The scores the planner means to give row ``index`` (0-based)."""
    return {
        "ntm_criterion": index % 6,
        "urgency_safety": 3 if index == WRONG_ROW else (2 * index) % 6,
        "readiness": 2.5 if index == 7 else 5 - index % 6,
        "operation_maintenance": (index + 2) % 6,
    }


def _typed(value: Any) -> str:
    return format_number_vi(value, 1).removesuffix(",0")


def test_twenty_lines_scored_with_the_keyboard(page: Page) -> None:
    plan = _plan_with_20_lines()
    lines = lines_with_sources(plan)
    assert len(lines) == 20
    numbers = [line.number for line in lines]

    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/cdp/{plan.uid}/")
    page.get_by_role("link", name="Chấm điểm (F10)").click()
    grid = page.locator("#scoring-grid")
    expect(grid.locator("tbody tr")).to_have_count(20)
    expect(page.locator("#scoring")).to_have_class("scoring live")  # the script is on
    expect(page.locator(".row-save").first).to_be_hidden()
    keys = page.keyboard

    def cell(index: int, code: str) -> Any:
        return page.locator(f"#s{numbers[index]}-{code}")

    # 1. along the rows with Tab: three criteria typed, the fourth left for later; Tab at the
    # end of a row goes on to the next row's first cell
    cell(0, "ntm_criterion").focus()
    for index in range(20):
        scores = _intended(index)
        keys.type(_typed(scores["ntm_criterion"]))
        keys.press("Tab")
        keys.type("7" if index == WRONG_ROW else _typed(scores["urgency_safety"]))
        keys.press("Tab")
        keys.type(_typed(scores["readiness"]))
        keys.press("Tab")
        expect(cell(index, "operation_maintenance")).to_be_focused()
        keys.press("Tab")
        if index < 19:
            expect(cell(index + 1, "ntm_criterion")).to_be_focused()

    # the wrong value stays in its cell, marked, with its message beside it (the saves go one
    # after the other while the planner types on: the answer may come a while later)
    wrong = cell(WRONG_ROW, "urgency_safety")
    message = page.locator(f"#e{numbers[WRONG_ROW]}-urgency_safety")
    expect(message).to_have_text("Điểm phải là số từ 0 đến 5, hoặc để trống.", timeout=SAVED)
    expect(wrong).to_have_value("7")
    expect(wrong).to_have_attribute("aria-invalid", "true")
    expect(wrong).to_have_attribute("aria-describedby", f"e{numbers[WRONG_ROW]}-urgency_safety")

    # 2. down a column with Enter: each Enter saves the cell and goes to the one below
    cell(0, "operation_maintenance").focus()
    for index in range(20):
        keys.type(_typed(_intended(index)["operation_maintenance"]))
        keys.press("Enter")
        if index < 19:
            expect(cell(index + 1, "operation_maintenance")).to_be_focused()

    # the last of these saved means every save before it is done: one request at a time
    last = page.locator(f"#e{numbers[19]}-operation_maintenance")
    expect(last).to_have_attribute("data-state", "saved", timeout=SAVED)

    # Esc puts a cell back as saved
    cell(3, "readiness").focus()
    keys.press("Control+a")
    keys.type("9")
    keys.press("Escape")
    expect(cell(3, "readiness")).to_have_value(_typed(_intended(3)["readiness"]))

    # the rest of the wrong row was saved on its own
    expect(page.locator(f"#t{numbers[WRONG_ROW]}")).not_to_have_text("0,00")
    stored = CommuneLine.objects.get(pk=lines[WRONG_ROW].pk).manual_scores
    assert "urgency_safety" not in stored
    assert stored["readiness"] == _intended(WRONG_ROW)["readiness"]

    # 3. the wrong value corrected: Esc, the right score, Enter
    wrong.focus()
    keys.press("Escape")
    expect(message).to_have_text("")
    keys.type("3")
    keys.press("Enter")
    expect(cell(WRONG_ROW + 1, "urgency_safety")).to_be_focused()
    expect(message).to_have_attribute("data-state", "saved", timeout=SAVED)
    expect(wrong).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#scoring-status")).to_contain_text(
        f"Dòng {numbers[WRONG_ROW]}, Tính cấp thiết, an toàn: đã lưu 3."
    )

    # the totals and the ranks on the page are the ones kehoach computes from the scores meant
    for index, line in enumerate(lines):
        line.manual_scores = {k: v for k, v in _intended(index).items() if v is not None}
    expected = line_scores(plan, lines)
    for line in lines:
        score = expected[line.pk]
        expect(page.locator(f"#t{line.number}")).to_have_text(format_number_vi(score.score, 2))
        expect(page.locator(f"#k{line.number}")).to_have_text(str(score.rank))
    for index, line in enumerate(lines):
        stored = CommuneLine.objects.get(pk=line.pk).manual_scores
        assert stored == _intended(index), index

    # and a new visit shows the same
    page.reload()
    for line in lines:
        expect(page.locator(f"#k{line.number}")).to_have_text(str(expected[line.pk].rank))
    expect(cell(7, "readiness")).to_have_value("2,5")
