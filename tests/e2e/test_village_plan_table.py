"""Every htmx interaction of the village plan page swaps exactly its own target (issue 13): one
test per interaction — add with an error, add, inline edit that saves, inline edit that moves a
line, inline edit with an error, delete and undo, meeting save, attendance add. Each checks the
rows of the table, the totals, that no table, form or section appears twice (nor one inside
another), where the keyboard focus went, and that the page keeps its height (the broken swap
grew it to ~11,700 px)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.models import VillageMeeting, VillagePlan
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f

ROAD, SCHOOL = "Hạ tầng: giao thông", "Giáo dục – đào tạo"
MEETING = {
    "held_on": datetime.date(2026, 6, 10),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "secretary": "Lê Thị Na",
    "households_total": 100,
    "households_represented": 62,
    "participants_total": 70,
    "participants_women": 28,
    "participants_poor": 9,
    "participants_em": 0,
    "decision": "Thông qua danh mục đề xuất năm 2027",
    "votes_agree": 60,
    "votes_disagree": 5,
    "votes_abstain": 5,
}
GROWTH = 400
"""How much taller (px) the page may get in one interaction: a row or a message, not a page."""


@pytest.fixture
def plan() -> VillagePlan:
    """Thôn Diên Sanh's 2027 plan: two roads (priorities 1 and 2) and a school, 100 + 200 +
    150 = 450 million VND; the commune planner xa.hailang may edit it."""
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    f.sector("HT-GT", ROAD, 50)
    school = f.sector("GD", SCHOOL, 90)
    f.unit()
    plan = f.village_plan(village)
    f.line(plan, activity="Bê tông hóa đường xóm Trên", priority=1)
    f.line(
        plan,
        activity="Đường ra đồng Bàu Sen",
        priority=2,
        total_cost_mvnd=200,
        contribution_mvnd=40,
        contribution_cash_mvnd=20,
        external_support_mvnd=160,
    )
    f.line(
        plan,
        activity="Sửa phòng học mẫu giáo",
        sector=school,
        total_cost_mvnd=150,
        contribution_mvnd=30,
        external_support_mvnd=120,
    )
    commune_planner(village.parent, username="xa.hailang")
    return plan


def _open(page: Page, path: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#notifications-link")).to_be_visible()
    page.goto(path)


def _rows(page: Page) -> Locator:
    return page.locator("#proposals table.lines > tbody > tr[id^='line-']")


def _height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def _tables(page: Page) -> int:
    return page.locator("table").count()


def _one_of_each(page: Page, tables: int) -> None:
    """The page has one table of proposals, one add form, one checklist and one message area,
    no table inside a table and no section inside a row — and as many tables as before."""
    expect(page.locator("#proposals")).to_have_count(1)
    expect(page.locator("table.lines")).to_have_count(1)
    expect(page.locator("#line-create")).to_have_count(1)
    expect(page.locator("form[hx-post$='/lines/new/']")).to_have_count(1)
    expect(page.locator("#checklist")).to_have_count(1)
    expect(page.locator("#proposals-flash")).to_have_count(1)
    expect(page.locator("table table")).to_have_count(0)
    expect(page.locator("tr #proposals, tr #checklist, tr #line-create")).to_have_count(0)
    expect(page.locator("table")).to_have_count(tables)


def _fill_line(form: Locator, activity: str, cost: str, contribution: str, support: str) -> None:
    form.get_by_label("Lĩnh vực").select_option(label=ROAD)
    form.get_by_label("Hoạt động").fill(activity)
    form.get_by_label("Đơn vị tính").select_option(label="km")
    form.get_by_label("Khối lượng").fill("1,5")
    form.get_by_label("Bắt đầu (mm/yyyy)").fill("03/2027")
    form.get_by_label("Kết thúc (mm/yyyy)").fill("08/2027")
    form.get_by_label("Tổng kinh phí (triệu đồng)").fill(cost)
    form.get_by_label("Dân đóng góp").first.fill(contribution)
    form.get_by_label("Hỗ trợ từ bên ngoài đề nghị").fill(support)
    form.get_by_label("Thứ tự ưu tiên").select_option("3")


def test_an_add_with_an_error_shows_the_form_once_with_the_errors_and_the_table_stays(
    page: Page, plan: VillagePlan
) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    form = page.locator("#line-create form")
    _fill_line(form, "Cầu tràn khe Mây", "500", "100", "300")  # 100 + 300 is not 500
    form.get_by_role("button", name="Thêm đề xuất").click()

    error = page.locator("#line-create .has-error", has_text="Tổng kinh phí")
    expect(error).to_contain_text("Dòng 4, Tổng kinh phí")
    _one_of_each(page, tables)
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#grand-total")).to_have_text("450,0")
    # the values stay as typed and the focus is on the field to correct
    expect(form.get_by_label("Hoạt động")).to_have_value("Cầu tràn khe Mây")
    expect(form.get_by_label("Tổng kinh phí (triệu đồng)")).to_be_focused()
    assert _height(page) <= height + GROWTH

    # corrected, it is added: the error is gone and the form is empty again
    page.keyboard.press("Control+A")
    page.keyboard.type("400")
    page.keyboard.press("Enter")
    expect(_rows(page)).to_have_count(4)
    expect(page.locator("#line-create .has-error")).to_have_count(0)
    expect(form.get_by_label("Hoạt động")).to_have_value("")
    _one_of_each(page, tables)


def test_an_add_refreshes_the_table_totals_and_checklist_and_empties_the_form(
    page: Page, plan: VillagePlan
) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    expect(page.locator("#checklist li[data-code='has_lines']")).to_have_text("3 đề xuất.")
    form = page.locator("#line-create form")
    _fill_line(form, "Cầu tràn khe Mây", "500", "100", "400")
    form.get_by_role("button", name="Thêm đề xuất").click()

    expect(_rows(page)).to_have_count(4)
    expect(page.locator("#grand-total")).to_have_text("950,0")
    expect(page.locator("[data-total='HT-GT']")).to_have_text("800,0")
    expect(page.locator("#checklist li[data-code='has_lines']")).to_have_text("4 đề xuất.")
    expect(page.locator("#proposals-flash")).to_have_text("Đã thêm dòng 4.")
    expect(form.get_by_label("Hoạt động")).to_have_value("")
    _one_of_each(page, tables)
    # the focus is on the new row
    new_row = page.locator("tr", has_text="Cầu tràn khe Mây")
    expect(new_row.get_by_role("link", name="Sửa")).to_be_focused()
    assert _height(page) <= height + GROWTH


def test_an_inline_edit_that_saves_replaces_its_row_and_the_totals(
    page: Page, plan: VillagePlan
) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    row = page.locator("tr", has_text="Bê tông hóa đường xóm Trên")
    row.get_by_role("link", name="Sửa").click()
    editing = page.locator("tr.editing")
    expect(editing.get_by_label("Lĩnh vực")).to_be_focused()
    expect(page.locator("table table")).to_have_count(0)
    editing.get_by_label("Tổng kinh phí (triệu đồng)").fill("130")
    editing.get_by_label("Hỗ trợ từ bên ngoài đề nghị").fill("100")
    editing.get_by_role("button", name="Lưu").click()

    expect(page.locator("tr.editing")).to_have_count(0)
    expect(_rows(page)).to_have_count(3)
    expect(row).to_contain_text("130,0")
    expect(page.locator("[data-total='HT-GT']")).to_have_text("330,0")
    expect(page.locator("#grand-total")).to_have_text("480,0")
    expect(page.locator("#proposals-flash")).to_have_text("Đã lưu dòng 1.")
    expect(page.locator("#sector-HT-GT")).to_have_count(1)
    _one_of_each(page, tables)
    expect(row.get_by_role("link", name="Sửa")).to_be_focused()
    assert _height(page) <= height + GROWTH


def test_an_inline_edit_that_moves_the_line_redraws_the_table_once(
    page: Page, plan: VillagePlan
) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    row = page.locator("tr", has_text="Bê tông hóa đường xóm Trên")
    row.get_by_role("link", name="Sửa").click()
    editing = page.locator("tr.editing")
    editing.get_by_label("Lĩnh vực").select_option(label=SCHOOL)
    editing.get_by_role("button", name="Lưu").click()

    expect(page.locator("tr.editing")).to_have_count(0)
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("[data-total='HT-GT']")).to_have_text("200,0")
    expect(page.locator("[data-total='GD']")).to_have_text("250,0")
    expect(page.locator("#grand-total")).to_have_text("450,0")
    # the line now stands in the school's sector
    school = page.locator("#proposals tbody", has=page.locator("#sector-GD"))
    expect(school.locator("tr", has_text="Bê tông hóa đường xóm Trên")).to_have_count(1)
    _one_of_each(page, tables)
    expect(row.get_by_role("link", name="Sửa")).to_be_focused()
    assert _height(page) <= height + GROWTH


def test_an_inline_edit_with_an_error_shows_that_rows_form_only(
    page: Page, plan: VillagePlan
) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    row = page.locator("tr", has_text="Đường ra đồng Bàu Sen")
    row.get_by_role("link", name="Sửa").click()
    editing = page.locator("tr.editing")
    expect(editing.get_by_label("Lĩnh vực")).to_be_focused()
    opened = _height(page)  # the row's form is as tall as its fields
    editing.get_by_label("Tổng kinh phí (triệu đồng)").fill("999")
    editing.get_by_role("button", name="Lưu").click()

    expect(editing.locator(".has-error")).to_contain_text("Dòng 2, Tổng kinh phí")
    expect(page.locator("tr.editing")).to_have_count(1)
    expect(page.locator("tr.editing form")).to_have_count(1)
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#grand-total")).to_have_text("450,0")
    _one_of_each(page, tables)
    expect(editing.get_by_label("Tổng kinh phí (triệu đồng)")).to_be_focused()
    expect(editing.get_by_label("Tổng kinh phí (triệu đồng)")).to_have_value("999")
    assert _height(page) <= opened + GROWTH  # the form and its message, not the page again

    # cancelled: the row as it was, the focus back on it
    editing.get_by_role("link", name="Hủy").click()
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(row).to_contain_text("200,0")
    expect(row.get_by_role("link", name="Sửa")).to_be_focused()
    _one_of_each(page, tables)
    assert _height(page) <= height + GROWTH


def test_delete_and_undo_replace_the_table(page: Page, plan: VillagePlan) -> None:
    _open(page, f"/plans/{plan.uid}/")
    tables, height = _tables(page), _height(page)
    row = page.locator("tr", has_text="Đường ra đồng Bàu Sen")
    row.get_by_role("button", name="Xóa").click()

    expect(_rows(page)).to_have_count(2)
    expect(row).to_have_count(0)
    expect(page.locator("#grand-total")).to_have_text("250,0")
    expect(page.locator("#proposals-flash")).to_contain_text("Đã xóa dòng 2.")
    undo = page.locator("#proposals-flash").get_by_role("button", name="Hoàn tác")
    expect(undo).to_be_focused()
    _one_of_each(page, tables)

    undo.click()
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#grand-total")).to_have_text("450,0")
    expect(page.locator("#proposals-flash")).to_have_text("Đã khôi phục dòng 2.")
    expect(row.get_by_role("link", name="Sửa")).to_be_focused()
    _one_of_each(page, tables)
    assert _height(page) <= height + GROWTH


def test_the_meeting_save_shows_the_record_once(page: Page, plan: VillagePlan) -> None:
    _open(page, f"/plans/{plan.uid}/meeting/")
    tables, height = _tables(page), _height(page)
    page.get_by_label("Ngày:", exact=True).fill("12/06/2026")
    page.get_by_label("Chủ trì").fill("Trần Văn Bình")
    page.get_by_label("Số hộ trong thôn").fill("100")
    page.get_by_label("Số hộ có đại diện dự họp").fill("62")
    page.get_by_label("Số người dự họp").fill("70")
    page.get_by_label("Trong đó nữ").fill("28")
    page.get_by_label("Nội dung quyết nghị").fill("Thông qua danh mục đề xuất năm 2027")
    page.get_by_label("Đồng ý:", exact=True).fill("60")
    page.get_by_role("button", name="Lưu biên bản họp").click()

    expect(page.locator("main")).to_contain_text("Đã lưu biên bản họp thôn.")
    expect(page.locator("main")).to_contain_text("62,0%")
    expect(page.locator("main")).to_contain_text("trên 50%")
    expect(page.get_by_role("button", name="Lưu biên bản họp")).to_have_count(1)
    expect(page.locator("#attendance")).to_have_count(1)
    expect(page.locator("#attendee-add")).to_have_count(1)
    expect(page.locator("table table")).to_have_count(0)
    # the participation table and the (empty) attendance list come with the record, once each
    expect(page.locator("section[aria-labelledby='participation-title'] table")).to_have_count(1)
    expect(page.locator("#attendance-table")).to_have_count(1)
    expect(page.locator("table")).to_have_count(tables + 2)
    assert VillageMeeting.objects.filter(plan=plan).count() == 1
    assert _height(page) <= height + 2 * GROWTH


def test_an_attendance_add_swaps_the_section_once(page: Page, plan: VillagePlan) -> None:
    _with_meeting(plan)
    _open(page, f"/plans/{plan.uid}/meeting/")
    height = _height(page)
    add = page.locator("#attendee-add")
    add.locator('[name="attendee-full_name"]').fill("Hồ Thị Mai")
    add.locator('[name="attendee-sex"]').select_option("female")
    add.locator('[name="attendee-ethnicity"]').fill("Vân Kiều")
    add.locator('[name="attendee-poverty_status"]').select_option("poor")
    add.locator("button[type=submit]").click()

    people = page.locator("#attendance-table tbody tr[id^='attendee-']")
    expect(people).to_have_count(1)
    expect(people).to_contain_text("Hồ Thị Mai")
    expect(page.locator("#attendance")).to_have_count(1)
    expect(page.locator("#attendee-add")).to_have_count(1)
    expect(page.locator("#attendance-table")).to_have_count(1)
    expect(page.locator("#attendance #attendance")).to_have_count(0)
    expect(page.locator("table table")).to_have_count(0)
    # the form is empty and has the focus, for the next person
    expect(add.locator('[name="attendee-full_name"]')).to_have_value("")
    expect(add.locator('[name="attendee-full_name"]')).to_be_focused()

    # a second person with an error: the message beside the field, the list unchanged
    add.locator('[name="attendee-full_name"]').fill("Hồ Văn Lúa")
    add.locator("button[type=submit]").click()
    expect(add.locator(".has-error")).to_have_count(1)
    expect(add.locator('[name="attendee-sex"]')).to_be_focused()
    expect(people).to_have_count(1)
    expect(page.locator("#attendance")).to_have_count(1)
    assert _height(page) <= height + 2 * GROWTH


def _with_meeting(plan: VillagePlan) -> Any:
    planner = commune_planner(plan.village.parent)
    return meeting_save(actor=planner, plan=plan, data=MEETING)
