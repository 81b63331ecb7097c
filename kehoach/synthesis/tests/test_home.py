"""The home page of each role answers "what must I do now", every plan is a click away, and the
page costs the same number of queries for two villages or forty, one commune or forty."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment
from kehoach.accounts.tests.factories import UserFactory, user_with_role
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang, quang_tri
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, VillageMeeting, VillagePlan
from kehoach.plans.tests import factories as pf

from ..choices import CommunePlanStatus
from ..models import CommunePlan
from ..services.envelope import envelope_publish
from ..services.funding import allocation_run
from ..services.lines import commune_plan_synthesise
from ..services.workflow import commune_plan_approve, commune_plan_transition
from ..stages import VillageStage, village_stage
from . import factories as f

pytestmark = pytest.mark.django_db
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": datetime.date(2026, 12, 1),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _round(commune: Any, year: int = 2027, **dues: Any) -> PlanningRound:
    round_ = pf.round_for(commune, year)
    if dues:
        PlanningRound.objects.filter(pk=round_.pk).update(**dues)
        round_.refresh_from_db()
    return round_


def _plan(village: Any, status: str = PlanStatus.DRAFT, lines: int = 0, year: int = 2027) -> Any:
    plan = pf.village_plan(village, year)
    for _ in range(lines):
        pf.line(plan, **f.money_line("100", "30", sector=f.transport()))
    VillagePlan.objects.filter(pk=plan.pk).update(
        status=status,
        submitted_at=timezone.now() if status == PlanStatus.SUBMITTED else None,
    )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def world() -> dict[str, Any]:
    """Xã Hải Lăng's 2027 round: Diên Sanh sent its plan, Mỹ Chánh was returned, Hải Thọ is
    writing, Hải Tân has not started; Hải Hòa was added after the round opened (no plan)."""
    commune = hai_lang()
    today = _today()
    round_ = _round(
        commune,
        proposals_due=today + datetime.timedelta(days=10),
        synthesis_due=today - datetime.timedelta(days=3),
        approval_due=today + datetime.timedelta(days=30),
    )
    names = ["Thôn Diên Sanh", "Thôn Mỹ Chánh", "Thôn Hải Thọ", "Thôn Hải Tân"]
    sent, returned, writing, idle = f.villages(commune, names)
    plans = {
        "sent": _plan(sent, PlanStatus.SUBMITTED, lines=2),
        "returned": _plan(returned, PlanStatus.RETURNED, lines=1),
        "writing": _plan(writing, PlanStatus.DRAFT, lines=1),
        "idle": _plan(idle),
    }
    VillageFactory.create(parent=commune, name="Thôn Hải Hòa")
    return {
        "commune": commune,
        "round": round_,
        "plans": plans,
        "planner": f.planner(commune, username="xa.hailang"),
        "approver": f.approver(commune, username="lanhdao.hailang"),
        "editors": {
            key: user_with_role(Role.VILLAGE_EDITOR, plan.village, username=f"thon.{key}")
            for key, plan in plans.items()
        },
    }


def _home(user: Any, **params: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<(section|article|li)[^>]*id="{re.escape(ident)}".*?</\1>', html, re.S)
    assert match, f"{ident} not in the page"
    return match.group(0)


def _found(pattern: str, html: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, f"{pattern} not found"
    return match.group(0)


def _links(html: str) -> dict[str, str]:
    """Link text → address, for the links of a piece of page."""
    return {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    }


# --- the village planning team ----------------------------------------------------------------


def test_a_village_that_has_not_started_is_told_to_enter_its_proposals(world: dict) -> None:
    plan = world["plans"]["idle"]
    html = _home(world["editors"]["idle"])

    card = _section(html, f"plan-{plan.uid}")
    assert "Kế hoạch 2027" in card and "Chưa bắt đầu" in card
    assert _links(card) == {"Nhập đề xuất": f"/plans/{plan.uid}/#line-create"}
    assert "Hạn thôn gửi đề xuất" in card and "còn 10 ngày" in card
    assert "<h1>Việc cần làm</h1>" in html


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("writing", "Hoàn thiện và gửi xã"),
        ("returned", "Sửa theo góp ý của xã"),
        ("sent", "Đã gửi — chờ xã tổng hợp"),
    ],
)
def test_each_stage_of_the_village_plan_says_what_comes_next(
    world: dict, key: str, words: str
) -> None:
    plan = world["plans"][key]
    card = _section(_home(world["editors"][key]), f"plan-{plan.uid}")
    assert _links(card) == {words: f"/plans/{plan.uid}/"}


def test_the_deadline_is_shown_only_while_the_village_still_has_to_send(world: dict) -> None:
    sent = world["plans"]["sent"]
    assert "Hạn thôn gửi đề xuất" not in _section(
        _home(world["editors"]["sent"]), f"plan-{sent.uid}"
    )
    PlanningRound.objects.filter(pk=world["round"].pk).update(
        proposals_due=_today() - datetime.timedelta(days=2)
    )
    idle = world["plans"]["idle"]
    card = _section(_home(world["editors"]["idle"]), f"plan-{idle.uid}")
    assert "quá hạn 2 ngày" in card and "due-overdue" in card


def test_next_years_plan_is_reachable_without_any_notification(world: dict) -> None:
    village = world["plans"]["sent"].village
    later = _plan(village, year=2028)
    html = _home(world["editors"]["sent"])

    section = _section(html, "home-village-plans")
    assert section.index("Kế hoạch 2028") < section.index("Kế hoạch 2027")  # newest first
    assert _links(_section(html, f"plan-{later.uid}")) == {
        "Nhập đề xuất": f"/plans/{later.uid}/#line-create"
    }


def test_the_team_sees_only_its_own_village(world: dict) -> None:
    html = _home(world["editors"]["idle"])
    section = _section(html, "home-village-plans")
    assert "Thôn Hải Tân" in section or "Hải Tân" in html
    for key in ("sent", "returned", "writing"):
        assert str(world["plans"][key].uid) not in html
    assert 'id="home-commune-' not in html and 'id="home-approvals"' not in html


def test_who_may_not_edit_is_offered_to_open_the_plan_not_to_enter_it(world: dict) -> None:
    plan = world["plans"]["idle"]
    client = Client()
    client.force_login(world["approver"])  # sees the village, may not edit its plan
    html = client.get(reverse("geo:unit", args=[plan.village.code])).content.decode()
    links = _links(_section(html, "village-plans"))
    assert links["Mở kế hoạch"] == f"/plans/{plan.uid}/"
    assert "Nhập đề xuất" not in links


def test_after_publication_the_village_reads_its_result(world: dict) -> None:
    published = _published_world()
    html = _home(published["editor"])
    plan = published["village_plan"]
    card = _section(html, f"plan-{plan.uid}")
    assert "Đã công bố kết quả" in card
    assert _links(card) == {"Xem kết quả phê duyệt (F13)": f"/plans/{plan.uid}/feedback/"}
    client = Client()
    client.force_login(published["editor"])
    assert client.get(f"/plans/{plan.uid}/feedback/").status_code == 200


@pytest.mark.parametrize(
    ("status", "lines", "commune", "published", "stage"),
    [
        ("draft", 0, None, False, VillageStage.NOT_STARTED),
        ("draft", 3, "draft", False, VillageStage.DRAFT),
        ("returned", 3, "returned", False, VillageStage.RETURNED),
        ("submitted", 3, None, False, VillageStage.SUBMITTED),
        ("submitted", 3, "draft", False, VillageStage.SUBMITTED),
        ("submitted", 3, "submitted", False, VillageStage.IN_APPROVAL),
        ("submitted", 3, "approved", False, VillageStage.IN_APPROVAL),
        ("draft", 0, "submitted", False, VillageStage.FROZEN),
        ("submitted", 3, "published", True, VillageStage.PUBLISHED),
        ("submitted", 3, "in_implementation", True, VillageStage.PUBLISHED),
        # an amendment reopens the commune plan: the village acts again, the result stays
        ("returned", 3, "draft", True, VillageStage.RETURNED),
        ("submitted", 3, "draft", True, VillageStage.PUBLISHED),
    ],
)
def test_the_stage_of_a_village_plan(
    status: str, lines: int, commune: str | None, published: bool, stage: str
) -> None:
    assert village_stage(status, lines, commune, published) == stage


# --- the commune planning officer -------------------------------------------------------------


def test_the_planner_sees_the_rounds_progress_with_each_village_plan(world: dict) -> None:
    html = _home(world["planner"])
    round_ = world["round"]
    article = _section(html, f"round-{round_.uid}")

    counts = re.sub(r"<[^>]+>", "", _found(r'<ul class="counts">.*?</ul>', article))
    assert re.sub(r"\s+", " ", counts).strip() == (
        "Đã gửi: 1 Bị trả lại: 1 Đang soạn: 1 Chưa bắt đầu: 1 Chưa có kế hoạch: 1"
    )
    links = _links(article)
    for plan in world["plans"].values():
        assert links[plan.village.name] == f"/plans/{plan.uid}/"
    assert "Thôn Hải Hòa" in article
    assert "Hạn thôn gửi đề xuất: " in article and "còn 10 ngày" in article
    assert "Hạn xã tổng hợp" in article and "quá hạn 3 ngày" in article
    assert "còn 30 ngày" in article


def test_the_planners_next_step_follows_the_commune_plan(world: dict) -> None:
    round_, planner = world["round"], world["planner"]
    article = _section(_home(planner), f"round-{round_.uid}")
    next_step = _found(r'<p class="next-step">.*?</p>', article)
    assert _links(next_step) == {
        "Công bố khung nguồn lực cho các thôn (F11)": f"/rounds/{round_.uid}/envelope/"
    }

    f.envelope_line(round_, f.ntp(), "900", sector_=f.transport())
    envelope_publish(actor=planner, round_=round_)
    article = _section(_home(planner), f"round-{round_.uid}")
    next_step = _found(r'<p class="next-step">.*?</p>', article)
    plan = CommunePlan.objects.get(round=round_)  # publishing the envelope made it
    assert _links(next_step) == {"Tổng hợp kế hoạch các thôn (F9)": f"/cdp/{plan.uid}/"}
    assert 'Công bố khung nguồn lực cho các thôn (F11)</a> — <span class="ok-text">đã xong' in (
        article
    )

    commune_plan_synthesise(actor=planner, round_=round_)
    article = _section(_home(planner), f"round-{round_.uid}")
    next_step = _found(r'<p class="next-step">.*?</p>', article)
    assert _links(next_step) == {
        "Phân bổ vốn: mỗi dòng có quyết định và lý do": f"/cdp/{plan.uid}/allocation/"
    }
    assert "(0/2 dòng đã có quyết định)" in article

    allocation_run(actor=planner, plan=plan)
    article = _section(_home(planner), f"round-{round_.uid}")
    next_step = _found(r'<p class="next-step">.*?</p>', article)
    assert _links(next_step) == {"Trình phê duyệt": f"/cdp/{plan.uid}/approval/"}

    commune_plan_transition(actor=planner, plan=plan, action="submit")
    next_step = _found(r'<p class="next-step">.*?</p>', _home(planner))
    assert _links(next_step) == {"Phê duyệt (nghị quyết HĐND xã)": f"/cdp/{plan.uid}/approval/"}


def test_a_synthesis_older_than_a_village_plan_asks_for_another(world: dict) -> None:
    round_, planner = world["round"], world["planner"]
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = CommunePlan.objects.get(round=round_)
    html = _section(_home(planner), f"round-{round_.uid}")
    assert "tổng hợp lại" not in html
    VillagePlan.objects.filter(pk=world["plans"]["returned"].pk).update(
        status=PlanStatus.SUBMITTED, submitted_at=timezone.now()
    )
    html = _section(_home(planner), f"round-{round_.uid}")
    assert "1 kế hoạch thôn được gửi sau lần tổng hợp cuối" in html
    assert _links(html)["tổng hợp lại"] == f"/cdp/{plan.uid}/"


def test_a_commune_without_next_years_round_is_offered_to_open_it(world: dict) -> None:
    other = CommuneFactory.create(name="Xã Hải Phong", parent=world["commune"].parent)
    planner = f.planner(other, username="xa.haiphong")
    next_year = _today().year + 1
    html = _section(_home(planner), f"home-commune-{other.code}")
    assert "Chưa có kỳ lập kế hoạch nào đang chuẩn bị." in html
    assert _links(html) == {
        f"Mở kỳ lập kế hoạch năm {next_year}": f"/communes/{other.code}/rounds/new/"
    }
    _round(other, next_year)
    assert "Mở kỳ lập kế hoạch năm" not in _home(planner)


def test_a_published_plan_is_followed_not_prepared() -> None:
    published = _published_world()
    plan = published["commune_plan"]
    commune_plan_transition(actor=published["planner"], plan=plan, action="start")
    html = _section(_home(published["planner"]), f"home-commune-{plan.round.commune.code}")
    assert f'id="round-{plan.round.uid}"' not in html
    assert "Kế hoạch đang thực hiện" in html
    links = _links(html)
    assert links["Thực hiện"] == f"/cdp/{plan.uid}/works/"
    assert links["Bảng theo dõi"] == f"/cdp/{plan.uid}/dashboard/"


def test_the_planner_of_another_commune_sees_none_of_it(world: dict) -> None:
    other = CommuneFactory.create(name="Xã Hải Phong", parent=world["commune"].parent)
    html = _home(f.planner(other, username="xa.haiphong"))
    assert str(world["round"].uid) not in html
    for plan in world["plans"].values():
        assert str(plan.uid) not in html


# --- the commune leader -----------------------------------------------------------------------


def test_the_leader_sees_what_waits_for_approval_with_a_link_to_the_approval_tab(
    world: dict,
) -> None:
    approver = world["approver"]
    assert "Không có kế hoạch xã nào đang chờ bạn phê duyệt." in _home(approver)

    published = _published_world(submit_only=True)
    plan = published["commune_plan"]
    html = _home(published["approver"])
    card = _section(html, f"approval-{plan.uid}")
    assert "Đã trình phê duyệt" in card
    assert "Phê duyệt (nghị quyết HĐND xã)" in card and "Trả lại để chỉnh sửa" in card
    assert _links(card) == {"Mở thẻ Phê duyệt": f"/cdp/{plan.uid}/approval/"}

    # the planner of the same commune is not asked to approve
    assert f'id="approval-{plan.uid}"' not in _home(published["planner"])


def test_a_meeting_short_of_the_quorum_waits_for_the_leaders_acceptance(world: dict) -> None:
    plan = world["plans"]["writing"]
    VillageMeeting.objects.create(
        plan=plan,
        held_on=datetime.date(2026, 6, 12),
        chair="Trần Văn Bình",
        households_total=100,
        households_represented=40,
        participants_total=45,
        participants_women=20,
        decision="Thông qua danh mục",
        votes_agree=40,
    )
    html = _section(_home(world["approver"]), "home-approvals")
    assert _links(html)["Thôn Hải Thọ — kế hoạch 2027"] == f"/plans/{plan.uid}/"
    assert "40,0%" in html

    VillagePlan.objects.filter(pk=plan.pk).update(quorum_override_reason="Mưa lũ")
    assert f"/plans/{plan.uid}/" not in _home(world["approver"])


# --- the province -----------------------------------------------------------------------------


def test_the_province_sees_its_communes_by_stage(world: dict) -> None:
    province = world["commune"].parent
    idle = CommuneFactory.create(name="Xã Cam Lộ", parent=province)
    CommuneFactory.create(
        name="Xã Ended",
        parent=province,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2025, 6, 30),
    )
    waiting = CommuneFactory.create(name="Xã Vĩnh Linh", parent=province)
    waiting_round = _round(waiting)
    plan = f.commune_plan_for(waiting_round)
    CommunePlan.objects.filter(pk=plan.pk).update(
        status=CommunePlanStatus.SUBMITTED, synthesised_at=timezone.now()
    )
    officer = f.province_officer(province, username="tinh.quangtri")

    html = _section(_home(officer), f"home-overview-{province.code}")

    assert "Quảng Trị: các xã theo giai đoạn của kế hoạch năm 2027" in html
    summary = _found(r'<table class="stage-summary".*?</table>', html)
    rows = re.findall(
        r'<th scope="row"><a href="#([^"]+)">([^<]+)</a></th><td class="num">(\d+)', summary
    )
    assert [(label, int(n)) for _anchor, label, n in rows] == [
        ("Các thôn đang lập kế hoạch", 1),
        ("Đã trình, chờ phê duyệt", 1),
        ("Chưa mở kỳ lập kế hoạch", 1),  # last, and folded: nothing to follow there yet
    ]
    assert '<details class="stage-group" id="stage-44-no_round">' in html
    assert '<details class="stage-group" id="stage-44-submitted" open>' in html
    assert "Xã Ended" not in html
    links = _links(html)
    assert links["Xã Cam Lộ"] == f"/units/{idle.code}/"
    assert links["Xã Hải Lăng"] == f"/rounds/{world['round'].uid}/"
    assert links["Xã Vĩnh Linh"] == f"/cdp/{plan.uid}/"
    assert re.search(r"Xã Hải Lăng</a></th><td class=\"num\">1/4</td>", html)
    assert "2 xã đã mở kỳ lập kế hoạch nhưng chưa công bố khung nguồn lực" in html
    assert links["Tổng hợp kế hoạch các xã năm 2027 (F18)"] == "/units/44/rollup/2027/"


def test_a_former_district_lists_its_former_communes() -> None:
    from kehoach.geo.choices import Kind, Level, Source
    from kehoach.geo.tests.factories import UnitFactory

    ended = {"valid_from": datetime.date(2008, 1, 1), "valid_to": datetime.date(2025, 6, 30)}
    district = UnitFactory.create(
        code="H470",
        name="Huyện Hải Lăng",
        kind=Kind.DISTRICT,
        level=Level.DISTRICT,
        source=Source.LEGACY,
        parent=UnitFactory.create(
            code="T44",
            name="Quảng Trị (cũ)",
            kind=Kind.PROVINCE,
            level=Level.PROVINCE,
            source=Source.LEGACY,
            parent=None,
            **ended,
        ),
        **ended,
    )
    UnitFactory.create(
        code="X19705",
        name="Xã Hải An",
        kind=Kind.COMMUNE,
        level=Level.COMMUNE,
        source=Source.LEGACY,
        parent=district,
        **ended,
    )
    html = _section(_home(user_with_role(Role.DISTRICT_OFFICER, district)), "home-overview-H470")
    assert "Huyện Hải Lăng: các xã" in html and "Xã Hải An" in html


def test_the_province_chooses_the_plan_year(world: dict) -> None:
    province = world["commune"].parent
    _round(world["commune"], 2026)
    officer = f.province_officer(province, username="tinh.quangtri")

    html = _section(_home(officer), f"home-overview-{province.code}")
    assert "kế hoạch năm 2027" in html
    assert _links(html)["2026"] == f"?year=2026#home-overview-{province.code}"

    html = _section(_home(officer, year="2026"), f"home-overview-{province.code}")
    assert "kế hoạch năm 2026" in html and '<strong aria-current="page">2026</strong>' in html
    for wrong in ("2026x", "1999", "２０２６"):  # not a year, a year without rounds, not ASCII
        assert "kế hoạch năm 2027" in _section(_home(officer, year=wrong), "home-overview-44")


# --- readers ----------------------------------------------------------------------------------


def test_a_donor_on_a_commune_reads_its_plans_and_is_asked_nothing(world: dict) -> None:
    donor = user_with_role(Role.DONOR_VIEWER, world["commune"], username="nhataitro")
    html = _home(donor)
    section = _section(html, "home-reading")
    assert "Xã Hải Lăng — kế hoạch 2027" in section
    assert _links(section) == {"Kế hoạch thôn": f"/rounds/{world['round'].uid}/"}
    assert 'id="home-approvals"' not in html and "Nhập đề xuất" not in html


def test_a_user_without_roles_is_told_so() -> None:
    html = _home(UserFactory.create(username="chua.co"))
    assert "Bạn chưa được giao vai trò ở đơn vị nào." in html


# --- the village page -------------------------------------------------------------------------


def test_the_village_page_lists_the_villages_plans(world: dict) -> None:
    plan = world["plans"]["idle"]
    later = _plan(plan.village, year=2028)
    client = Client()
    client.force_login(world["editors"]["idle"])
    html = client.get(reverse("geo:unit", args=[plan.village.code])).content.decode()
    section = _section(html, "village-plans")
    rows = re.findall(r"<tr>.*?</tr>", section, re.S)[1:]
    assert [_links(row) for row in rows] == [
        {
            "Kế hoạch 2028": f"/plans/{later.uid}/",
            "Nhập đề xuất": f"/plans/{later.uid}/#line-create",
        },
        {"Kế hoạch 2027": f"/plans/{plan.uid}/", "Nhập đề xuất": f"/plans/{plan.uid}/#line-create"},
    ]
    assert "còn 10 ngày" in rows[1]
    assert 'href="/units/19702/"' not in html  # the commune is not the team's to open


def test_a_village_without_plans_says_so() -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Mới")
    client = Client()
    client.force_login(user_with_role(Role.VILLAGE_EDITOR, village))
    html = client.get(reverse("geo:unit", args=[village.code])).content.decode()
    assert "Chưa có kế hoạch nào." in _section(html, "village-plans")


# --- query counts -----------------------------------------------------------------------------


def _queries(user: Any, url: str = "/") -> int:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _commune_with(villages: int, name: str, province: Any) -> tuple[Any, PlanningRound]:
    commune = CommuneFactory.create(name=name, parent=province)
    round_ = _round(commune)
    for i in range(villages):
        village = VillageFactory.create(parent=commune, name=f"Thôn {name} {i}")
        _plan(village, [PlanStatus.DRAFT, PlanStatus.SUBMITTED][i % 2], lines=i % 3)
    return commune, round_


def test_each_roles_home_costs_the_same_queries_for_few_or_many(
    django_assert_max_num_queries: Any,
) -> None:
    province = quang_tri()
    small, small_round = _commune_with(2, "Nhỏ", province)
    big, big_round = _commune_with(40, "Lớn", province)
    for round_ in (small_round, big_round):
        f.commune_plan_for(round_)

    def users(commune: Any) -> list[Any]:
        village = commune.children.order_by("code").first()
        return [
            user_with_role(Role.VILLAGE_EDITOR, village),
            user_with_role(Role.COMMUNE_PLANNER, commune),
            user_with_role(Role.COMMUNE_APPROVER, commune),
            user_with_role(Role.DONOR_VIEWER, commune),
        ]

    for few, many in zip(users(small), users(big), strict=True):
        assert _queries(few) == _queries(many) <= 10
    officer = f.province_officer(province)
    before = _queries(officer)
    for i in range(30):
        _commune_with(1, f"Thêm {i}", province)
    assert _queries(officer) == before
    client = Client()
    client.force_login(officer)
    with django_assert_max_num_queries(10):  # session, user, roles, 4 grouped reads, the badge
        assert client.get("/").status_code == 200


def test_a_planner_of_many_communes_costs_the_same_queries(world: dict) -> None:
    province = world["commune"].parent
    communes = [_commune_with(3, f"Xã {i}", province)[0] for i in range(6)]
    two = user_with_role(Role.COMMUNE_PLANNER, communes[0])
    RoleAssignment.objects.create(user=two, role=Role.COMMUNE_PLANNER, unit=communes[1])
    many = user_with_role(Role.COMMUNE_PLANNER, communes[0])
    for commune in communes[1:]:
        RoleAssignment.objects.create(user=many, role=Role.COMMUNE_PLANNER, unit=commune)
    assert _queries(two) == _queries(many)


def test_the_village_page_costs_the_same_queries_for_one_plan_or_five(world: dict) -> None:
    plan = world["plans"]["idle"]
    user = world["editors"]["idle"]
    url = reverse("geo:unit", args=[plan.village.code])
    before = _queries(user, url)
    for year in range(2028, 2032):
        _plan(plan.village, year=year)
    assert _queries(user, url) == before


# --- a commune plan taken through its states by the services ----------------------------------


def _published_world(*, submit_only: bool = False) -> dict[str, Any]:
    commune = CommuneFactory.create(name="Xã Triệu Phong", parent=quang_tri())
    (village,) = f.villages(commune, ["Thôn An Lợi"])
    road = f.transport()
    plan_a = _plan(village, PlanStatus.SUBMITTED)
    pf.line(plan_a, **f.money_line("600", "100", sector=road, activity="Đường thôn An Lợi"))
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    approver = f.approver(commune)
    editor = user_with_role(Role.VILLAGE_EDITOR, village)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = f.commune_plan_for(round_)
    f.envelope_line(round_, f.ntp(), "900", sector_=road)
    allocation_run(actor=planner, plan=plan)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    if not submit_only:
        commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
        commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()
    return {
        "commune_plan": plan,
        "planner": planner,
        "approver": approver,
        "editor": editor,
        "village_plan": plan_a,
    }


def test_the_home_of_a_province_of_166_communes_stays_under_100_kb() -> None:
    province = quang_tri()
    for i in range(166):
        commune = CommuneFactory.create(name=f"Xã Thử Nghiệm Số {i}", parent=province)
        if i % 3:
            f.commune_plan_for(_round(commune))
    client = Client()
    client.force_login(f.province_officer(province))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    html = response.content.decode()
    assert len(response.content) < 100 * 1024
    assert len(queries) <= 10
    assert html.count('<tr><th scope="row"><a href="/') == 166
