"""The commune planner prepares a village plan for 2027: proposals in three sectors, the R3
message when one sector has four priority activities, the meeting and its attendance list,
submission and the lock."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from kehoach.accounts.tests.factories import PASSWORD, commune_planner
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.tests import factories as f

SECTORS = [
    ("HT-GT", "Hạ tầng: giao thông", 50),
    ("GD", "Giáo dục – đào tạo", 90),
    ("YT", "Y tế, dinh dưỡng", 100),
]


def _add_line(
    page: Page,
    sector: str,
    activity: str,
    cost: str,
    contribution: str,
    support: str,
    priority: str,
) -> None:
    form = page.locator("#line-create form")
    form.get_by_label("Lĩnh vực").select_option(label=sector)
    form.get_by_label("Hoạt động").fill(activity)
    form.get_by_label("Đơn vị tính").select_option(label="km")
    form.get_by_label("Khối lượng").fill("1,5")
    form.get_by_label("Bắt đầu (mm/yyyy)").fill("03/2027")
    form.get_by_label("Kết thúc (mm/yyyy)").fill("08/2027")
    form.get_by_label("Tổng kinh phí (triệu đồng)").fill(cost)
    form.get_by_label("Dân đóng góp").first.fill(contribution)
    form.get_by_label("Hỗ trợ từ bên ngoài đề nghị").fill(support)
    form.get_by_label("Thứ tự ưu tiên").select_option(priority)
    form.get_by_role("button", name="Thêm đề xuất").click()
    expect(page.locator("#proposals")).to_contain_text(activity)


def test_planner_prepares_and_submits_a_village_plan(page: Page) -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    for code, name, order in SECTORS:
        f.sector(code, name, order)
    f.unit()
    plan = f.village_plan(village)
    commune_planner(commune, username="xa.hailang")

    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("xa.hailang")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/plans/{plan.uid}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2027")

    _add_line(page, "Hạ tầng: giao thông", "Bê tông hóa đường xóm Trên", "500", "100", "400", "1")
    _add_line(page, "Hạ tầng: giao thông", "Đường ra đồng", "300", "60", "240", "2")
    _add_line(page, "Hạ tầng: giao thông", "Cầu tràn khe Mây", "200", "20", "180", "3")
    _add_line(page, "Giáo dục – đào tạo", "Sửa phòng học mẫu giáo", "150", "15", "135", "1")
    _add_line(page, "Y tế, dinh dưỡng", "Tủ thuốc thôn", "20", "5", "15", "1")
    expect(page.locator("#grand-total")).to_have_text("1.170,0")

    # a fourth priority activity in transport breaks R3: the checklist says so at once
    _add_line(page, "Hạ tầng: giao thông", "Rãnh thoát nước", "100", "10", "90", "3")
    problem = page.locator(
        "#checklist li.bad", has_text="Hạ tầng: giao thông có 4 hoạt động ưu tiên"
    )
    expect(problem).to_be_visible()

    # fix it in place: the last line is no longer a priority
    row = page.locator("tr", has_text="Rãnh thoát nước")
    row.get_by_role("link", name="Sửa").click()
    editing = page.locator("tr.editing")
    editing.get_by_label("Thứ tự ưu tiên").select_option("")
    editing.get_by_role("button", name="Lưu").click()
    expect(problem).to_have_count(0)
    expect(
        page.locator("#checklist li.ok", has_text="Hạ tầng: giao thông: 3 hoạt động ưu tiên")
    ).to_be_visible()

    # the village meeting: 62 of 100 households, 40% women
    page.get_by_role("link", name="Họp thôn (F8)").click()
    page.get_by_label("Ngày:", exact=True).fill("12/06/2026")
    page.get_by_label("Chủ trì").fill("Trần Văn Bình")
    page.get_by_label("Số hộ trong thôn").fill("100")
    page.get_by_label("Số hộ có đại diện dự họp").fill("62")
    page.get_by_label("Số người dự họp").fill("70")
    page.get_by_label("Trong đó nữ").fill("28")
    page.get_by_label("Nội dung quyết nghị").fill("Thông qua danh mục đề xuất năm 2027")
    page.get_by_label("Đồng ý:", exact=True).fill("60")
    page.get_by_role("button", name="Lưu biên bản họp").click()
    expect(page.locator("main")).to_contain_text("62,0%")
    expect(page.locator("main")).to_contain_text("40,0%")

    # the attendance list: a person added in place (no page load), then corrected
    add = page.locator("#attendee-add")
    add.locator('[name="attendee-full_name"]').fill("Hồ Thị Mai")
    add.locator('[name="attendee-sex"]').select_option("female")
    add.locator('[name="attendee-ethnicity"]').fill("Vân Kiều")
    add.locator('[name="attendee-poverty_status"]').select_option("poor")
    add.locator('[name="attendee-household"]').fill("Hộ ông Hồ Văn Lúa")
    add.locator("button[type=submit]").click()
    people = page.locator("#attendance-table")
    expect(people).to_contain_text("Hồ Thị Mai")
    expect(page.locator("#attendance-figures")).to_be_visible()
    people.locator("tr", has_text="Hồ Thị Mai").locator("a[hx-get]").click()
    editing = page.locator("#attendance tr.editing")
    editing.locator('[name="edit-poverty_status"]').select_option("near_poor")
    editing.locator("button[type=submit]").click()
    expect(page.locator("#attendance tr.editing")).to_have_count(0)
    expect(people.locator("tr", has_text="Hồ Thị Mai")).to_contain_text("Hộ cận nghèo")

    page.get_by_role("link", name="Đề xuất (F6)").click()
    expect(page.locator("#checklist li.bad")).to_have_count(0)
    page.get_by_role("link", name="Gửi lên xã").click()
    page.get_by_role("button", name="Xác nhận gửi lên xã").click()
    expect(page.locator("#plan-status")).to_have_text("Đã gửi lên xã")
    expect(page.get_by_role("button", name="Thêm đề xuất")).to_have_count(0)
    expect(page.get_by_role("link", name="Sửa")).to_have_count(0)

    page.get_by_role("link", name="Lịch sử").click()
    history = page.locator("main table")
    expect(history).to_contain_text("Nháp → Đã gửi lên xã")
    expect(history).to_contain_text("Rãnh thoát nước")
    expect(history).to_contain_text("Hồ Thị Mai")
