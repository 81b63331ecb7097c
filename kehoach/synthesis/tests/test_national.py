"""The national level (issue 16, point 2): the national officer reads every province and
commune and changes nothing; the national roll-up is one aggregate query per level over the
summaries, the provinces in Vietnamese order, numbers written the Vietnamese way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment, User
from kehoach.accounts.permissions import Action, has_permission, units_visible_to
from kehoach.accounts.tests.factories import user_with_role
from kehoach.core import access
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, ProvinceFactory, quang_tri

from ..models import CommuneLine, LineSummary
from ..services.funding import allocation_run
from ..services.lines import commune_plan_synthesise
from ..summaries.national import area_rollup
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
READ_ACTIONS = {Action.VIEW_UNIT, Action.VIEW_ROLLUP, Action.VIEW_NATIONAL}


def _commune_with_plan(province: AdministrativeUnit, name: str, budget: str = "450") -> Any:
    commune = CommuneFactory.create(name=name, parent=province)
    (village,) = f.villages(commune, [f"Thôn 1 {name}"])
    f.submitted_plan(
        village,
        [
            f.money_line("500", "100", sector=f.transport(), activity="Đường", priority=1),
            f.money_line("300", "30", sector=f.education(), activity="Lớp học", priority=2),
        ],
    )
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.ntp(), budget, sector_=f.transport())
    plan = f.commune_plan_for(round_)
    allocation_run(actor=planner, plan=plan)
    return plan


def national_officer() -> User:
    return user_with_role(Role.NATIONAL_OFFICER, None, username="quocgia")


# --- the role ---------------------------------------------------------------------------------


def test_the_national_officer_sees_every_unit_and_may_only_read() -> None:
    plan = _commune_with_plan(quang_tri(), "Xã Một")
    commune = plan.round.commune
    other = ProvinceFactory.create(code="01", name="Hà Nội")
    officer = national_officer()
    assert set(units_visible_to(officer)) == set(AdministrativeUnit.objects.all())
    for unit in (quang_tri(), other, commune):
        assert {a for a in Action if has_permission(officer, a, unit)} == READ_ACTIONS
    assert has_permission(officer, Action.VIEW_NATIONAL)
    # below accounts too: every selector scoped by the user's units reads the whole country
    assert access.sees_whole_country(officer)
    assert not access.sees_whole_country(f.province_officer(quang_tri()))
    assert access.visible_or_404(officer, AdministrativeUnit.objects.all(), code="01") == other
    with pytest.raises(NotFoundError):
        allocation_run(actor=officer, plan=plan)


def test_a_national_role_has_no_unit() -> None:
    from django.db import IntegrityError, transaction

    user = User.objects.create(username="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.NATIONAL_OFFICER, unit=quang_tri())
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.PROVINCE_OFFICER, unit=None)
    RoleAssignment.objects.create(user=user, role=Role.NATIONAL_OFFICER, unit=None)


def test_others_may_not_read_the_national_roll_up() -> None:
    province = quang_tri()
    plan = _commune_with_plan(province, "Xã Một")
    commune = plan.round.commune
    for user in (
        f.province_officer(province),
        f.planner(commune),
        f.approver(commune),
        user_with_role(Role.DONOR_VIEWER, commune),
    ):
        assert not has_permission(user, Action.VIEW_NATIONAL), user
        client = Client()
        client.force_login(user)
        assert client.get("/national/2027/").status_code == 404
        assert client.get(f"/national/2027/{province.code}/").status_code == 404
        assert client.get("/national/").status_code == 404
        assert 'id="nav-national"' not in client.get("/").content.decode()
    anonymous = Client().get("/national/2027/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_national_officer_reads_pages_and_cannot_post(client: Client) -> None:
    province = quang_tri()
    plan = _commune_with_plan(province, "Xã Một")
    client.force_login(national_officer())
    home = client.get("/").content.decode()
    assert 'id="nav-national"' in home
    assert client.get("/national/")["Location"] == "/national/2027/"
    for url in (
        "/national/2027/",
        f"/national/2027/{province.code}/",
        f"/units/{province.code}/rollup/2027/",
        f"/cdp/{plan.uid}/",
        f"/units/{plan.round.commune.code}/",
    ):
        assert client.get(url).status_code == 200, url
    line = plan.lines.first()
    for url in (
        f"/cdp/{plan.uid}/allocation/run/",
        f"/cdp/{plan.uid}/do/submit/",
        f"/cdp/{plan.uid}/lines/{line.uid}/decision/clear/",
        f"/cdp/{plan.uid}/comments/",
    ):
        assert client.post(url, {"comment": "x"}).status_code in (403, 404), url
    assert client.get(f"/national/2027/{plan.round.commune.code}/").status_code == 404


def test_the_administrator_reads_the_national_roll_up(client: Client) -> None:
    client.force_login(user_with_role(Role.ADMIN, None, username="qt", is_superuser=True))
    assert client.get("/national/2027/").status_code == 200
    assert 'id="nav-national"' in client.get("/").content.decode()


# --- the roll-up ------------------------------------------------------------------------------


def test_one_aggregate_query_per_level_whatever_the_size(django_assert_num_queries: Any) -> None:
    province = quang_tri()
    _commune_with_plan(province, "Xã Một")
    with django_assert_num_queries(4):  # summaries, units, sectors, sources
        small = area_rollup(2027)
    with django_assert_num_queries(4):
        area_rollup(2027, province)
    other = ProvinceFactory.create(code="01", name="Hà Nội")
    for name in ("Xã Hai", "Xã Ba"):
        _commune_with_plan(province, name, "800")
    _commune_with_plan(other, "Phường Ba Đình", "300")
    with django_assert_num_queries(4):
        big = area_rollup(2027)
    with django_assert_num_queries(4):
        communes = area_rollup(2027, province)
    assert small.total.lines == 2 and big.total.lines == 8
    assert [str(r.unit) for r in communes.rows] == ["Xã Ba", "Xã Hai", "Xã Một"]
    lines = CommuneLine.objects.active()
    assert big.total.demand == sum((x.total_cost_mvnd for x in lines), D(0)) == D("3200")
    assert big.total.support_asked == sum((x.external_support_mvnd for x in lines), D(0))
    by_province = {r.unit.code: r for r in big.rows if r.unit}
    assert by_province["01"].demand == D("800")
    assert by_province["44"].demand == communes.total.demand == D("2400")
    assert by_province["44"].funded == communes.total.funded > 0
    assert sum(big.total.by_sector.values(), D(0)) == big.total.demand
    assert big.total.by_programme == {f.ntp().pk: big.total.funded}


def test_a_programme_adds_its_components() -> None:
    province = quang_tri()
    component = f.source("NTP26-DA1", name="Dự án 1", parent=f.ntp())
    plan = _commune_with_plan(province, "Xã Một")
    f.envelope_line(plan.round, component, "1000")
    allocation_run(actor=f.planner(plan.round.commune), plan=plan)
    rollup = area_rollup(2027)
    assert component.pk in rollup.total.by_source
    assert rollup.programmes == [f.ntp()]
    assert (
        rollup.total.by_programme[f.ntp().pk]
        == rollup.total.funded
        == sum(rollup.total.by_source.values(), D(0))
    )


def test_the_page_lists_every_province_in_vietnamese_order(client: Client) -> None:
    names = ["Đồng Tháp", "Điện Biên", "An Giang", "Đắk Lắk", "Cao Bằng"]
    for code, name in zip(("82", "11", "89", "66", "04"), names, strict=True):
        ProvinceFactory.create(code=code, name=name)
    province = quang_tri()
    plan = _commune_with_plan(province, "Xã Một")
    client.force_login(national_officer())
    response = client.get("/national/2027/")
    page = response.content.decode()
    assert len(response.content) < 100_000
    order = [page.index(f'id="unit-{code}"') for code in ("89", "04", "66", "11", "82", "44")]
    assert order == sorted(order)
    row = page[page.index('id="unit-44"') :].split("</tr>")[0]
    assert f'href="/units/{province.code}/rollup/2027/"' in row
    assert f'href="/national/2027/{province.code}/"' in row
    assert ">800,0<" in row  # total cost, million VND
    assert 'id="national-demand">800,0<' in page
    communes = client.get(f"/national/2027/{province.code}/").content.decode()
    assert f'href="/cdp/{plan.uid}/"' in communes
    assert "Tổng kinh phí theo lĩnh vực" in communes


def test_thousands_are_written_the_vietnamese_way(client: Client) -> None:
    _commune_with_plan(quang_tri(), "Xã Một")
    LineSummary.objects.filter(source__isnull=True).update(demand_mvnd=D("1234567.5"))
    client.force_login(national_officer())
    page = client.get("/national/2027/").content.decode()
    assert "2.469.135,0" in page
