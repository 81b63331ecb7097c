"""The commune plan pages: who sees what, crafted requests, forms, and query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.geo.tests.factories import CommuneFactory, hai_lang

from ..models import CommuneLine, SynthesisOperation, TargetValue
from ..services.funding import line_decide
from ..services.lines import commune_plan_synthesise
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
ROAD = "Bê tông hóa đường liên thôn"


@pytest.fixture
def world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = f.transport()
    f.submitted_plan(a, [f.money_line("600", "100", sector=road, activity=ROAD)])
    f.submitted_plan(b, [f.money_line("500", "100", sector=road, activity=ROAD)])
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.ntp(), "800", sector_=road)
    return {
        "commune": commune,
        "round": round_,
        "plan": f.commune_plan_for(round_),
        "planner": planner,
        "village": a,
    }


def _pages(world: dict[str, Any]) -> list[str]:
    plan, round_ = world["plan"], world["round"]
    line = plan.lines.first()
    return [
        f"/cdp/{plan.uid}/",
        f"/cdp/{plan.uid}/scoring/",
        f"/cdp/{plan.uid}/allocation/",
        f"/cdp/{plan.uid}/finance/",
        f"/cdp/{plan.uid}/targets/",
        f"/cdp/{plan.uid}/history/",
        f"/cdp/{plan.uid}/lines/{line.uid}/",
        f"/rounds/{round_.uid}/envelope/",
    ]


def test_the_planner_opens_every_page(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    for url in [*_pages(world), f"/cdp/{world['plan'].uid}/lines/new/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/cdp/{world['plan'].uid}/").content.decode()
    assert "Tổng hợp lại từ kế hoạch thôn" in page
    assert "Khung nguồn lực: còn 800,0 trên 800,0 triệu đồng" in page


def test_what_is_left_of_the_envelope_shows_on_every_tab_where_lines_are_decided(
    client: Client, world: dict[str, Any]
) -> None:
    """R19: the remaining envelope is in view while the commune prioritises and decides."""
    plan = world["plan"]
    line = plan.lines.first()
    envelope_line = plan.round.envelope.lines.get()
    line_decide(
        actor=world["planner"],
        line=line,
        decision="funded",
        reason="Đường hư hỏng",
        funding={envelope_line: D("500")},
    )
    client.force_login(world["planner"])
    for url in [
        f"/cdp/{plan.uid}/",
        f"/cdp/{plan.uid}/scoring/",
        f"/cdp/{plan.uid}/allocation/",
        f"/cdp/{plan.uid}/finance/",
        f"/cdp/{plan.uid}/targets/",
        f"/cdp/{plan.uid}/lines/{line.uid}/",
    ]:
        page = client.get(url).content.decode()
        assert 'id="envelope-box"' in page, url
        assert "Khung nguồn lực: còn 300,0 trên 800,0 triệu đồng" in page, url
        assert '<td class="num" data-left="NTP26">300,0</td>' in page, url


def test_other_communes_and_village_editors_get_404(client: Client, world: dict[str, Any]) -> None:
    other = CommuneFactory.create(name="Xã Khác", parent=world["commune"].parent)
    for user in (
        f.planner(other),
        user_with_role(Role.VILLAGE_EDITOR, world["village"]),
    ):
        client.force_login(user)
        for url in _pages(world):
            assert client.get(url).status_code == 404, url
        response = client.post(f"/cdp/{world['plan'].uid}/synthesise/")
        assert response.status_code == 404
        response = client.post(
            f"/cdp/{world['plan'].uid}/merge/",
            {"lines": [str(x.uid) for x in world["plan"].lines.all()]},
        )
        assert response.status_code == 404
    assert not SynthesisOperation.objects.exists()


def test_the_approver_reads_without_changing(client: Client, world: dict[str, Any]) -> None:
    client.force_login(f.approver(world["commune"]))
    page = client.get(f"/cdp/{world['plan'].uid}/").content.decode()
    assert "Tổng hợp lại từ kế hoạch thôn" not in page
    assert client.post(f"/cdp/{world['plan'].uid}/synthesise/").status_code == 404
    count = CommuneLine.objects.count()
    assert client.post(f"/cdp/{world['plan'].uid}/allocation/run/").status_code == 404
    assert CommuneLine.objects.count() == count


def test_merge_and_undo_through_the_page(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    plan = world["plan"]
    uids = [str(x.uid) for x in plan.lines.filter(activity=ROAD)]
    response = client.post(
        f"/cdp/{plan.uid}/merge/", {"lines": uids, "activity": "", "location": ""}, follow=True
    )
    assert (
        "Đã gộp các dòng 1, 2 thành dòng 3. Muốn tách lại, bấm “Hoàn tác gộp dòng” ở bên dưới."
        in response.content.decode()
    )
    operation = SynthesisOperation.objects.get()
    response = client.post(f"/cdp/{plan.uid}/undo/{operation.pk}/", follow=True)
    assert (
        "Đã hoàn tác gộp dòng: các dòng đã gộp thành dòng 3 trở lại như trước."
        in response.content.decode()
    )
    response = client.post(f"/cdp/{plan.uid}/merge/", {"lines": uids[:1]}, follow=True)
    assert "Hãy đánh dấu ít nhất hai dòng để gộp." in response.content.decode()
    assert client.post(f"/cdp/{plan.uid}/merge/", {"lines": ["not-a-uid"]}).status_code == 404


def test_a_wrong_decision_form_shows_the_message(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    plan = world["plan"]
    line = plan.lines.first()
    envelope_line = plan.round.envelope.lines.get()
    response = client.post(
        f"/cdp/{plan.uid}/lines/{line.uid}/decide/",
        {"decision": "funded", "reason": "Ưu tiên", f"funding_{envelope_line.uid}": "900"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Các số tiền cộng lại là 900 triệu đồng; dòng này cần 500 triệu đồng" in text
    line.refresh_from_db()
    assert line.decision == "pending"
    response = client.post(
        f"/cdp/{plan.uid}/lines/{line.uid}/decide/",
        {"decision": "funded", "reason": "Ưu tiên", f"funding_{envelope_line.uid}": "500"},
        follow=True,
    )
    line.refresh_from_db()
    assert line.decision == "funded"


def test_targets_are_saved_and_bad_numbers_named(client: Client, world: dict[str, Any]) -> None:
    from kehoach.catalog.models import Indicator

    Indicator.objects.create(
        code="HO-NGHEO", name="Tỷ lệ hộ nghèo", unit="%", group="general", decimals=1
    )
    client.force_login(world["planner"])
    url = f"/cdp/{world['plan'].uid}/targets/"
    response = client.post(url, {"HO-NGHEO__plan_current": "ba phần trăm"})
    assert response.status_code == 400
    assert "Tỷ lệ hộ nghèo, kế hoạch năm hiện tại:" in response.content.decode()
    assert not TargetValue.objects.exists()
    response = client.post(
        url,
        {
            "HO-NGHEO__actual_previous": "4,2",
            "HO-NGHEO__plan_current": "3,5",
            "HO-NGHEO__estimate_current": "3,6",
            "HO-NGHEO__plan_next": "3,0",
        },
        follow=True,
    )
    value = TargetValue.objects.get()
    assert (value.plan_current, value.estimate_current) == (D("3.5"), D("3.6"))
    page = response.content.decode()
    assert "102,9" in page  # 3,6 / 3,5


def test_the_province_officer_enters_the_envelope_and_opens_the_roll_up(
    client: Client, world: dict[str, Any]
) -> None:
    officer = f.province_officer(world["commune"].parent)
    client.force_login(officer)
    page = client.get(f"/rounds/{world['round'].uid}/envelope/").content.decode()
    assert "Thêm nguồn vốn do tỉnh thông báo" in page
    response = client.post(
        f"/rounds/{world['round'].uid}/envelope/",
        {
            "source": f.ntp().pk,
            "amount_mvnd": "1.500",
            "firmness": "notified",
            "area_scope": "all",
        },
        follow=True,
    )
    assert "Đã thêm dòng 2 vào khung nguồn lực." in response.content.decode()
    province = client.get("/units/44/").content.decode()
    assert "/units/44/rollup/2027/" in province
    rollup = client.get("/units/44/rollup/2027/")
    assert rollup.status_code == 200
    assert "Xã Hải Lăng" in rollup.content.decode()
    client.force_login(world["planner"])
    assert client.get("/units/44/rollup/2027/").status_code == 404


def test_the_synthesis_page_queries_do_not_grow_with_lines(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    url = f"/cdp/{world['plan'].uid}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        village = f.villages(world["commune"], [f"Thôn Mới {n}"])[0]
        f.submitted_plan(
            village,
            [f.money_line("100", "10", activity=f"Việc {n}.{k}") for k in range(3)],
        )
    commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    client.get(url)  # the plan's new ranks counted once and kept (scoring.stored)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert world["plan"].lines.count() == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_province_officer_sees_the_communes_of_their_province_only(
    client: Client, world: dict[str, Any]
) -> None:
    from kehoach.geo.tests.factories import ProvinceFactory

    client.force_login(f.province_officer(world["commune"].parent))
    for url in _pages(world):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/cdp/{world['plan'].uid}/synthesise/").status_code == 404
    other = ProvinceFactory.create(name="Tỉnh Khác")
    client.force_login(f.province_officer(other))
    for url in [*_pages(world), "/units/44/rollup/2027/"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/units/{other.code}/rollup/2027/").status_code == 200
