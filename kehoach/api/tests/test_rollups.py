"""Province and programme roll-ups (F18) through the API (issue 17): the page's own reports
(``province_rollup``, ``programme_rollup``) as data, a fixed number of queries whatever the
number of communes, 404 where the page is 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.tests.factories import ProvinceFactory, UnitFactory, quang_tri
from kehoach.synthesis.reports import programme_rollup, province_rollup
from kehoach.synthesis.tests import factories as sf
from kehoach.synthesis.tests.test_reports import _commune_with_plan

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    province = quang_tri()
    one = _commune_with_plan("Xã Một", province, "450")
    _commune_with_plan("Xã Hai", province, "800")
    return {
        "province": province,
        "one": one,
        "officer": sf.province_officer(province, username="tinh.quangtri"),
        "stranger": sf.province_officer(
            ProvinceFactory.create(code="46", name="Huế"), username="tinh.hue"
        ),
    }


def client_of(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def get(user: Any, url: str, **headers: Any) -> Any:
    return client_of(user).get(url, **headers)


def ok(user: Any, url: str) -> Any:
    response = get(user, url)
    assert response.status_code == 200, response.content
    return response.json()


def assert_404(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_roll_up_is_the_pages_report_as_data(world: dict[str, Any]) -> None:
    province = world["province"]
    body = ok(world["officer"], f"{API}/units/{province.code}/rollup/?year=2027")
    report = province_rollup(province, 2027)
    assert (body["unit_code"], body["year"], body["years"]) == (province.code, 2027, [2027])
    assert [r["commune_code"] for r in body["communes"]] == [r.commune.code for r in report.rows]
    for row, expected in zip(body["communes"], report.rows, strict=True):
        assert (
            row["village_plans"],
            row["village_plans_submitted"],
            row["lines"],
            D(row["demand_mvnd"]),
            D(row["envelope_mvnd"]),
            D(row["used_mvnd"]),
            D(row["unfunded_mvnd"]),
            row["priority1"],
            row["commune_plan_uid"],
        ) == (
            expected.village_plans,
            expected.submitted,
            expected.lines,
            expected.demand,
            expected.envelope,
            expected.used,
            expected.unfunded,
            expected.priority1,
            str(expected.plan.uid) if expected.plan else None,
        )
        sectors = {s.pk: s.code for s in report.sectors}
        assert {k: D(v) for k, v in row["by_sector"].items()} == {
            sectors[pk]: v for pk, v in expected.by_sector.items()
        }
        assert sum((D(v) for v in row["by_sector"].values()), D(0)) == D(row["demand_mvnd"])
    first = next(r for r in body["communes"] if r["commune_name"] == "Xã Một")
    assert (D(first["households_pct"]), D(first["women_pct"])) == (D("60.0"), D("40.0"))
    total = body["total"]
    assert total["commune_code"] is None
    assert D(total["demand_mvnd"]) == report.total.demand == D("2000")
    assert D(total["envelope_mvnd"]) == D("450") + D("800") + D("200")
    assert [s["code"] for s in body["sectors"]] == [s.code for s in report.sectors]


def test_without_a_year_the_latest_year_with_a_round_is_rolled_up(world: dict[str, Any]) -> None:
    code = world["province"].code
    assert ok(world["officer"], f"{API}/units/{code}/rollup/") == ok(
        world["officer"], f"{API}/units/{code}/rollup/?year=2027"
    )
    empty = ok(world["officer"], f"{API}/units/{code}/rollup/?year=2030")
    assert (empty["communes"], empty["total"]["lines"]) == ([], 0)
    response = get(world["officer"], f"{API}/units/{code}/rollup/?year=27")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["where"]) == (
        "year_invalid",
        {"field": "year"},
    )


def test_only_a_province_or_former_district_of_ones_own_with_the_permission(
    world: dict[str, Any],
) -> None:
    province, commune = world["province"], world["one"]["commune"]
    assert_404(get(world["officer"], f"{API}/units/{commune.code}/rollup/"))
    assert_404(get(world["stranger"], f"{API}/units/{province.code}/rollup/"))
    missing = get(world["stranger"], f"{API}/units/X99999/rollup/")
    assert get(world["stranger"], f"{API}/units/{province.code}/rollup/").content == (
        missing.content
    )
    planner = sf.planner(commune, username="xa.mot")  # no roll-up on the pages either
    assert_404(get(planner, f"{API}/units/{commune.code}/rollup/"))
    assert_404(get(planner, f"{API}/units/{province.code}/rollup/"))
    donor = user_with_role(Role.DONOR_VIEWER, province, username="nha.tai.tro")
    assert ok(donor, f"{API}/units/{province.code}/rollup/")["unit_code"] == province.code


def test_a_former_district_rolls_up_its_communes_under_it() -> None:
    old = UnitFactory.create(
        code="T45", name="Tỉnh Quảng Trị (cũ)", kind=Kind.PROVINCE, level=Level.PROVINCE,
        source=Source.LEGACY,
    )  # fmt: skip
    district = UnitFactory.create(
        code="H470", name="Huyện Hải Lăng", kind=Kind.DISTRICT, level=Level.DISTRICT,
        parent=old, source=Source.LEGACY,
    )  # fmt: skip
    _commune_with_plan("Xã Hải An", district, "200")
    officer = sf.province_officer(old, username="tinh.cu")
    body = ok(officer, f"{API}/units/{old.code}/rollup/?year=2027")
    assert [(r["commune_name"], r["former_district_code"]) for r in body["communes"]] == [
        ("Xã Hải An", "H470")
    ]
    assert (
        ok(officer, f"{API}/units/{district.code}/rollup/?year=2027")["communes"]
        == (body["communes"])
    )


def _count(user: Any, url: str) -> tuple[int, Any]:
    client = client_of(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def test_the_roll_ups_cost_the_same_queries_for_more_communes(world: dict[str, Any]) -> None:
    code = world["province"].code
    urls = [f"{API}/units/{code}/rollup/?year=2027", f"{API}/units/{code}/rollup/programmes/NTP26/"]
    few = [_count(world["officer"], url)[0] for url in urls]
    for name, budget in (("Xã Ba", "300"), ("Xã Bốn", "650"), ("Xã Năm", "100")):
        _commune_with_plan(name, world["province"], budget)
    many = [_count(world["officer"], url) for url in urls]
    assert [n for n, _body in many] == few
    assert len(many[0][1]["communes"]) == 5 and len(many[1][1]["communes"]) == 5


def test_the_programme_roll_up_is_the_pages_report(world: dict[str, Any]) -> None:
    province = world["province"]
    body = ok(world["officer"], f"{API}/units/{province.code}/rollup/programmes/NTP26/?year=2027")
    report = programme_rollup(province, 2027, sf.ntp())
    assert body["source"] == {"code": "NTP26", "name": sf.ntp().name}
    assert [
        (r["commune_code"], D(r["envelope_mvnd"]), D(r["used_mvnd"]), r["funded_lines"])
        for r in body["communes"]
    ] == [(r.commune.code, r.envelope, r.used, r.funded_lines) for r in report.rows]
    assert D(body["total"]["envelope_mvnd"]) == D("1250")
    assert D(body["total"]["left_mvnd"]) == report.total.left
    assert_404(get(world["officer"], f"{API}/units/{province.code}/rollup/programmes/KHONG/"))
    assert_404(get(world["stranger"], f"{API}/units/{province.code}/rollup/programmes/NTP26/"))


def test_the_answers_are_the_same_in_english(world: dict[str, Any]) -> None:
    code = world["province"].code
    for url in (f"{API}/units/{code}/rollup/", f"{API}/units/{code}/rollup/programmes/NTP26/"):
        vi = get(world["officer"], url, HTTP_ACCEPT_LANGUAGE="vi").json()
        assert vi == get(world["officer"], url, HTTP_ACCEPT_LANGUAGE="en").json()
