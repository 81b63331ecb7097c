"""The five-year reads of the API (issue 18): periods, the villages' five-year plans (F7) with
what became of each year, the commune's five-year plan, and a village plan's PRA outputs (F2).

Every read starts from the user's selector: a commune planner of Hải Lăng sees Hải Lăng, a
village editor only its village's plans, a user of Đồng Hới or another province none of it (404
like a missing object, an empty list). Public codes and UUIDs only; filters are checked (400
with ``where.field``); a read-only token reads and is refused a write; nothing is written; the
detail and the lists take as many queries for many rows as for few.
"""

from __future__ import annotations

import datetime
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
from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.accounts.tokens import token_create
from kehoach.approvals.models import Version
from kehoach.catalog.defaults import PRA_TOOLS
from kehoach.catalog.models import PraTool
from kehoach.geo.tests.factories import ProvinceFactory, VillageFactory, dong_hoi, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import (
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
    MediumTermSource,
)
from kehoach.midterm.tests import drawing_factories as m
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PraOutput, PraPhoto, Problem, SwotEntry
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState

pytestmark = pytest.mark.django_db
API = "/api/v1"
D = Decimal


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


def _commune_line(
    plan: MediumTermCommunePlan, village_line: MediumTermLine, number: int, **values: Any
) -> MediumTermCommuneLine:
    line = MediumTermCommuneLine.objects.create(
        plan=plan,
        number=number,
        sector=village_line.sector,
        activity=village_line.activity,
        unit=village_line.unit,
        contribution_mvnd=village_line.contribution_mvnd,
        external_support_mvnd=village_line.external_support_mvnd,
        proposed_source=village_line.proposed_source,
        **values,
    )
    for item in village_line.years.all():
        MediumTermCommuneLineYear.objects.create(
            line=line, year=item.year, quantity=item.quantity, cost_mvnd=item.cost_mvnd
        )
    MediumTermSource.objects.create(line=line, village_line=village_line)
    return line


@pytest.fixture
def world() -> dict[str, Any]:
    """Hải Lăng's period 2026–2030 with two villages' five-year plans (Diên Sanh's first
    activity drawn into its 2027 plan and funded, its second with 2028 dropped), the commune's
    five-year plan with a line from each activity, a frame line and an approved version; Đồng
    Hới's period and plan; a PRA output of Diên Sanh's 2027 plan and one of Đồng Hới's."""
    commune, ward = hai_lang(), dong_hoi()
    dien_sanh = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    an_tho = VillageFactory.create(parent=commune, name="Thôn An Thơ")
    plan_a = m.medium_plan(dien_sanh)
    plan_b = m.medium_plan(an_tho, status=PlanStatus.DRAFT)
    a1 = m.activity(plan_a, {2027: ("0.6", "50"), 2028: ("0.4", "50")})
    a2 = m.activity(plan_a, {2027: ("1", "20"), 2028: ("1", "30")}, activity="Kênh mương")
    b1 = m.activity(plan_b, {2029: ("2", "100")})
    yearly = pf.village_plan(dien_sanh, year=2027)
    drawn = pf.line(yearly)
    MediumTermLineYear.objects.filter(line=a1, year=2027).update(drawn_line=drawn)
    m.work(drawn, Decision.FUNDED, status=CommunePlanStatus.APPROVED)
    MediumTermLineYear.objects.filter(line=a2, year=2028).update(
        status=YearStatus.DROPPED, dropped_reason="Đã có dự án tỉnh làm"
    )
    period = plan_a.round
    cplan = MediumTermCommunePlan.objects.get(round=period)
    line_1 = _commune_line(cplan, a1, 1, decision=Decision.FUNDED)
    _commune_line(cplan, a2, 2, decision=Decision.UNFUNDED, decision_reason="Vượt khung nguồn lực")
    frame = MediumTermFrameLine.objects.create(
        plan=cplan, source=pf.source(), year=2027, amount_mvnd=D("500")
    )
    planner = commune_planner(commune)
    Version.objects.create(
        plan_uid=cplan.uid,
        subject_label="midterm.mediumtermcommuneplan",
        number=1,
        resolution_number="12/NQ-HĐND",
        resolution_date=datetime.date(2025, 12, 20),
        signer="Lê Văn Sơn",
        approved_by=planner,
        data={},
    )

    ward_village = VillageFactory.create(parent=ward, name="Khu phố 1")
    ward_plan = m.medium_plan(ward_village)
    ward_line = m.activity(ward_plan)
    far = ProvinceFactory.create(code="46", name="Huế")

    tool = PraTool.objects.create(**PRA_TOOLS[1])
    swot = SwotEntry.objects.create(plan=yearly, sector=pf.sector(), strengths="Đất tốt")
    problem = Problem.objects.create(plan=yearly, sector=pf.sector(), problem="Đường lầy")
    output = PraOutput.objects.create(
        plan=yearly,
        tool=tool,
        held_on=datetime.date(2026, 7, 20),
        facilitators="Nguyễn Văn An",
        participants_women=18,
        participants_men=14,
        findings="Đường xóm Trên lầy lội mùa mưa",
    )
    output.supports_swot.set([swot])
    output.supports_problems.set([problem])
    photo = PraPhoto.objects.create(output=output, caption="Sơ đồ", image="pra/x.jpg")
    ward_yearly = pf.village_plan(ward_village, year=2027)
    ward_output = PraOutput.objects.create(
        plan=ward_yearly, tool=tool, held_on=datetime.date(2026, 7, 1), findings="Khác"
    )
    return {
        "period": period,
        "plan_a": plan_a,
        "plan_b": plan_b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "drawn": drawn,
        "cplan": cplan,
        "line_1": line_1,
        "frame": frame,
        "ward_period": ward_plan.round,
        "ward_plan": ward_plan,
        "ward_line": ward_line,
        "yearly": yearly,
        "ward_yearly": ward_yearly,
        "output": output,
        "ward_output": ward_output,
        "swot": swot,
        "problem": problem,
        "photo": photo,
        "planner": planner,
        "editor": user_with_role(Role.VILLAGE_EDITOR, dien_sanh),
        "ward_planner": commune_planner(ward, username="xa.donghoi"),
        "stranger": user_with_role(Role.PROVINCE_OFFICER, far),
    }


