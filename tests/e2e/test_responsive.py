"""Small screens and wide dashboards, on the demo.

On a 390 × 844 phone (and on a 360 px one) the village plan, the village meeting, the progress
pages (the works and a work) and the public portal never scroll sideways: a table becomes one
card per row (each cell "label: value") or scrolls inside its own box, which then says so and
can be scrolled from the keyboard; forms stack. On a 1,366 px and a 1,920 px screen no table of
the commune's or the province's implementation dashboard is clipped: each fits in its box, and
the charts stand two by two.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from kehoach.monitoring.models import SupervisionBoard
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.models import CommunePlan

from .demo import (
    COMMUNE,
    PLANNER,
    PROVINCE,
    PROVINCE_OFFICER,
    VILLAGE,
    VILLAGE_EDITOR,
    WARD_PLANNER,
    draft_village_plan,
    load_demo,
    login,
    open_details,
)

PHONE: ViewportSize = {"width": 390, "height": 844}
SMALLEST: ViewportSize = {"width": 360, "height": 740}

_WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
_COLUMNS = "grid => getComputedStyle(grid).gridTemplateColumns.split(' ').length"

_CLIPPED_TABLES = """() => {
  const clipped = [];
  for (const table of document.querySelectorAll("main table")) {
    const rect = table.getBoundingClientRect();
    if (rect.width === 0) continue;
    let box = table.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === "visible") {
      box = box.parentElement;
    }
    const limit = box && box !== document.body
      ? box.getBoundingClientRect() : {left: 0, right: window.innerWidth};
    const name = table.id || table.closest("[id]")?.id || "table";
    if (rect.left < limit.left - 1 || rect.right > limit.right + 1) {
      clipped.push(`${name}: ${Math.round(rect.left)}–${Math.round(rect.right)} in `
        + `${Math.round(limit.left)}–${Math.round(limit.right)}`);
    }
  }
  return clipped;
}"""


def _no_sideways_scroll(page: Page, where: str) -> None:
    """The page is no wider than the window, with every folded section open, on a 390 px and
    on a 360 px phone."""
    open_details(page)
    for size in (PHONE, SMALLEST):
        page.set_viewport_size(size)
        width, window = page.evaluate(_WIDTHS)
        assert width <= window, f"{where} ({page.url}) is {width} px wide in a {window} px window"
    page.set_viewport_size(PHONE)


def _stacked(page: Page, selector: str) -> Any:
    """How the first data cell of a table shows: its display and the label before it."""
    return page.locator(selector).first.evaluate(
        "cell => [getComputedStyle(cell).display, getComputedStyle(cell, '::before').content]"
    )


def test_phone_pages_never_scroll_sideways(page: Page) -> None:
    load_demo()
    draft = draft_village_plan()
    submitted = VillagePlan.objects.get(round__plan_year=2027, village__code=VILLAGE)
    followed = CommunePlan.objects.get(round__commune__code=COMMUNE, round__plan_year=2026)
    board = SupervisionBoard.objects.filter(line__plan=followed).order_by("id").first()
    assert board is not None
    page.set_viewport_size(PHONE)

    # the check can fail: a page with something wider than the phone is caught
    page.goto(reverse("accounts:login"))
    page.evaluate(
        "() => { const wide = document.createElement('div');"
        " wide.className = 'probe'; wide.textContent = 'x'.repeat(400);"
        " document.querySelector('main').append(wide); }"
    )
    width, window = page.evaluate(_WIDTHS)
    assert width > window

    # the village editor's plan: the proposals are cards, one per line
    login(page, VILLAGE_EDITOR)
    page.goto(reverse("plans:plan", args=[submitted.uid]))
    expect(page.locator("table.stack").first).to_be_visible()
    display, label = _stacked(page, "table.stack tbody tr:not(.subtotal) td")
    assert display == "block"
    assert label == '"STT: "'  # the header of its column, written by the template
    _no_sideways_scroll(page, "village plan (village editor)")

    # a draft plan: the forms, the workbooks, a line being edited in place
    login(page, WARD_PLANNER)
    page.goto(reverse("plans:plan", args=[draft.uid]))
    page.locator("#proposals").get_by_role("link", name="Sửa").first.click()
    expect(page.locator("tr.editing form")).to_be_visible()
    _no_sideways_scroll(page, "village plan (draft, a line being edited)")
    # the form to add a proposal stacks its fields in one column
    assert page.locator("#line-create .grid-form").evaluate(_COLUMNS) == 1
    # the published envelope is a wide table: it scrolls in its own box, says so, and the
    # keyboard can reach it
    box = page.locator("main .wide.overflows").first
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_attribute("role", "region")
    assert "kéo sang ngang" in (box.get_attribute("data-hint") or "")
    page.goto(reverse("plans:meeting", args=[draft.uid]))
    _no_sideways_scroll(page, "village meeting (draft)")

    login(page, PLANNER)
    for where, url in (
        ("village plan (planner)", reverse("plans:plan", args=[submitted.uid])),
        ("village meeting", reverse("plans:meeting", args=[submitted.uid])),
        ("basic information", reverse("plans:info", args=[submitted.uid])),
        ("plan history", reverse("plans:history", args=[submitted.uid])),
        ("works", reverse("monitoring:works", args=[followed.uid])),
        ("work", reverse("monitoring:work", args=[followed.uid, board.line.uid])),
        ("dashboard", reverse("monitoring:dashboard", args=[followed.uid])),
    ):
        page.goto(url)
        _no_sideways_scroll(page, where)
    page.goto(reverse("monitoring:works", args=[followed.uid]))
    display, label = _stacked(page, "#works tbody td")
    assert (display, label) == ("block", '"STT: "')

    page.context.clear_cookies()
    for where, url in (
        ("portal home", reverse("portal:home")),
        ("portal province", reverse("portal:province", args=[PROVINCE])),
        ("portal commune", reverse("portal:commune", args=[COMMUNE])),
        ("portal plan", reverse("portal:plan", args=[COMMUNE, 2026])),
        ("portal village feedback", reverse("portal:feedback", args=[COMMUNE, 2026, VILLAGE])),
        ("portal work", reverse("portal:work", args=[COMMUNE, 2026, board.line.uid])),
        ("open data dictionary", reverse("portal:dictionary")),
    ):
        page.goto(url)
        _no_sideways_scroll(page, where)


def test_tables_are_tables_and_boxes_are_quiet_on_a_desktop(page: Page) -> None:
    """The other side of the phone layout: at 1,280 px the proposals are a table with its
    header row, the form to add one has its fields side by side, and a box whose table fits is
    neither marked nor a tab stop."""
    load_demo()
    draft = draft_village_plan()
    login(page, WARD_PLANNER)

    page.goto(reverse("plans:plan", args=[draft.uid]))

    table = page.locator("#proposals table")
    expect(table.locator("thead th").first).to_be_visible()
    display, label = _stacked(page, "#proposals tbody tr:not(.subtotal) td")
    assert (display, label) == ("table-cell", "none")
    assert page.locator("#line-create .grid-form").evaluate(_COLUMNS) > 1
    boxes = page.locator("main .wide")
    expect(boxes.first).to_be_attached()
    for index in range(boxes.count()):
        box = boxes.nth(index)
        if box.evaluate("box => box.clientWidth > 0 && box.scrollWidth <= box.clientWidth"):
            assert box.get_attribute("tabindex") is None
            assert "overflows" not in (box.get_attribute("class") or "")


def test_dashboard_tables_are_not_clipped_on_wide_screens(page: Page) -> None:
    load_demo()
    followed = CommunePlan.objects.get(round__commune__code=COMMUNE, round__plan_year=2026)
    commune = reverse("monitoring:dashboard", args=[followed.uid])
    province = reverse("monitoring:province_dashboard", args=[PROVINCE, 2026])

    login(page, PLANNER)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(commune)
    # folded, the commune's dashboard is short; its charts stand two by two
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 5000, height
    first, second = page.locator("#physical-title + .charts > figure").all()[:2]
    first_box, second_box = first.bounding_box(), second.bounding_box()
    assert first_box and second_box
    assert second_box["x"] > first_box["x"] + first_box["width"] - 1
    assert abs(second_box["y"] - first_box["y"]) < 1

    for user, url in ((PLANNER, commune), (PROVINCE_OFFICER, province)):
        login(page, user)
        for width in (1366, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            open_details(page)
            expect(page.locator("main table").first).to_be_visible()
            assert page.locator("main table").count() >= 7
            clipped = page.evaluate(_CLIPPED_TABLES)
            assert clipped == [], (url, width, clipped)
            widths = page.evaluate(_WIDTHS)
            assert widths[0] <= widths[1], (url, width, widths)

    # the check can fail: a table wider than its box is reported
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(commune)
    open_details(page)
    page.locator("#contribution-by-sector").evaluate(
        "table => { table.style.minWidth = '3000px'; }"
    )
    clipped = page.evaluate(_CLIPPED_TABLES)
    assert len(clipped) == 1
    assert clipped[0].startswith("contribution-by-sector: ")
