"""Irreversible steps in the browser: each opens a page that says what becomes irreversible,
"go back" changes nothing, the confirmation does it; approving needs the tick (the browser
refuses the form without it); after publication the village plan offers no return; the feedback
sheets of all villages download as one PDF; the envelope panel's heading sits in its toggle."""

from __future__ import annotations

import datetime
from typing import Any

from playwright.sync_api import Page, expect

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import PASSWORD, user_with_role
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.models import VillagePlan
from kehoach.plans.services.meeting import meeting_save
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.envelope import envelope_publish
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as f

ROAD = "Bê tông hóa đường liên thôn"
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


def _login(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()


def _world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = f.transport()
    f.submitted_plan(a, [f.money_line("600", "100", sector=road, activity=ROAD)])
    draft = f.submitted_plan(
        b, [f.money_line("500", "100", sector=road, activity=ROAD)], status="draft"
    )
    round_ = f.round_of(commune)
    planner = f.planner(commune, username="xa.confirm")
    f.envelope_line(round_, f.ntp(), "1200", sector_=road)
    envelope_publish(actor=planner, round_=round_)
    meeting_save(actor=planner, plan=draft, data=MEETING)
    return {
        "commune": commune,
        "round": round_,
        "planner": planner,
        "approver": f.approver(commune, username="ld.confirm"),
        "editor": user_with_role(Role.VILLAGE_EDITOR, b, username="thon.confirm"),
        "draft": draft,
        "submitted": VillagePlan.objects.get(village=a),
    }


def test_a_village_editor_goes_back_then_submits(page: Page) -> None:
    world = _world()
    draft = world["draft"]
    _login(page, "thon.confirm")
    page.goto(f"/plans/{draft.uid}/")

    # the envelope panel: its heading is the toggle's own line, no empty "▶" above it
    summary = page.locator("#envelope-panel summary")
    heading = summary.locator("h2")
    expect(heading).to_contain_text("Nguồn lực xã dự kiến cho năm 2027")
    box, title = summary.bounding_box(), heading.bounding_box()
    assert box is not None and title is not None
    assert box["height"] < 2 * title["height"], (box, title)

    page.get_by_role("link", name="Gửi lên xã").click()
    expect(page.get_by_role("heading", name="Gửi kế hoạch lên xã?")).to_be_visible()
    expect(page.locator("#confirm-irreversible")).to_contain_text(
        "Sau khi gửi, thôn không sửa được đề xuất"
    )
    page.get_by_role("link", name="Quay lại, chưa gửi").click()
    expect(page.locator("#plan-status")).to_have_text("Nháp")

    page.get_by_role("link", name="Gửi lên xã").click()
    page.get_by_role("button", name="Xác nhận gửi lên xã").click()
    expect(page.locator("#plan-status")).to_have_text("Đã gửi lên xã")
    expect(page.locator("#plan-actions").get_by_role("link", name="Gửi lên xã")).to_have_count(0)


def test_submit_approve_and_publish_are_each_confirmed(page: Page) -> None:
    world = _world()
    draft = world["draft"]
    VillagePlan.objects.filter(pk=draft.pk).update(status="submitted")
    commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    plan = CommunePlan.objects.get(round=world["round"])
    allocation_run(actor=world["planner"], plan=plan)

    # the planner submits for approval, after going back once
    _login(page, "xa.confirm")
    page.goto(f"/cdp/{plan.uid}/approval/")
    page.get_by_role("link", name="Trình phê duyệt").click()
    expect(page.locator("#confirm-irreversible")).to_contain_text(
        "Sau khi trình, kế hoạch xã bị khóa"
    )
    page.get_by_role("link", name="Quay lại, chưa trình phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Dự thảo")
    page.get_by_role("link", name="Trình phê duyệt").click()
    page.get_by_role("button", name="Xác nhận trình phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã trình phê duyệt")
    _logout(page)

    # the leader approves: the browser refuses the form until the box is ticked
    _login(page, "ld.confirm")
    page.goto(f"/cdp/{plan.uid}/approval/")
    page.get_by_role("link", name="Phê duyệt (nghị quyết HĐND xã)").click()
    expect(page.locator("#confirm-irreversible")).to_contain_text(
        "Phê duyệt sẽ lưu vĩnh viễn phiên bản 1"
    )
    page.get_by_label("Số nghị quyết").fill("25/NQ-HĐND")
    page.get_by_label("Ngày nghị quyết").fill("01/12/2026")
    page.get_by_label("Người ký").fill("Lê Văn Sơn, Chủ tịch HĐND xã")
    page.get_by_role("button", name="Xác nhận phê duyệt").click()
    tick = page.get_by_label("Tôi đã đối chiếu các thông tin trên với bản nghị quyết đã ký")
    assert tick.evaluate("el => !el.checkValidity()")  # held by the browser, nothing sent
    expect(page.locator("#cdp-status")).to_have_text("Đã trình phê duyệt")
    tick.check()
    page.get_by_role("button", name="Xác nhận phê duyệt").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã phê duyệt")
    _logout(page)

    # the planner publishes, after reading what cannot be withdrawn
    _login(page, "xa.confirm")
    page.goto(f"/cdp/{plan.uid}/approval/")
    expect(page.locator("#feedback-sheets")).to_have_count(0)
    page.get_by_role("link", name="Công bố và gửi phản hồi cho các thôn").click()
    expect(page.locator("#confirm-irreversible")).to_contain_text(
        "không thể rút lại, chỉ có thể điều chỉnh bằng một phiên bản mới"
    )
    page.get_by_role("link", name="Quay lại, chưa công bố").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã phê duyệt")
    page.get_by_role("link", name="Công bố và gửi phản hồi cho các thôn").click()
    page.get_by_role("button", name="Xác nhận công bố").click()
    expect(page.locator("#cdp-status")).to_have_text("Đã công bố")
    expect(page.locator("#workflow-actions").get_by_text("Trả lại để chỉnh sửa")).to_have_count(0)

    # the F13 sheets of both villages, one PDF
    with page.expect_download() as download:
        page.get_by_role("link", name="F13 của tất cả các thôn (PDF)").click()
    assert download.value.suggested_filename == "phan-hoi-cac-thon-19702-2027-v1.pdf"

    # a village plan of the published round: no return offered, the reason instead
    page.goto(f"/plans/{world['submitted'].uid}/")
    expect(page.locator("#plan-status")).to_have_text("Đã gửi lên xã")
    expect(page.get_by_text("Trả lại để chỉnh sửa")).to_have_count(0)
    expect(page.locator("#blocked-return")).to_contain_text("điều chỉnh kế hoạch xã")
