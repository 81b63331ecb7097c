"""From the home page to the work: the village planning team logs in and adds a proposal to its
plan with one click from home, and the commune leader reaches what waits for approval in one."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, user_with_role
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.tests import factories as f


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()


def test_the_village_team_adds_a_proposal_one_click_from_home(page: Page) -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    f.sector("HT-GT", "Hạ tầng: giao thông", 50)
    f.unit()
    plan = f.village_plan(village)
    user_with_role(Role.VILLAGE_EDITOR, village, username="thon.diensanh")

    _login(page, "thon.diensanh")
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    assert page.url.endswith("/")
    pages: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: pages.append(frame.url) if frame == page.main_frame else None,
    )

    card = page.locator(f"#plan-{plan.uid}")
    expect(card).to_contain_text("Kế hoạch 2027")
    expect(card).to_contain_text("Chưa bắt đầu")
    card.get_by_role("link", name="Nhập đề xuất").click()  # click 1

    expect(page.get_by_role("heading", level=1)).to_contain_text("Thôn Diên Sanh")
    form = page.locator("#line-create form")
    expect(form).to_be_in_viewport()
    form.get_by_label("Lĩnh vực").select_option(label="Hạ tầng: giao thông")
    form.get_by_label("Hoạt động").fill("Bê tông hóa đường xóm Trên")
    form.get_by_label("Đơn vị tính").select_option(label="km")
    form.get_by_label("Khối lượng").fill("1,5")
    form.get_by_label("Bắt đầu (mm/yyyy)").fill("03/2027")
    form.get_by_label("Kết thúc (mm/yyyy)").fill("08/2027")
    form.get_by_label("Tổng kinh phí (triệu đồng)").fill("500")
    form.get_by_label("Dân đóng góp").first.fill("100")
    form.get_by_label("Hỗ trợ từ bên ngoài đề nghị").fill("400")
    form.get_by_label("Thứ tự ưu tiên").select_option("1")
    form.get_by_role("button", name="Thêm đề xuất").click()  # saved in place, no navigation

    expect(page.locator("#proposals")).to_contain_text("Bê tông hóa đường xóm Trên")
    assert [url.split("#")[0] for url in pages] == [page.url.split("#")[0]]
    assert plan.lines.alive().count() == 1

    # home now says the plan is being prepared, and what comes next
    page.locator("nav.units").get_by_role("link", name="Trang chủ").click()
    card = page.locator(f"#plan-{plan.uid}")
    expect(card).to_contain_text("Đang soạn")
    expect(card.get_by_role("link", name="Hoàn thiện và gửi xã")).to_be_visible()


def test_the_commune_leader_reaches_what_waits_for_approval_in_one_click(page: Page) -> None:
    from kehoach.synthesis.models import CommunePlan
    from kehoach.synthesis.tests import factories as sf

    commune = hai_lang()
    round_ = f.round_for(commune)
    plan = CommunePlan.objects.create(round=round_, status="submitted")
    sf.approver(commune, username="lanhdao.hailang")

    _login(page, "lanhdao.hailang")
    waiting = page.locator(f"#approval-{plan.uid}")
    expect(waiting).to_contain_text("Kế hoạch xã năm 2027 — Xã Hải Lăng")
    waiting.get_by_role("link", name="Mở thẻ Phê duyệt").click()
    expect(page.locator("nav.tabs [aria-current=page]")).to_have_text("Phê duyệt")
