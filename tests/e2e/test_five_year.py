"""At the 2027 village meeting Thôn Diên Sanh reviews its five-year plan 2026–2030 (one year is
dropped, with the reason), draws this year's activities from it into the 2027 plan, adds one
new activity and submits; the commune planner sees, on the round's page, which line is new."""

from __future__ import annotations

import datetime
from decimal import Decimal

from playwright.sync_api import Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.models import (
    MediumTermCommunePlan,
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
)
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillageMeeting
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import CommunePlanStatus

MEETING = {
    "held_on": datetime.date(2026, 6, 10),
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "households_total": 100,
    "households_represented": 62,
    "participants_total": 70,
    "participants_women": 28,
    "decision": "Rà soát kế hoạch 5 năm, thông qua danh mục đề xuất năm 2027",
    "votes_agree": 60,
}

ACTIVITIES = [
    # activity, {year: (quantity, cost)}
    ("Bê tông hóa đường xóm Trên", {2027: ("1", "400"), 2028: ("1", "400")}),
    ("Kênh mương nội đồng Bàu Sen", {2027: ("0.8", "300")}),
    ("Nhà văn hóa thôn", {2027: ("1", "900"), 2029: ("1", "100")}),
]


def _login(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#notifications-link")).to_be_visible()


def _five_year_plan(village: AdministrativeUnit, meeting: VillageMeeting) -> MediumTermPlan:
    """The village's five-year plan, submitted and taken into the commune's approved plan."""
    period = MediumTermRound.objects.create(
        commune=hai_lang(), first_year=2026, last_year=2030, profile=f.profile()
    )
    MediumTermCommunePlan.objects.create(round=period, status=CommunePlanStatus.APPROVED)
    plan = MediumTermPlan.objects.create(
        round=period, village=village, status=PlanStatus.SUBMITTED, meeting=meeting
    )
    for number, (activity, years) in enumerate(ACTIVITIES, start=1):
        total = sum(Decimal(cost) for _quantity, cost in years.values())
        line = MediumTermLine.objects.create(
            plan=plan,
            number=number,
            sector=f.sector(),
            activity=activity,
            unit=f.unit(),
            contribution_mvnd=total / Decimal(5),
            external_support_mvnd=total - total / Decimal(5),
            beneficiary_households=60,
        )
        for year, (quantity, cost) in years.items():
            MediumTermLineYear.objects.create(
                line=line, year=year, quantity=Decimal(quantity), cost_mvnd=Decimal(cost)
            )
    return plan


def test_a_village_draws_its_yearly_plan_from_the_five_year_plan(page: Page) -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    f.sector("GD", "Giáo dục – đào tạo", 90)
    yearly = f.village_plan(village, year=2027)
    meeting = VillageMeeting.objects.create(plan=yearly, **MEETING)
    five_year = _five_year_plan(village, meeting)
    user_with_role(Role.VILLAGE_EDITOR, village, username="thon.diensanh")
    commune_planner(commune, username="xa.hailang")

    # the yearly review: the cultural house is not built in 2027 (the province builds it)
    _login(page, "thon.diensanh")
    page.goto(f"/five-year/plans/{five_year.uid}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026–2030")
    house = page.locator("#midterm-lines tr", has_text="Nhà văn hóa thôn")
    page.get_by_label("Không thực hiện năm 2027 của dòng 3").click()
    review = house.locator("details[open]")
    review.get_by_label("Lý do không thực hiện năm này").fill("Tỉnh đầu tư năm 2027")
    review.get_by_role("button", name="Không thực hiện năm này").click()
    expect(house).to_contain_text("Tỉnh đầu tư năm 2027")

    # this year's activities are offered on the 2027 plan; the dropped one is not
    page.goto(f"/plans/{yearly.uid}/")
    offered = page.locator("#five-year-offered")
    expect(offered).to_contain_text("Bê tông hóa đường xóm Trên")
    expect(offered).to_contain_text("Kênh mương nội đồng Bàu Sen")
    expect(offered).not_to_contain_text("Nhà văn hóa thôn")
    offered.get_by_label("1. Bê tông hóa đường xóm Trên").check()
    offered.get_by_label("2. Kênh mương nội đồng Bàu Sen").check()
    page.get_by_role("button", name="Lấy vào kế hoạch năm").click()
    proposals = page.locator("#proposals")
    expect(proposals).to_contain_text("Bê tông hóa đường xóm Trên")
    expect(proposals).to_contain_text("Kênh mương nội đồng Bàu Sen")
    expect(page.locator("#five-year-nothing")).to_be_visible()

    # one new activity, not in the five-year plan, with the first priority of its sector
    form = page.locator("#line-create form")
    form.get_by_label("Lĩnh vực").select_option(label="Giáo dục – đào tạo")
    form.get_by_label("Hoạt động").fill("Sửa phòng học mẫu giáo")
    form.get_by_label("Đơn vị tính").select_option(label="km")
    form.get_by_label("Khối lượng").fill("1")
    form.get_by_label("Bắt đầu (mm/yyyy)").fill("03/2027")
    form.get_by_label("Kết thúc (mm/yyyy)").fill("08/2027")
    form.get_by_label("Tổng kinh phí (triệu đồng)").fill("150")
    form.get_by_label("Dân đóng góp").first.fill("15")
    form.get_by_label("Hỗ trợ từ bên ngoài đề nghị").fill("135")
    form.get_by_label("Thứ tự ưu tiên").select_option("1")
    form.get_by_role("button", name="Thêm đề xuất").click()
    expect(proposals).to_contain_text("Sửa phòng học mẫu giáo")

    # the drawn lines get their priorities from the village's ranking of them
    for activity, priority in (("Bê tông hóa đường xóm Trên", "1"), ("Kênh mương", "2")):
        proposals.locator("tr", has_text=activity).get_by_role("link", name="Sửa").click()
        editing = page.locator("tr.editing")
        editing.get_by_label("Thứ tự ưu tiên").select_option(priority)
        editing.get_by_role("button", name="Lưu").click()
        expect(page.locator("tr.editing")).to_have_count(0)

    page.reload()
    expect(page.locator("#five-year-new")).to_contain_text("Sửa phòng học mẫu giáo")
    expect(page.locator("#five-year-new")).not_to_contain_text("Bê tông hóa")
    expect(page.locator("#checklist li.bad")).to_have_count(0)
    page.get_by_role("link", name="Gửi lên xã").click()
    page.get_by_role("button", name="Xác nhận gửi lên xã").click()
    expect(page.locator("#plan-status")).to_have_text("Đã gửi lên xã")

    # the five-year plan says what became of 2027
    page.goto(f"/five-year/plans/{five_year.uid}/")
    road = page.locator("#midterm-lines tr", has_text="Bê tông hóa đường xóm Trên")
    expect(road).to_contain_text("Đã đề xuất trong kế hoạch thôn năm nay")

    # the commune sees which proposal of the village is new
    _login(page, "xa.hailang")
    page.goto(f"/rounds/{yearly.round.uid}/")
    row = page.locator("#five-year-round-table tr", has_text="Thôn Diên Sanh")
    expect(row).to_contain_text("2")
    expect(row).to_contain_text("mới")
    expect(row).to_contain_text("Sửa phòng học mẫu giáo")
    expect(row).not_to_contain_text("Kênh mương")
