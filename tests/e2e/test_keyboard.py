"""The village plan path with the keyboard only (issue 13): the village editor logs in, opens
the plan from a notification, adds a proposal (a first try refused, corrected where the focus
lands), edits it in place, records the village meeting and submits the plan — with Tab,
Shift+Tab, Enter, Space, the arrow keys of a list and typing; no mouse, no ``fill``. After each
htmx answer the focus is where the work goes on (the field to correct, the new row, the row's
form), and the focused control shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, user_with_role
from kehoach.approvals.services import notify
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.models import VillagePlan
from kehoach.plans.tests import factories as f

NOTICE = "Xã Hải Lăng mở kỳ lập kế hoạch năm 2027: mời thôn lập kế hoạch"


@pytest.fixture
def plan() -> VillagePlan:
    """Like the demo: Thôn Diên Sanh of Xã Hải Lăng, its empty 2027 plan, its village editor
    thon.diensanh (Trần Văn Bình) told by a notification."""
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    f.sector("HT-GT", "Hạ tầng: giao thông", 50)
    f.sector("GD", "Giáo dục – đào tạo", 90)
    f.unit()
    plan = f.village_plan(village)
    editor = user_with_role(
        Role.VILLAGE_EDITOR, village, username="thon.diensanh", full_name="Trần Văn Bình"
    )
    notify([editor], NOTICE, f"/plans/{plan.uid}/")
    return plan


def _focused(page: Page, target: Locator) -> bool:
    handle = target.element_handle(timeout=5000)
    return bool(page.evaluate("(element) => document.activeElement === element", handle))


def _tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 200) -> None:
    """Press Tab (Shift+Tab going back) until ``target`` has the focus."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        if _focused(page, target):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {target}")


def _shows_focus(page: Page) -> None:
    """The focused control is outlined (the stylesheet's focus style, not the browser's)."""
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline


def _type_into(page: Page, target: Locator, text: str) -> None:
    _tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _choose_first(page: Page, target: Locator) -> None:
    """The first real option of a list, with the arrow key (the list stays closed)."""
    _tab_to(page, target)
    page.keyboard.press("ArrowDown")
    expect(target).not_to_have_value("")


def test_the_village_editor_completes_the_plan_with_the_keyboard_only(
    page: Page, plan: VillagePlan
) -> None:
    # log in
    page.goto("/accounts/login/")
    _type_into(page, page.get_by_label("Tên đăng nhập"), "thon.diensanh")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # open the plan from the notification
    _tab_to(page, page.locator("#notifications-link"))
    _shows_focus(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, page.get_by_role("button", name=NOTICE))
    _shows_focus(page)
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thôn Diên Sanh")

    # add a proposal: a first try whose amounts do not add up
    form = page.locator("#line-create form")
    _choose_first(page, form.get_by_label("Lĩnh vực"))
    _type_into(page, form.get_by_label("Hoạt động"), "Bê tông hóa đường xóm Trên")
    _choose_first(page, form.get_by_label("Đơn vị tính"))
    _type_into(page, form.get_by_label("Khối lượng"), "1,5")
    _type_into(page, form.get_by_label("Bắt đầu (mm/yyyy)"), "03/2027")
    _type_into(page, form.get_by_label("Kết thúc (mm/yyyy)"), "08/2027")
    _type_into(page, form.get_by_label("Tổng kinh phí (triệu đồng)"), "500")
    _type_into(page, form.get_by_label("Dân đóng góp").first, "100")
    _type_into(page, form.get_by_label("Hỗ trợ từ bên ngoài đề nghị"), "300")
    _choose_first(page, form.get_by_label("Thứ tự ưu tiên"))
    _tab_to(page, form.get_by_role("button", name="Thêm đề xuất"))
    _shows_focus(page)
    page.keyboard.press("Enter")

    # refused: the focus is on the field to correct, the values are kept
    total = form.get_by_label("Tổng kinh phí (triệu đồng)")
    expect(form.locator(".has-error")).to_contain_text("Tổng kinh phí")
    expect(total).to_be_focused()
    _shows_focus(page)
    expect(form.get_by_label("Hoạt động")).to_have_value("Bê tông hóa đường xóm Trên")
    page.keyboard.press("Control+A")
    page.keyboard.type("400")
    page.keyboard.press("Enter")

    # added: the focus is on the new row's "Edit"
    row = page.locator("#proposals tr", has_text="Bê tông hóa đường xóm Trên")
    edit = row.get_by_role("link", name="Sửa")
    expect(edit).to_be_focused()
    _shows_focus(page)
    expect(page.locator("#grand-total")).to_have_text("400,0")

    # edit it in place: Enter opens the row's form on its first field; Space saves
    page.keyboard.press("Enter")
    editing = page.locator("tr.editing")
    expect(editing.get_by_label("Lĩnh vực")).to_be_focused()
    _type_into(page, editing.get_by_label("Hoạt động"), "Bê tông hóa đường xóm Trên (350 m)")
    _tab_to(page, editing.get_by_role("button", name="Lưu"))
    _shows_focus(page)
    page.keyboard.press("Space")
    row = page.locator("#proposals tr", has_text="(350 m)")
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(row.get_by_role("link", name="Sửa")).to_be_focused()

    # the village meeting: back up the page to its tab
    _tab_to(page, page.get_by_role("link", name="Họp thôn (F8)"), back=True)
    _shows_focus(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _type_into(page, page.get_by_label("Ngày:", exact=True), "12/06/2026")
    _type_into(page, page.get_by_label("Chủ trì"), "Trần Văn Bình")
    _type_into(page, page.get_by_label("Số hộ trong thôn"), "100")
    _type_into(page, page.get_by_label("Số hộ có đại diện dự họp"), "62")
    _type_into(page, page.get_by_label("Số người dự họp"), "70")
    _type_into(page, page.get_by_label("Trong đó nữ"), "28")
    _type_into(page, page.get_by_label("Nội dung quyết nghị"), "Thông qua danh mục năm 2027")
    _type_into(page, page.get_by_label("Đồng ý:", exact=True), "60")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Đã lưu biên bản họp thôn.")

    # the submit step: every check passes and the step is reached and taken
    _tab_to(page, page.get_by_role("link", name="Đề xuất (F6)"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#checklist li.bad")).to_have_count(0)
    submit = page.locator("#plan-actions").get_by_text("Gửi lên xã", exact=True)
    _tab_to(page, submit)
    _shows_focus(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    confirm = page.locator("#confirm-form button[type=submit]")
    if confirm.count():  # a step that asks first what it locks
        _tab_to(page, confirm)
        _shows_focus(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_have_text("Đã gửi lên xã")
