"""The first read endpoints of the API (issue 17): units, catalogue, village and commune plans.

Every list starts from the user's selector: a commune planner of Hải Lăng sees Hải Lăng, a
province officer of Quảng Trị the whole province, a user of another province none of it (404
on an object, an empty list), an anonymous request 401. Filters are checked (400 with
``where.field``), orders are Vietnamese, and each list answers in the same number of queries
for 10 and for 100 items a page.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.catalog.choices import AliasKind
from kehoach.catalog.models import Alias, FundingSource, Sector, UnitOfMeasure
from kehoach.catalog.names import name_key
from kehoach.catalog.tests.factories import (
    FundingSourceFactory,
    SectorFactory,
    UnitOfMeasureFactory,
)
from kehoach.geo.choices import Level, SuccessionKind
from kehoach.geo.models import AdministrativeUnit, UnitSuccession
from kehoach.geo.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
    quang_tri,
)
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import BasicInfo, EthnicGroup, ProposalLine, VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineFunding
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    """Hải Lăng with three villages (two with plans for 2027, one submitted and synthesised
    into the commune plan), Đồng Hới with a plan, and another province with its own."""
    province, commune, ward = quang_tri(), hai_lang(), dong_hoi()
    former = CommuneFactory.create(
        code="X19705",
        name="Xã Hải Thọ",
        parent=province,
        valid_from=None,
        valid_to=datetime.date(2025, 6, 30),
        end_reason="Sáp nhập vào xã Hải Lăng",
    )
    UnitSuccession.objects.create(
        predecessor=former,
        successor=commune,
        kind=SuccessionKind.MERGED,
        effective_date=datetime.date(2025, 7, 1),
    )
    dong_ha, duong_le, ea_sup = (
        VillageFactory.create(parent=commune, name=name)
        for name in ("Thôn Đông Hà", "Thôn Dương Lệ", "Thôn Ea Súp")
    )
    submitted = sf.submitted_plan(
        dong_ha,
        [
            sf.money_line("600", "100", sector=sf.transport(), activity="Đường"),
            sf.money_line("400", "50", sector=sf.education(), activity="Trường"),
        ],
    )
    draft = pf.village_plan(duong_le)
    pf.line(draft)
    BasicInfo.objects.create(plan=submitted, total_households=215, population=860)
    EthnicGroup.objects.create(
        info=submitted.basic_info, name="Vân Kiều", households=12, persons=50
    )
    round_ = sf.round_of(commune)
    planner = sf.planner(commune, username="xa.hailang")
    commune_plan_synthesise(actor=planner, round_=round_)
    commune_plan = sf.commune_plan_for(round_)
    road = commune_plan.lines.get(activity="Đường")
    pot = sf.envelope_line(round_, sf.ntp(), "800", sector_=sf.transport())
    LineFunding.objects.create(line=road, envelope_line=pot, amount_mvnd=D("500"))
    CommuneLine.objects.filter(pk=road.pk).update(decision=Decision.FUNDED)

    ward_plan = pf.village_plan(VillageFactory.create(parent=ward, name="Khu phố 1"))
    sf.commune_plan_for(ward_plan.round)

    elsewhere = ProvinceFactory.create(code="46", name="Huế")
    far_commune = CommuneFactory.create(parent=elsewhere, name="Xã Phong Điền")
    far_plan = pf.village_plan(VillageFactory.create(parent=far_commune, name="Thôn Xa"))
    far_commune_plan = sf.commune_plan_for(far_plan.round)
    return {
        "province": province,
        "commune": commune,
        "ward": ward,
        "former": former,
        "villages": [dong_ha, duong_le, ea_sup],
        "submitted": submitted,
        "draft": draft,
        "commune_plan": commune_plan,
        "road": road,
        "pot": pot,
        "ward_plan": ward_plan,
        "far_commune": far_commune,
        "far_plan": far_plan,
        "far_commune_plan": far_commune_plan,
        "planner": planner,
        "officer": sf.province_officer(province, username="tinh.quangtri"),
        "stranger": sf.province_officer(elsewhere, username="tinh.hue"),
    }


def client_of(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def get(user: Any, url: str, **headers: Any) -> Any:
    return client_of(user).get(url, **headers)


def results(user: Any, url: str) -> list[dict[str, Any]]:
    response = get(user, url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(user: Any, url: str) -> list[str]:
    return [row["code"] for row in results(user, url)]


def assert_problem(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["type"] == f"https://kehoach.vn/problems/{code}"
    if field is not None:
        assert body["where"] == {"field": field}


# --- units ----------------------------------------------------------------------------------


def test_a_commune_planner_sees_the_commune_and_its_villages_in_vietnamese_order(
    world: dict[str, Any],
) -> None:
    assert codes(world["planner"], f"{API}/units/?level=4") == [
        # D < Đ < E in Vietnamese (code points would put Đ after E)
        world["villages"][1].code,
        world["villages"][0].code,
        world["villages"][2].code,
    ]
    assert set(codes(world["planner"], f"{API}/units/")) == {
        "19702",
        *(v.code for v in world["villages"]),
    }


def test_a_province_officer_sees_the_province_and_filters_by_subtree_level_and_name(
    world: dict[str, Any],
) -> None:
    officer = world["officer"]
    seen = codes(officer, f"{API}/units/")
    assert {"44", "19702", "18880", "X19705"} <= set(seen)
    assert world["far_commune"].code not in seen and "46" not in seen
    assert codes(officer, f"{API}/units/?within=44&level=3") == ["18880", "19702", "X19705"]
    assert "44" not in codes(officer, f"{API}/units/?within=44")
    assert codes(officer, f"{API}/units/?q=hai%20lang") == ["19702"]  # without diacritics
    assert codes(officer, f"{API}/units/?q=Đông%20hà") == [world["villages"][0].code]


def test_units_changed_since_a_moment(world: dict[str, Any]) -> None:
    old = timezone.now() - datetime.timedelta(days=30)
    AdministrativeUnit.objects.exclude(code="19702").update(updated_at=old)
    since = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    assert codes(world["officer"], f"{API}/units/?updated_since={since}") == ["19702"]
    assert len(codes(world["officer"], f"{API}/units/?updated_since=2000-01-01")) > 1


def test_a_unit_by_code_with_its_dates_and_successors(world: dict[str, Any]) -> None:
    response = get(world["officer"], f"{API}/units/X19705/")
    assert response.status_code == 200
    assert response.json() == {
        "code": "X19705",
        "official_code": "X19705",
        "name": "Xã Hải Thọ",
        "kind": "xa",
        "level": Level.COMMUNE,
        "parent_code": "44",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "end_reason": "Sáp nhập vào xã Hải Lăng",
        "successors": [{"code": "19702", "kind": "merged", "effective_date": "2025-07-01"}],
        "predecessors": [],
        "updated_at": response.json()["updated_at"],
    }
    merged = get(world["planner"], f"{API}/units/19702/").json()
    assert merged["predecessors"] == [
        {"code": "X19705", "kind": "merged", "effective_date": "2025-07-01"}
    ]
    assert merged["parent_code"] == "44"


def test_another_provinces_user_gets_404_on_a_unit_and_nothing_in_the_list(
    world: dict[str, Any],
) -> None:
    assert_problem(get(world["stranger"], f"{API}/units/19702/"), 404, "not_found")
    assert_problem(get(world["planner"], f"{API}/units/18880/"), 404, "not_found")  # a sibling
    assert_problem(get(world["planner"], f"{API}/units/khong-co/"), 404, "not_found")
    assert not {"44", "19702"} & set(codes(world["stranger"], f"{API}/units/"))


def test_the_cursor_walks_every_unit_once(world: dict[str, Any]) -> None:
    client = client_of(world["officer"])
    url: str | None = f"{API}/units/?page_size=2"
    walked: list[str] = []
    while url:
        body = client.get(url).json()
        walked += [row["code"] for row in body["results"]]
        url = body["next"]
    assert walked == codes(world["officer"], f"{API}/units/?page_size=100")
    assert len(walked) == len(set(walked)) > 4


# --- refusals ---------------------------------------------------------------------------------

READS = [
    "/units/",
    "/units/19702/",
    "/catalog/sectors/",
    "/catalog/sources/",
    "/catalog/units/",
    "/village-plans/",
    "/commune-plans/",
]


@pytest.mark.parametrize("path", READS)
def test_an_anonymous_request_is_401(world: dict[str, Any], path: str) -> None:
    response = get(None, f"{API}{path}")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "path",
    ["/village-plans/{plan}/", "/village-plans/{plan}/lines/"],
)
def test_an_anonymous_request_for_a_plan_is_401(world: dict[str, Any], path: str) -> None:
    response = get(None, API + path.format(plan=world["submitted"].uid))
    assert_problem(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("/village-plans/?year=abc", "year_invalid", "year"),
        ("/village-plans/?year=1999", "year_invalid", "year"),
        ("/commune-plans/?year=2101", "year_invalid", "year"),
        ("/village-plans/?status=approved", "status_invalid", "status"),
        ("/commune-plans/?status=nhap", "status_invalid", "status"),
        ("/village-plans/?unit=19702%20OR%201", "unit_code_invalid", "unit"),
        ("/units/?within=" + "9" * 33, "unit_code_invalid", "within"),
        ("/units/?level=5", "level_invalid", "level"),
        ("/units/?level=²", "level_invalid", "level"),
        ("/units/?updated_since=hom-qua", "updated_since_invalid", "updated_since"),
        ("/village-plans/?updated_since=2027-13-40", "updated_since_invalid", "updated_since"),
    ],
)
def test_a_bad_filter_is_400_naming_the_parameter(
    world: dict[str, Any], query: str, code: str, field: str
) -> None:
    assert_problem(get(world["officer"], f"{API}{query}"), 400, code, field)


@pytest.mark.parametrize(
    "query",
    [
        "/village-plans/?unit=99999",
        "/commune-plans/?unit=46",  # another province: as if it did not exist
        "/units/?within=46",
        "/units/?within=18880",  # a planner of Hải Lăng and a ward of the same province
    ],
)
def test_a_filter_on_a_unit_that_is_not_yours_is_404(world: dict[str, Any], query: str) -> None:
    assert_problem(get(world["planner"], f"{API}{query}"), 404, "not_found")


def test_a_filter_problem_is_in_vietnamese_or_in_english(world: dict[str, Any]) -> None:
    url = f"{API}/village-plans/?year=20027"
    vietnamese = get(world["planner"], url).json()
    assert vietnamese["detail"] == "Nhập năm kế hoạch từ 2000 đến 2100, ví dụ 2027."
    english = get(world["planner"], url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"] == "Enter a plan year from 2000 to 2100, for example 2027."
    unknown = get(world["planner"], f"{API}/village-plans/?unit=18880").json()
    assert unknown["detail"] == "Không có đơn vị nào có mã “18880” trong các đơn vị của bạn."


def test_a_filter_with_a_time_and_offset_is_read(world: dict[str, Any]) -> None:
    # an unencoded "+07:00" arrives as " 07:00": read as the offset it was
    found = results(
        world["planner"], f"{API}/village-plans/?updated_since=2000-01-01T00:00:00+07:00"
    )
    assert len(found) == 2


# --- catalogue --------------------------------------------------------------------------------


def test_the_catalogue_with_aliases_for_everyone_signed_in(world: dict[str, Any]) -> None:
    transport = sf.transport()
    Alias.objects.create(
        kind=AliasKind.SECTOR, sector=transport, text="Giao thông", key=name_key("Giao thông")
    )
    programme = sf.ntp()
    component = FundingSourceFactory.create(code="NTP26-GN", parent=programme, sort_order=1)
    Alias.objects.create(
        kind=AliasKind.SOURCE, source=programme, text="CTMTQG", key=name_key("CTMTQG")
    )
    metre = UnitOfMeasureFactory.create(code="m2", name="m²", aliases="m2, met vuong")
    Alias.objects.create(kind=AliasKind.UNIT, unit=metre, text="mét vuông", key="met vuong 2")
    for user in (world["planner"], world["stranger"]):
        sectors = {row["code"]: row for row in results(user, f"{API}/catalog/sectors/")}
        assert sectors["HT-GT"]["aliases"] == ["Giao thông"]
        assert sectors["GD"]["default_expenditure"] == "recurrent"
        sources = {row["code"]: row for row in results(user, f"{API}/catalog/sources/")}
        assert sources["NTP26"]["aliases"] == ["CTMTQG"]
        assert sources["NTP26"]["parent_code"] is None
        assert sources[component.code]["parent_code"] == "NTP26"
        assert sources["NTP26"]["counterpart_share_pct"] == "0.00"
        units = {row["code"]: row for row in results(user, f"{API}/catalog/units/")}
        assert units["m2"]["aliases"] == ["m2", "met vuong", "mét vuông"]


def test_sectors_in_their_configured_order_then_vietnamese_name(world: dict[str, Any]) -> None:
    sf.agriculture()
    SectorFactory.create(code="Z-DUONG", name="Đường làng", sort_order=200)
    SectorFactory.create(code="Z-EM", name="Em bé", sort_order=200)
    SectorFactory.create(code="Z-DAN", name="Dân số", sort_order=200)
    listed = codes(world["planner"], f"{API}/catalog/sectors/")
    assert listed.index("NN") < listed.index("HT-GT") < listed.index("GD")
    assert listed[-3:] == ["Z-DAN", "Z-DUONG", "Z-EM"]


# --- village plans ----------------------------------------------------------------------------


def uids(user: Any, url: str) -> set[str]:
    return {row["uid"] for row in results(user, url)}


def test_village_plans_by_role(world: dict[str, Any]) -> None:
    mine = {str(world["submitted"].uid), str(world["draft"].uid)}
    assert uids(world["planner"], f"{API}/village-plans/") == mine
    assert uids(world["officer"], f"{API}/village-plans/") == mine | {str(world["ward_plan"].uid)}
    assert uids(world["stranger"], f"{API}/village-plans/") == {str(world["far_plan"].uid)}


def test_village_plans_filtered(world: dict[str, Any]) -> None:
    officer = world["officer"]
    submitted, draft = str(world["submitted"].uid), str(world["draft"].uid)
    assert uids(officer, f"{API}/village-plans/?unit=19702") == {submitted, draft}
    assert uids(officer, f"{API}/village-plans/?unit={world['villages'][0].code}") == {submitted}
    assert uids(officer, f"{API}/village-plans/?status=submitted&year=2027") == {submitted}
    assert uids(officer, f"{API}/village-plans/?year=2028") == set()
    VillagePlan.objects.exclude(pk=world["draft"].pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=10)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert uids(officer, f"{API}/village-plans/?updated_since={since}") == {draft}


def test_a_village_plan_with_its_basic_information(world: dict[str, Any]) -> None:
    plan = world["submitted"]
    body = get(world["planner"], f"{API}/village-plans/{plan.uid}/").json()
    assert body["uid"] == str(plan.uid)
    assert body["village_code"] == world["villages"][0].code
    assert body["commune_code"] == "19702"
    assert body["plan_year"] == 2027
    assert body["round_uid"] == str(plan.round.uid)
    assert body["status"] == PlanStatus.SUBMITTED
    assert body["basic_info"]["total_households"] == 215
    assert body["basic_info"]["ethnic_groups"] == [
        {"name": "Vân Kiều", "households": 12, "persons": 50}
    ]
    draft = get(world["planner"], f"{API}/village-plans/{world['draft'].uid}/").json()
    assert draft["basic_info"] is None


@pytest.mark.parametrize("tail", ["", "lines/"])
def test_another_units_village_plan_is_404(world: dict[str, Any], tail: str) -> None:
    far = world["far_plan"].uid
    assert_problem(get(world["planner"], f"{API}/village-plans/{far}/{tail}"), 404, "not_found")
    ward = world["ward_plan"].uid
    assert_problem(get(world["planner"], f"{API}/village-plans/{ward}/{tail}"), 404, "not_found")
    assert get(world["stranger"], f"{API}/village-plans/{far}/{tail}").status_code == 200
    missing = uuid.uuid4()
    assert_problem(get(world["planner"], f"{API}/village-plans/{missing}/{tail}"), 404, "not_found")
    assert_problem(get(world["planner"], f"{API}/village-plans/khong/{tail}"), 404, "not_found")


def test_the_lines_of_a_village_plan_have_every_f6_column_by_code(world: dict[str, Any]) -> None:
    plan = world["submitted"]
    deleted = pf.line(plan, activity="Đã xoá")
    ProposalLine.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    ProposalLine.objects.filter(plan=plan, number=1).update(version=3)
    rows = results(world["officer"], f"{API}/village-plans/{plan.uid}/lines/")
    assert [row["activity"] for row in rows] == ["Đường", "Trường"]
    road = rows[0]
    line = ProposalLine.objects.get(plan=plan, number=1)
    assert road == {
        "uid": str(line.uid),
        "number": 1,
        "sector_code": "HT-GT",
        "activity": "Đường",
        "location": "Xóm Trên",
        "unit_of_measure_code": "km",
        "quantity": "1.200",
        "start_month": "2027-03-01",
        "end_month": "2027-06-01",
        "total_cost_mvnd": "600.000",
        "contribution_mvnd": "100.000",
        "contribution_cash_mvnd": "100.000",
        "contribution_labour_days": "0.0",
        "contribution_labour_mvnd": "0.000",
        "contribution_materials_mvnd": "0.000",
        "contribution_land_m2": "0.0",
        "external_support_mvnd": "500.000",
        "proposed_source_code": "NTP26",
        "beneficiary_households": 80,
        "beneficiary_poor": 12,
        "beneficiary_em": 0,
        "implementation_mode": "community",
        "priority": 1,
        "notes": "",
        "outcome": "pending",
        "origin_uid": None,
        "version": 3,
        "created_at": road["created_at"],
        "updated_at": road["updated_at"],
    }


# --- commune plans ----------------------------------------------------------------------------


def test_commune_plans_by_role_and_filters(world: dict[str, Any]) -> None:
    mine = str(world["commune_plan"].uid)
    ward = str(CommunePlan.objects.get(round=world["ward_plan"].round).uid)
    assert uids(world["planner"], f"{API}/commune-plans/") == {mine}
    assert uids(world["officer"], f"{API}/commune-plans/") == {mine, ward}
    assert uids(world["officer"], f"{API}/commune-plans/?unit=18880") == {ward}
    assert uids(world["officer"], f"{API}/commune-plans/?status=draft&year=2027") == {mine, ward}
    assert uids(world["officer"], f"{API}/commune-plans/?status=published") == set()
    assert uids(world["stranger"], f"{API}/commune-plans/") == {str(world["far_commune_plan"].uid)}


def test_a_commune_plan_and_another_units_404(world: dict[str, Any]) -> None:
    plan = world["commune_plan"]
    body = get(world["planner"], f"{API}/commune-plans/{plan.uid}/").json()
    assert body["commune_code"] == "19702"
    assert body["status"] == "draft"
    assert body["version_number"] == 1
    far = world["far_commune_plan"].uid
    for tail in ("", "lines/"):
        assert_problem(get(world["planner"], f"{API}/commune-plans/{far}/{tail}"), 404, "not_found")
        assert_problem(
            get(world["stranger"], f"{API}/commune-plans/{plan.uid}/{tail}"), 404, "not_found"
        )


def test_commune_lines_with_decision_funding_sources_and_rank(world: dict[str, Any]) -> None:
    plan, road, pot = world["commune_plan"], world["road"], world["pot"]
    rows = {
        row["activity"]: row
        for row in results(world["officer"], f"{API}/commune-plans/{plan.uid}/lines/")
    }
    assert set(rows) == {"Đường", "Trường"}
    got = rows["Đường"]
    village_line = ProposalLine.objects.get(plan=world["submitted"], number=1)
    assert got["uid"] == str(road.uid)
    assert got["state"] == "active"
    assert got["decision"] == "funded"
    assert got["sector_code"] == "HT-GT"
    assert got["external_support_mvnd"] == "500.000"
    assert got["sources"] == [
        {
            "village_line_uid": str(village_line.uid),
            "village_plan_uid": str(world["submitted"].uid),
            "village_code": world["villages"][0].code,
            "share": "1.000000",
            "withdrawn": False,
        }
    ]
    assert got["funding"] == [
        {
            "envelope_line_uid": str(pot.uid),
            "envelope_line_number": 1,
            "source_code": "NTP26",
            "amount_mvnd": "500.000",
        }
    ]
    assert rows["Trường"]["funding"] == []
    ranks = sorted(row["ranking"]["rank"] for row in rows.values())
    assert ranks == [1, 2]
    assert set(got["ranking"]) == {"score", "computed_rank", "rank"}
    removed = results(world["officer"], f"{API}/commune-plans/{plan.uid}/lines/?state=removed")
    assert removed == []


# --- query counts -------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def assert_same_queries(
    user: Any, url: str, total: int, bound: int, django_assert_num_queries: Any
) -> None:
    """A page of 10 and a page of 100 (holding all ``total`` rows) take the same number of
    queries, at most ``bound``."""
    assert 10 < total <= 100
    client = client_of(user)
    client.get(url)  # warm what a first read stores (the plan's ranks)
    joiner = "&" if "?" in url else "?"
    small, small_page = _queries(client, f"{url}{joiner}page_size=10")
    assert len(small_page["results"]) == 10
    assert small <= bound, small
    with django_assert_num_queries(small):
        large_page = client.get(f"{url}{joiner}page_size=100").json()
    assert len(large_page["results"]) == total


def test_query_count_units(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    commune = world["commune"]
    extra = [VillageFactory.create(parent=commune, name=f"Thôn Mới {n}") for n in range(12)]
    for before, after in itertools.pairwise(extra):
        UnitSuccession.objects.create(
            predecessor=before,
            successor=after,
            kind=SuccessionKind.RENAMED,
            effective_date=datetime.date(2026, 1, 1),
        )
    total = AdministrativeUnit.objects.filter(path__startswith=commune.path).count()
    assert_same_queries(world["planner"], f"{API}/units/", total, 6, django_assert_num_queries)


def test_query_count_catalogue(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    for n in range(12):
        sector = SectorFactory.create()
        source = FundingSourceFactory.create(parent=sf.ntp() if n % 2 else None)
        unit = UnitOfMeasureFactory.create()
        for kind, field, target in (
            (AliasKind.SECTOR, "sector", sector),
            (AliasKind.SOURCE, "source", source),
            (AliasKind.UNIT, "unit", unit),
        ):
            Alias.objects.create(kind=kind, text=f"khác {n}", key=f"khac {n}", **{field: target})
    for path, model in (
        ("sectors", Sector),
        ("sources", FundingSource),
        ("units", UnitOfMeasure),
    ):
        assert_same_queries(
            world["stranger"],
            f"{API}/catalog/{path}/",
            model.objects.count(),
            4,
            django_assert_num_queries,
        )


def test_query_count_village_plans(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    for n in range(12):
        pf.village_plan(VillageFactory.create(parent=world["commune"], name=f"Thôn Số {n}"))
    total = VillagePlan.objects.filter(round__commune=world["commune"]).count()
    assert_same_queries(
        world["planner"], f"{API}/village-plans/", total, 4, django_assert_num_queries
    )


def test_query_count_village_plan_lines(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    plan = world["submitted"]
    first = ProposalLine.objects.get(plan=plan, number=1)
    for _ in range(12):
        pf.line(plan, origin=first, proposed_source=pf.source() if _ % 2 else None)
    assert_same_queries(
        world["planner"],
        f"{API}/village-plans/{plan.uid}/lines/",
        plan.lines.count(),
        6,
        django_assert_num_queries,
    )


def test_query_count_commune_plans(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    for n in range(12):
        commune = CommuneFactory.create(parent=world["province"], name=f"Xã Số {n}")
        sf.commune_plan_for(pf.round_for(commune))
    total = CommunePlan.objects.filter(round__commune__parent=world["province"]).count()
    assert_same_queries(
        world["officer"], f"{API}/commune-plans/", total, 4, django_assert_num_queries
    )


def test_query_count_commune_lines(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    commune, round_ = world["commune"], world["commune_plan"].round
    more = [
        sf.submitted_plan(
            VillageFactory.create(parent=commune, name=f"Thôn Thêm {n}"),
            [sf.money_line("100", "20", sector=sf.transport(), activity=f"Việc {n}")],
        )
        for n in range(12)
    ]
    assert len(more) == 12
    commune_plan_synthesise(actor=world["planner"], round_=round_)
    plan = world["commune_plan"]
    for line in plan.lines.all()[:6]:
        LineFunding.objects.get_or_create(
            line=line, envelope_line=world["pot"], defaults={"amount_mvnd": D("10")}
        )
    user = user_with_role(Role.COMMUNE_APPROVER, commune)
    assert_same_queries(
        user,
        f"{API}/commune-plans/{plan.uid}/lines/",
        plan.lines.count(),
        8,
        django_assert_num_queries,
    )


@pytest.mark.parametrize("path", ["/village-plans/", "/commune-plans/"])
def test_the_cursor_walks_every_plan_once_in_the_order_of_creation(
    world: dict[str, Any], path: str
) -> None:
    client = client_of(world["officer"])
    url: str | None = f"{API}{path}?page_size=1"
    walked: list[str] = []
    while url:
        body = client.get(url).json()
        walked += [row["uid"] for row in body["results"]]
        url = body["next"]
    assert len(walked) == len(set(walked)) == len(uids(world["officer"], f"{API}{path}")) >= 2
    created = [row["created_at"] for row in results(world["officer"], f"{API}{path}")]
    assert created == sorted(created)


def test_odd_but_valid_values_are_read_not_refused(world: dict[str, Any]) -> None:
    """A NUL in a search is dropped (no database takes it); a moment at the edge of the
    calendar is as early or as late as can be."""
    assert codes(world["planner"], f"{API}/units/?q=hai%00%20lang") == ["19702"]
    assert results(world["planner"], f"{API}/units/?updated_since=9999-12-31T23:59:59-23:59") == []
    early = f"{API}/village-plans/?updated_since=0001-01-01T00:00:00%2B23:59"
    assert len(results(world["planner"], early)) == 2