def client_of(user: Any, scope: str = ApiTokenScope.READ) -> APIClient:
    secret = token_create(user=user, name="Kiểm thử 5 năm", scope=scope, expires_at=None)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def results(client: APIClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def uids(rows: list[dict[str, Any]]) -> set[str]:
    return {row["uid"] for row in rows}


def missing_body(client: APIClient, path: str) -> bytes:
    response = client.get(f"{API}/{path}/{uuid.UUID(int=1)}/")
    assert response.status_code == 404
    return bytes(response.content)


# --- periods ----------------------------------------------------------------------------------


def test_a_planner_reads_its_periods_and_not_another_communes(world: dict[str, Any]) -> None:
    client = client_of(world["planner"])
    rows = results(client, f"{API}/five-year-periods/")
    assert uids(rows) == {str(world["period"].uid)}
    (row,) = rows
    assert row["commune_code"] == world["period"].commune.code
    assert (row["first_year"], row["last_year"]) == (2026, 2030)
    assert row["commune_plan_status"] == CommunePlanStatus.APPROVED
    one = client.get(f"{API}/five-year-periods/{world['period'].uid}/")
    assert one.status_code == 200 and one.json() == row
    other = client.get(f"{API}/five-year-periods/{world['ward_period'].uid}/")
    assert other.status_code == 404
    assert other.content == missing_body(client, "five-year-periods")


def test_periods_are_filtered_by_commune_and_a_foreign_commune_is_404(
    world: dict[str, Any],
) -> None:
    officer = user_with_role(Role.PROVINCE_OFFICER, world["period"].commune.parent)
    client = client_of(officer)
    assert len(results(client, f"{API}/five-year-periods/")) == 2
    rows = results(client, f"{API}/five-year-periods/?commune={world['ward_period'].commune.code}")
    assert uids(rows) == {str(world["ward_period"].uid)}
    planner = client_of(world["planner"])
    response = planner.get(f"{API}/five-year-periods/?commune={world['ward_period'].commune.code}")
    assert response.status_code == 404
    bad = planner.get(f"{API}/five-year-periods/?commune=xã hải lăng")
    assert bad.status_code == 400 and bad.json()["where"]["field"] == "commune"


def test_a_village_editor_and_a_stranger_see_no_period(world: dict[str, Any]) -> None:
    for user in (world["editor"], world["stranger"]):
        client = client_of(user)
        assert results(client, f"{API}/five-year-periods/") == []
        response = client.get(f"{API}/five-year-periods/{world['period'].uid}/")
        assert response.status_code == 404


# --- the villages' five-year plans ------------------------------------------------------------


def test_a_planner_lists_its_villages_plans_filtered(world: dict[str, Any]) -> None:
    client = client_of(world["planner"])
    both = {str(world["plan_a"].uid), str(world["plan_b"].uid)}
    assert uids(results(client, f"{API}/five-year-plans/")) == both
    period = world["period"].uid
    assert uids(results(client, f"{API}/five-year-plans/?period={period}")) == both
    other = world["ward_period"].uid
    assert results(client, f"{API}/five-year-plans/?period={other}") == []
    village = world["plan_b"].village.code
    assert uids(results(client, f"{API}/five-year-plans/?village={village}")) == {
        str(world["plan_b"].uid)
    }
    rows = results(client, f"{API}/five-year-plans/?status=submitted")
    assert uids(rows) == {str(world["plan_a"].uid)}
    (row,) = rows
    assert row["village_code"] == world["plan_a"].village.code
    assert row["period_uid"] == str(period)
    assert row["status"] == PlanStatus.SUBMITTED
    assert row["version"] == world["plan_a"].version


def test_bad_filters_of_the_plans_are_400_naming_the_parameter(world: dict[str, Any]) -> None:
    client = client_of(world["planner"])
    for query, field in (("period=2026", "period"), ("status=xong", "status")):
        response = client.get(f"{API}/five-year-plans/?{query}")
        assert response.status_code == 400, query
        body = response.json()
        assert body["where"]["field"] == field
        assert body["detail"]
    ward_village = world["ward_plan"].village.code
    assert client.get(f"{API}/five-year-plans/?village={ward_village}").status_code == 404


def test_a_village_editor_sees_its_villages_plan_only(world: dict[str, Any]) -> None:
    client = client_of(world["editor"])
    assert uids(results(client, f"{API}/five-year-plans/")) == {str(world["plan_a"].uid)}
    sibling = client.get(f"{API}/five-year-plans/{world['plan_b'].uid}/")
    assert sibling.status_code == 404
    assert sibling.content == missing_body(client, "five-year-plans")
    assert client.get(f"{API}/five-year-plans/{world['plan_a'].uid}/").status_code == 200


def test_another_communes_plan_is_404_like_a_missing_one(world: dict[str, Any]) -> None:
    for who in ("planner", "stranger"):
        client = client_of(world[who])
        response = client.get(f"{API}/five-year-plans/{world['ward_plan'].uid}/")
        assert response.status_code == 404
        assert response.content == missing_body(client, "five-year-plans")
    client = client_of(world["stranger"])
    assert results(client, f"{API}/five-year-plans/") == []


def test_a_plan_shows_its_activities_and_what_became_of_each_year(world: dict[str, Any]) -> None:
    plan = world["plan_a"]
    response = client_of(world["editor"]).get(f"{API}/five-year-plans/{plan.uid}/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{plan.version}"'
    body = response.json()
    assert body["uid"] == str(plan.uid)
    first, second = body["lines"]
    assert first["uid"] == str(world["a1"].uid)
    assert first["number"] == 1
    assert first["sector_code"] == "HT-GT"
    assert first["unit_of_measure_code"] == "km"
    assert first["proposed_source_code"] == "NTP26"
    assert first["external_support_mvnd"] == "70.000"
    assert first["years"] == [
        {
            "year": 2027,
            "quantity": "0.600",
            "cost_mvnd": "50.000",
            "status": "in_plan",
            "dropped_reason": "",
            "drawn_line_uid": str(world["drawn"].uid),
        },
        {
            "year": 2028,
            "quantity": "0.400",
            "cost_mvnd": "50.000",
            "status": "planned",
            "dropped_reason": "",
            "drawn_line_uid": None,
        },
    ]
    assert [(y["year"], y["status"], y["dropped_reason"]) for y in second["years"]] == [
        (2027, "planned", ""),
        (2028, "dropped", "Đã có dự án tỉnh làm"),
    ]
    assert "id" not in body and "id" not in first  # public UUIDs, never keys


def test_a_deleted_activity_is_not_shown(world: dict[str, Any]) -> None:
    MediumTermLine.objects.filter(pk=world["a2"].pk).update(deleted_at=timezone.now())
    body = client_of(world["planner"]).get(f"{API}/five-year-plans/{world['plan_a'].uid}/").json()
    assert [line["uid"] for line in body["lines"]] == [str(world["a1"].uid)]


# --- the commune's five-year plan -------------------------------------------------------------


def test_the_commune_plan_shows_lines_sources_frame_and_versions(world: dict[str, Any]) -> None:
    cplan = world["cplan"]
    response = client_of(world["planner"]).get(
        f"{API}/five-year-commune-plans/{world['period'].uid}/"
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"{cplan.version}"'
    body = response.json()
    assert body["uid"] == str(cplan.uid)
    assert body["period_uid"] == str(world["period"].uid)
    assert body["status"] == CommunePlanStatus.APPROVED
    first, second = body["lines"]
    assert first["uid"] == str(world["line_1"].uid)
    assert first["state"] == LineState.ACTIVE
    assert first["decision"] == Decision.FUNDED
    assert [y["year"] for y in first["years"]] == [2027, 2028]
    assert first["sources"] == [
        {
            "village_line_uid": str(world["a1"].uid),
            "village_plan_uid": str(world["plan_a"].uid),
            "village_code": world["plan_a"].village.code,
            "share": "1.000000",
            "withdrawn": False,
        }
    ]
    assert second["decision"] == Decision.UNFUNDED
    assert second["decision_reason"] == "Vượt khung nguồn lực"
    assert body["frame"] == [
        {
            "uid": str(world["frame"].uid),
            "source_code": "NTP26",
            "sector_code": None,
            "year": 2027,
            "amount_mvnd": "500.000",
            "notes": "",
            "version": 1,
        }
    ]
    (version,) = body["approved_versions"]
    assert version["number"] == 1 and version["resolution_number"] == "12/NQ-HĐND"


def test_the_commune_plan_of_another_commune_or_of_a_village_editor_is_404(
    world: dict[str, Any],
) -> None:
    for who, period in (
        ("planner", "ward_period"),
        ("editor", "period"),
        ("stranger", "period"),
        ("ward_planner", "period"),
    ):
        client = client_of(world[who])
        response = client.get(f"{API}/five-year-commune-plans/{world[period].uid}/")
        assert response.status_code == 404, who
        assert response.content == missing_body(client, "five-year-commune-plans")
    ward = client_of(world["ward_planner"])
    assert ward.get(f"{API}/five-year-commune-plans/{world['ward_period'].uid}/").status_code == 200


def test_a_commune_plan_not_started_is_404_saying_so_and_is_not_created(
    world: dict[str, Any],
) -> None:
    period = MediumTermRound.objects.create(
        commune=world["period"].commune, first_year=2031, last_year=2035, profile=pf.profile()
    )
    client = client_of(world["planner"], ApiTokenScope.READ_WRITE)
    response = client.get(f"{API}/five-year-commune-plans/{period.uid}/")
    assert response.status_code == 404
    assert "2031" in response.json()["detail"]
    assert response.content != missing_body(client, "five-year-commune-plans")
    assert not MediumTermCommunePlan.objects.filter(round=period).exists()


# --- PRA outputs ------------------------------------------------------------------------------


def test_a_village_plans_pra_outputs(world: dict[str, Any]) -> None:
    for who in ("planner", "editor"):
        rows = results(client_of(world[who]), f"{API}/village-plans/{world['yearly'].uid}/pra/")
        (row,) = rows
        assert row["uid"] == str(world["output"].uid)
        assert row["tool_code"] == "PRA-02"
        assert row["tool_name"] == "Sơ đồ tài nguyên"
        assert row["held_on"] == "2026-07-20"
        assert row["facilitators"] == "Nguyễn Văn An"
        assert (row["participants_women"], row["participants_men"]) == (18, 14)
        assert row["findings"] == "Đường xóm Trên lầy lội mùa mưa"
        assert row["supports_swot_sector_codes"] == [world["swot"].sector.code]
        assert row["supports_problem_uids"] == [str(world["problem"].uid)]
        assert row["photo_uids"] == [str(world["photo"].uid)]


def test_another_units_pra_outputs_are_404(world: dict[str, Any]) -> None:
    sibling_plan = pf.village_plan(world["plan_b"].village, year=2027)
    cases = (
        ("planner", world["ward_yearly"]),
        ("stranger", world["yearly"]),
        ("editor", sibling_plan),
    )
    for who, plan in cases:
        client = client_of(world[who])
        response = client.get(f"{API}/village-plans/{plan.uid}/pra/")
        assert response.status_code == 404, who
        missing = client.get(f"{API}/village-plans/{uuid.UUID(int=1)}/pra/")
        assert response.content == missing.content


# --- tokens, writes -------------------------------------------------------------------------


READS = (
    "five-year-periods/",
    "five-year-periods/{period}/",
    "five-year-plans/",
    "five-year-plans/{plan}/",
    "five-year-commune-plans/{period}/",
    "village-plans/{yearly}/pra/",
)


def _urls(world: dict[str, Any]) -> list[str]:
    values = {
        "period": world["period"].uid,
        "plan": world["plan_a"].uid,
        "yearly": world["yearly"].uid,
    }
    return [f"{API}/{path.format(**values)}" for path in READS]


def test_a_read_only_token_reads_and_is_refused_any_write(world: dict[str, Any]) -> None:
    reader = client_of(world["planner"])
    writer = client_of(world["planner"], ApiTokenScope.READ_WRITE)
    before = (MediumTermPlan.objects.count(), MediumTermLine.objects.count())
    for url in _urls(world):
        assert reader.get(url).status_code == 200, url
        refused = reader.post(url, {}, format="json")
        assert refused.status_code == 403, url
        assert refused.json()["code"] == "token_read_only"
        for method in ("post", "put", "patch", "delete"):
            response = getattr(writer, method)(url, {}, format="json", HTTP_IF_MATCH='"1"')
            assert response.status_code == 405, (method, url)
    assert (MediumTermPlan.objects.count(), MediumTermLine.objects.count()) == before


def test_without_a_token_every_read_is_401(world: dict[str, Any]) -> None:
    for url in _urls(world):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Bearer")


# --- bounded queries --------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def _grow(world: dict[str, Any], n: int) -> None:
    """``n`` more activities of five years each in Diên Sanh's plan and as many commune lines,
    frame lines and PRA outputs; ``n`` more villages with five-year plans."""
    plan, cplan = world["plan_a"], world["cplan"]
    years = dict.fromkeys(range(2026, 2031), ("1", "10"))
    start = MediumTermLine.objects.filter(plan=plan).count()
    for k in range(n):
        line = m.activity(plan, years, activity=f"Việc {k}")
        _commune_line(cplan, line, 3 + start + k)
        MediumTermFrameLine.objects.create(
            plan=cplan,
            source=pf.source(f"NS{start + k}", f"Ngân sách {start + k}"),
            year=2026,
            amount_mvnd=D("10"),
        )
        village = VillageFactory.create(parent=plan.village.parent, name=f"Thôn Mới {start + k}")
        m.medium_plan(village)
        PraOutput.objects.create(
            plan=world["yearly"],
            tool=world["output"].tool,
            held_on=datetime.date(2026, 7, 1),
            findings=f"Kết quả {k}",
        ).supports_swot.set([world["swot"]])


def test_reads_take_as_many_queries_for_many_rows_as_for_few(world: dict[str, Any]) -> None:
    client = client_of(world["planner"])
    urls = [f"{url}?page_size=100" for url in _urls(world)]
    _grow(world, 2)
    client.get(f"{API}/me/")  # the token's first use written before anything is counted
    few = {url: _queries(client, url) for url in urls}
    _grow(world, 25)
    many = {url: _queries(client, url) for url in urls}
    assert many == few, (few, many)
    assert max(many.values()) <= 14
    body = client.get(f"{API}/five-year-plans/{world['plan_a'].uid}/").json()
    assert len(body["lines"]) == 29 and all(len(x["years"]) >= 2 for x in body["lines"])
    assert len(results(client, f"{API}/village-plans/{world['yearly'].uid}/pra/?page_size=100"))
