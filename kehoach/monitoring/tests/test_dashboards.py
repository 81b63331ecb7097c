"""Dashboards of implementation (issue 7, item 6): totals equal the sums of the latest reports,
computed here independently — overall, per commune, per sector and, for physical progress, per
source and programme (a work under each source or programme that funds it, once); a fixed
number of queries whatever the number of communes, works, sources and reports; delayed works;
who may see which dashboard; charts that are well-formed SVG, each followed by the table of its
numbers."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import user_with_role
from kehoach.catalog.models import FundingSource
from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import (
    CommuneFactory,
    ProvinceFactory,
    UnitFactory,
    dong_hoi,
    quang_tri,
)
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.models import CommuneLine, LineFunding
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from ..charts import Chart, Row, render_svg
from ..dashboards import Figures, ImplementationReport, SourceRow, years_followed
from ..models import ProgressReport
from ..selectors import is_delayed
from ..services.progress import progress_report_create
from .factories import RESOLUTION, ROAD, SCHOOL, followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 12, 2)
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


# --- building the data through the services ---------------------------------------------------


def _report(world: dict[str, Any], line: str, **overrides: Any) -> ProgressReport:
    source = world["ntp"] if line == "road" else world["budget"]
    disbursed = overrides.pop("disbursed", None)
    return progress_report_create(
        actor=world["planner"],
        line=world[line],
        data=report_data(**overrides),
        disbursed={source: D(disbursed)} if disbursed is not None else {},
    )


def _road_then_school(world: dict[str, Any], scale: int = 1) -> None:
    """Two reports of the road (only the second counts) and the school completed."""
    _report(
        world,
        "road",
        reported_on=datetime.date(2026, 11, 15),
        quantity_done=D("0.3"),
        disbursed=100,
        contribution_cash_mvnd=D(5),
        contribution_labour_mvnd=D(0),
    )
    _report(
        world,
        "road",
        reported_on=datetime.date(2026, 11, 30),
        quantity_done=D("0.75") + D("0.15") * scale,
        disbursed=200 + 20 * scale,
        contribution_cash_mvnd=D(20),
        contribution_labour_days=D(100),
        contribution_labour_mvnd=D(15),
        contribution_materials_mvnd=D(4),
    )
    _report(
        world,
        "school",
        status="completed",
        quantity_done=D(1),
        actual_finish=datetime.date(2026, 11, 28),
        disbursed=350,
        contribution_cash_mvnd=D(50),
        contribution_labour_days=D(0),
        contribution_labour_mvnd=D(0),
    )


@pytest.fixture
def world() -> dict[str, Any]:
    world = followed_plan()
    _road_then_school(world)
    return world


def _more_communes(world: dict[str, Any]) -> list[dict[str, Any]]:
    """Two more communes of Quảng Trị: one with reports, one whose works have none yet."""
    province = quang_tri()
    trieu_phong = followed_plan(
        CommuneFactory.create(code="19537", name="Xã Triệu Phong", parent=province)
    )
    _road_then_school(trieu_phong, scale=2)
    cam_lo = followed_plan(CommuneFactory.create(code="19495", name="Xã Cam Lộ", parent=province))
    return [trieu_phong, cam_lo]


def _several_sources(commune: AdministrativeUnit | None = None) -> dict[str, Any]:
    """A published plan of 2027 whose works have several sources, made through the services
    as ``followed_plan`` does. NTM and GNBV are components of the programme CTMTQG. The road
    (600: 100 contribution, 500 support) draws on two envelope lines of NTM (200 and 100), on
    GNBV (100) and on the commune budget (100); the school (400: 50 contribution, 350
    support) on GNBV (200) and the commune budget (150)."""
    commune = commune or CommuneFactory.create(code="19540", name="Xã Triệu Ái", parent=quang_tri())
    (village,) = sf.villages(commune, ["Thôn Ái Tử"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(
        village,
        [
            sf.money_line("600", "100", sector=road, activity=ROAD, quantity=D("1.5")),
            sf.money_line("400", "50", sector=school, activity=SCHOOL, quantity=D(1)),
        ],
    )
    round_ = sf.round_of(commune)
    planner, approver = sf.planner(commune), sf.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ctmtqg = sf.source("CTMTQG", "programme", name="Chương trình mục tiêu quốc gia")
    ntm = sf.source("NTM", name="Nông thôn mới", parent=ctmtqg)
    gnbv = sf.source("GNBV", name="Giảm nghèo bền vững", parent=ctmtqg)
    ntm_road = sf.envelope_line(round_, ntm, "200", sector_=road)
    ntm_any = sf.envelope_line(round_, ntm, "100")
    gnbv_any = sf.envelope_line(round_, gnbv, "300")
    budget = sf.envelope_line(round_, sf.commune_budget(), "250", origin="commune")
    lines = {x.activity: x for x in plan.lines.all()}
    money = {
        ROAD: {ntm_road: D(200), ntm_any: D(100), gnbv_any: D(100), budget: D(100)},
        SCHOOL: {gnbv_any: D(200), budget: D(150)},
    }
    for activity, funding in money.items():
        line_decide(
            actor=planner,
            line=lines[activity],
            decision=Decision.FUNDED,
            reason="Đủ điều kiện",
            funding=funding,
        )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()
    return {
        "commune": commune,
        "plan": plan,
        "planner": planner,
        "road": CommuneLine.objects.get(pk=lines[ROAD].pk),
        "school": CommuneLine.objects.get(pk=lines[SCHOOL].pk),
        "money": money,
    }


def _report_several(world: dict[str, Any]) -> None:
    """The road half done (a disbursement from each of its envelope lines), the school
    completed."""
    report = progress_report_create
    report(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={e: a / 2 for e, a in world["money"][ROAD].items()},
    )
    report(
        actor=world["planner"],
        line=world["school"],
        data=report_data(
            status="completed",
            quantity_done=D(1),
            actual_finish=datetime.date(2026, 11, 28),
            contribution_cash_mvnd=D(50),
            contribution_labour_days=D(0),
            contribution_labour_mvnd=D(0),
        ),
        disbursed=world["money"][SCHOOL],
    )


# --- the sums, computed independently -----------------------------------------------------------


def _expected(plan_ids: list[int]) -> dict[str, Any]:
    """The works of the plans with the newest report of each, added up in Python."""
    works = list(
        CommuneLine.objects.filter(
            plan_id__in=plan_ids, state=LineState.ACTIVE, decision=Decision.FUNDED
        ).select_related("plan__round")
    )
    newest: dict[int, ProgressReport] = {}
    for each in ProgressReport.objects.filter(line__in=works).prefetch_related(
        "disbursements__envelope_line__source"
    ):
        held = newest.get(each.line_id)
        if held is None or (each.reported_on, each.pk) > (held.reported_on, held.pk):
            newest[each.line_id] = each
    out: dict[str, Any] = {
        "works": len(works),
        "status": defaultdict(int),
        "percent": [],
        "approved": D(0),
        "disbursed": D(0),
        "approved_by_source": defaultdict(lambda: D(0)),
        "disbursed_by_source": defaultdict(lambda: D(0)),
        "promised": D(0),
        "given": D(0),
        "given_labour": D(0),
        "delayed": 0,
        "physical_by_source": defaultdict(_physical),
        "physical_by_programme": defaultdict(_physical),
    }
    for line in works:
        report = newest.get(line.pk)
        status = report.status if report else "not_started"
        out["status"][status] += 1
        done = report.quantity_done if report else D(0)
        share = min(done * 100 / line.quantity, D(100))
        out["percent"].append(share)
        delayed = is_delayed(line, report, TODAY)
        fundings = list(
            LineFunding.objects.filter(line=line).select_related("envelope_line__source__parent")
        )
        for funding in fundings:
            out["approved"] += funding.amount_mvnd
            out["approved_by_source"][funding.envelope_line.source.code] += funding.amount_mvnd
        # Each source (programme) that funds the work counts it once.
        sources = {f.envelope_line.source for f in fundings}
        for key, groups in (
            ("physical_by_source", {s.code for s in sources}),
            ("physical_by_programme", {(s.parent or s).code for s in sources}),
        ):
            for code in groups:
                group = out[key][code]
                group["works"] += 1
                group["status"][status] += 1
                group["percent"].append(share)
                group["delayed"] += delayed
        if report:
            for d in report.disbursements.all():
                out["disbursed"] += d.amount_mvnd
                out["disbursed_by_source"][d.envelope_line.source.code] += d.amount_mvnd
            out["given"] += report.contribution_mvnd
            out["given_labour"] += report.contribution_labour_mvnd
        out["promised"] += line.contribution_mvnd
        out["delayed"] += delayed
    return out


def _physical() -> dict[str, Any]:
    return {"works": 0, "status": defaultdict(int), "percent": [], "delayed": 0}


def _average(shares: list[Decimal]) -> Decimal:
    return (sum(shares, D(0)) / len(shares)).quantize(D("0.1"))


def _assert_equal(figures: Figures, expected: dict[str, Any]) -> None:
    assert figures.works == expected["works"]
    assert dict(figures.by_status) == dict(expected["status"])
    assert figures.average_percent == _average(expected["percent"])
    assert figures.approved == expected["approved"]
    assert figures.disbursed == expected["disbursed"]
    assert figures.promised.total == expected["promised"]
    assert figures.given.total == expected["given"]
    assert figures.given.labour == expected["given_labour"]
    assert figures.delayed == expected["delayed"]


def _assert_physical(rows: list[SourceRow], expected: dict[str, dict[str, Any]]) -> None:
    """The physical progress of each source (programme) row equals the expected one."""
    got = {
        r.source.code: (r.physical.works, dict(r.physical.by_status), r.physical.average_percent,
                        r.physical.delayed)
        for r in rows
    }  # fmt: skip
    assert got == {
        code: (e["works"], dict(e["status"]), _average(e["percent"]), e["delayed"])
        for code, e in expected.items()
    }


def test_commune_totals_equal_the_sums_of_the_latest_reports(world: dict[str, Any]) -> None:
    dashboard = ImplementationReport.for_plan(world["plan"], today=TODAY)
    expected = _expected([world["plan"].pk])
    _assert_equal(dashboard.total, expected)
    # Worked out by hand too: the road's second report, not its first, and the school.
    assert dashboard.total.disbursed == D(220) + D(350)
    assert dashboard.total.approved == D(850)
    assert dict(dashboard.total.by_status) == {"ongoing": 1, "completed": 1}
    assert dashboard.total.average_percent == D("80.0")  # (0,9 / 1,5 = 60% + 100%) / 2
    assert dashboard.total.given.total == D(39) + D(50)
    assert dashboard.total.promised.total == D(150)
    by_source = {r.source.code: (r.approved, r.disbursed) for r in dashboard.sources}
    assert by_source == {"NTP26": (D(500), D(220)), "NS-X": (D(350), D(350))}
    by_sector = {s.code: (f.works, f.approved, f.disbursed) for s, f in dashboard.sectors}
    assert by_sector == {"HT-GT": (1, D(500), D(220)), "GD": (1, D(350), D(350))}
    _assert_physical(dashboard.sources, expected["physical_by_source"])
    _assert_physical(dashboard.programmes, expected["physical_by_programme"])
    physical = {r.source.code: (r.physical.works, r.physical.average_percent)
                for r in dashboard.sources}  # fmt: skip
    assert physical == {"NTP26": (1, D("60.0")), "NS-X": (1, D("100.0"))}


def test_province_totals_and_rows_equal_the_sums_of_the_latest_reports(
    world: dict[str, Any],
) -> None:
    others = _more_communes(world)
    # An approved plan not yet published is not followed: its works are left out.
    followed_plan(
        CommuneFactory.create(code="19513", name="Xã Gio Linh", parent=quang_tri()), publish=False
    )
    worlds = [world, *others]
    dashboard = ImplementationReport.for_unit(quang_tri(), 2027, today=TODAY)
    expected = _expected([w["plan"].pk for w in worlds])
    _assert_equal(dashboard.total, expected)
    assert expected["works"] == 6
    assert dict(expected["status"]) == {"ongoing": 2, "completed": 2, "not_started": 2}
    assert {r.source.code: r.approved for r in dashboard.sources} == expected["approved_by_source"]
    assert {r.source.code: r.disbursed for r in dashboard.sources} == expected[
        "disbursed_by_source"
    ]
    _assert_physical(dashboard.sources, expected["physical_by_source"])
    _assert_physical(dashboard.programmes, expected["physical_by_programme"])
    rows = {row.commune.name: row for row in dashboard.communes}
    assert list(rows) == ["Xã Cam Lộ", "Xã Hải Lăng", "Xã Triệu Phong"]
    for w in worlds:
        row = rows[w["commune"].name]
        assert row.plan_uid == w["plan"].uid
        _assert_equal(row.figures, _expected([w["plan"].pk]))
    assert rows["Xã Cam Lộ"].figures.completed_pct == D(0)
    assert rows["Xã Hải Lăng"].figures.completed_pct == D(50)
    sector_works = sum(f.works for _s, f in dashboard.sectors)
    assert sector_works == dashboard.total.works


def test_a_programme_adds_up_its_components(client: Client, world: dict[str, Any]) -> None:
    url = f"/cdp/{world['plan'].uid}/dashboard/"
    client.force_login(world["planner"])
    assert 'id="chart-programme"' not in client.get(url).content.decode()  # the sources
    programme = sf.source("CTMTQG", name="Chương trình mục tiêu quốc gia", valid_from_year=2021)
    FundingSource.objects.filter(code="NTP26").update(parent=programme)
    page = client.get(url).content.decode()
    table = page.split('id="chart-programme-table"')[1].split("</table>")[0]
    assert "CTMTQG — Chương trình mục tiêu quốc gia" in table and "NS-X — Ngân sách xã" in table
    assert (
        "CTMTQG — Chương trình mục tiêu quốc gia"
        in page.split('id="chart-programme-progress-table"')[1].split("</table>")[0]
    )
    assert _charts_are_well_formed_and_tabled(page) == 8
    dashboard = ImplementationReport.for_plan(world["plan"], today=TODAY)
    programmes = {r.source.code: (r.approved, r.disbursed) for r in dashboard.programmes}
    assert programmes == {"CTMTQG": (D(500), D(220)), "NS-X": (D(350), D(350))}
    assert {r.source.code for r in dashboard.sources} == {"NTP26", "NS-X"}
    expected = _expected([world["plan"].pk])
    _assert_physical(dashboard.programmes, expected["physical_by_programme"])
    assert set(expected["physical_by_programme"]) == {"CTMTQG", "NS-X"}


def test_physical_progress_counts_a_work_once_under_each_of_its_sources_and_programmes(
    world: dict[str, Any],
) -> None:
    several = _several_sources()
    _report_several(several)
    _planned_back(several["road"], datetime.date(2026, 11, 1))  # ongoing: delayed
    dashboard = ImplementationReport.for_plan(several["plan"], today=TODAY)
    expected = _expected([several["plan"].pk])
    _assert_equal(dashboard.total, expected)
    _assert_physical(dashboard.sources, expected["physical_by_source"])
    _assert_physical(dashboard.programmes, expected["physical_by_programme"])
    # By hand: the road (50%, delayed) under NTM once though two of its envelope lines fund
    # it, under GNBV and NS-X with the school (100%); under CTMTQG once though two of its
    # components fund it. Money is unchanged: each funding row counts.
    by_source = {
        r.source.code: (r.physical.works, dict(r.physical.by_status), r.physical.average_percent,
                        r.physical.delayed, r.approved)
        for r in dashboard.sources
    }  # fmt: skip
    assert by_source == {
        "GNBV": (2, {"ongoing": 1, "completed": 1}, D("75.0"), 1, D(300)),
        "NTM": (1, {"ongoing": 1}, D("50.0"), 1, D(300)),
        "NS-X": (2, {"ongoing": 1, "completed": 1}, D("75.0"), 1, D(250)),
    }
    by_programme = {
        r.source.code: (r.physical.works, r.physical.average_percent, r.approved)
        for r in dashboard.programmes
    }
    assert by_programme == {"CTMTQG": (2, D("75.0"), D(600)), "NS-X": (2, D("75.0"), D(250))}
    # The province adds the communes up: NS-X funds the school of each commune.
    _planned_back(world["road"], datetime.date(2026, 10, 1))
    province = ImplementationReport.for_unit(quang_tri(), 2027, today=TODAY)
    both = _expected([world["plan"].pk, several["plan"].pk])
    _assert_equal(province.total, both)
    _assert_physical(province.sources, both["physical_by_source"])
    _assert_physical(province.programmes, both["physical_by_programme"])
    ns_x = next(r.physical for r in province.sources if r.source.code == "NS-X")
    assert (ns_x.works, ns_x.average_percent, ns_x.delayed) == (3, D("83.3"), 1)


def test_the_source_and_programme_progress_tables_say_how_works_are_counted(
    client: Client,
) -> None:
    several = _several_sources()
    _report_several(several)
    client.force_login(several["planner"])
    page = client.get(f"/cdp/{several['plan'].uid}/dashboard/").content.decode()
    assert _charts_are_well_formed_and_tabled(page) == 8
    for chart, counting, note in (
        (
            "chart-source-progress",
            "each work under every source that funds it",
            "A work funded by several sources counts under each of them, whatever its share of "
            "the money, so the rows can add up to more than all the works; a work without "
            "approved support (all from the community) is under no source.",
        ),
        (
            "chart-programme-progress",
            "each work under every programme that funds it",
            "A work funded by several programmes counts under each of them, whatever its share "
            "of the money, and once under a programme that funds it through several "
            "components, so the rows can add up to more than all the works; a work without "
            "approved support (all from the community) is under no programme.",
        ),
    ):
        figure = page.split(f'<figure class="chart" id="{chart}">')[1].split("</figure>")[0]
        caption = figure.split("<caption")[1].split("</caption>")[0]
        assert escape(gettext(counting)) in caption
        assert escape(gettext(note)) in figure.split("</table>")[1]
    table = page.split('id="chart-source-progress-table"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', table, re.S))
    cells = {label: re.findall(r'<td class="num">(.*?)</td>', row) for label, row in rows.items()}
    # Average done, works, the five statuses, delayed.
    assert cells["NTM — Nông thôn mới"] == ["50,0%", "1", "0", "1", "0", "0", "0", "0"]
    assert cells["GNBV — Giảm nghèo bền vững"] == ["75,0%", "2", "0", "1", "1", "0", "0", "0"]
    assert cells[gettext("All works")] == ["75,0%", "2", "0", "1", "1", "0", "0", "0"]


def test_a_work_done_beyond_its_approved_quantity_counts_as_100_percent() -> None:
    world = followed_plan()
    _report(
        world,
        "road",
        quantity_done=D(2),
        disbursed=480,
        excess_reason="Kéo dài thêm 500 m theo nghị quyết bổ sung của HĐND xã",
    )
    dashboard = ImplementationReport.for_plan(world["plan"], today=TODAY)
    assert dashboard.total.average_percent == D(50)  # (100% + 0%) / 2, not (133,3% + 0%) / 2
    _assert_equal(dashboard.total, _expected([world["plan"].pk]))


def test_a_former_district_has_its_own_dashboard_grouped_under_its_province(
    client: Client, world: dict[str, Any]
) -> None:
    district = UnitFactory.create(
        code="H464", name="Huyện Triệu Phong", kind=Kind.DISTRICT, level=Level.DISTRICT,
        parent=quang_tri(), source=Source.LEGACY,
    )  # fmt: skip
    inside = followed_plan(CommuneFactory.create(code="19540", name="Xã Triệu Ái", parent=district))
    _road_then_school(inside, scale=2)
    by_district = ImplementationReport.for_unit(district, 2027, today=TODAY)
    assert [r.commune.name for r in by_district.communes] == ["Xã Triệu Ái"]
    _assert_equal(by_district.total, _expected([inside["plan"].pk]))
    province = ImplementationReport.for_unit(quang_tri(), 2027, today=TODAY)
    assert [(g.name if g else None, [r.commune.name for r in rows])
            for g, rows in province.grouped_communes] == [
        (None, ["Xã Hải Lăng"]), ("Huyện Triệu Phong", ["Xã Triệu Ái"])
    ]  # fmt: skip
    client.force_login(user_with_role(Role.DISTRICT_OFFICER, district))
    page = client.get("/units/H464/implementation/2027/")
    assert page.status_code == 200 and "Xã Triệu Ái" in page.content.decode()
    assert "Xã Hải Lăng" not in page.content.decode()
    assert client.get("/units/44/implementation/2027/").status_code == 404


def test_a_contribution_not_split_counts_as_cash(world: dict[str, Any]) -> None:
    CommuneLine.objects.filter(pk=world["school"].pk).update(contribution_cash_mvnd=D(0))
    promised = ImplementationReport.for_plan(world["plan"], today=TODAY).total.promised
    assert (promised.cash, promised.labour, promised.materials) == (D(150), D(0), D(0))


def test_a_work_without_a_report_is_not_started_with_nothing_done() -> None:
    world = followed_plan()
    dashboard = ImplementationReport.for_plan(world["plan"], today=TODAY)
    assert dict(dashboard.total.by_status) == {"not_started": 2}
    assert dashboard.total.average_percent == D(0)
    assert dashboard.total.disbursed == D(0) and dashboard.total.given.total == D(0)
    assert dashboard.total.approved == D(850)


# --- query counts ----------------------------------------------------------------------------


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def test_the_queries_do_not_grow_with_communes_works_or_reports(world: dict[str, Any]) -> None:
    province = quang_tri()
    ImplementationReport.for_plan(world["plan"], today=TODAY)  # the plan's round and commune
    few = _queries(lambda: ImplementationReport.for_unit(province, 2027, today=TODAY))
    few_plan = _queries(lambda: ImplementationReport.for_plan(world["plan"], today=TODAY))
    _more_communes(world)
    _report_several(_several_sources())  # works with several sources and programmes
    _report(world, "road", reported_on=TODAY, quantity_done=D(1), disbursed=300)
    many = _queries(lambda: ImplementationReport.for_unit(province, 2027, today=TODAY))
    many_plan = _queries(lambda: ImplementationReport.for_plan(world["plan"], today=TODAY))
    assert ProgressReport.objects.count() == 9
    assert (many, many_plan) == (few, few_plan)
    assert few <= 8


def test_the_dashboard_pages_queries_do_not_grow(client: Client, world: dict[str, Any]) -> None:
    officer = sf.province_officer(quang_tri())
    commune_url = f"/cdp/{world['plan'].uid}/dashboard/"
    province_url = "/units/44/implementation/2027/"
    client.force_login(world["planner"])
    client.get(commune_url)
    few_commune = _queries(lambda: client.get(commune_url))
    client.force_login(officer)
    client.get(province_url)
    few_province = _queries(lambda: client.get(province_url))
    _more_communes(world)
    _report_several(_several_sources())
    _report(world, "road", reported_on=TODAY, quantity_done=D(1), disbursed=300)
    client.force_login(world["planner"])
    client.get(commune_url)
    assert _queries(lambda: client.get(commune_url)) == few_commune
    client.force_login(officer)
    client.get(province_url)
    assert _queries(lambda: client.get(province_url)) == few_province


# --- delayed works ---------------------------------------------------------------------------


def _planned_back(line: CommuneLine, end: datetime.date) -> None:
    """Works of a 2027 plan cannot have a planned end in the past through the services (their
    months are within the plan year, and a test may not report in the future), so the planned
    months are moved back here directly, as if the year had gone by."""
    CommuneLine.objects.filter(pk=line.pk).update(start_month=end.replace(month=1), end_month=end)


@pytest.mark.parametrize(
    ("status", "delayed"),
    [
        (None, True),
        ("not_started", True),
        ("ongoing", True),
        ("suspended", True),
        ("completed", False),
        ("cancelled", False),
    ],
)
def test_a_work_past_its_planned_end_is_delayed_unless_completed_or_cancelled(
    status: str | None, delayed: bool
) -> None:
    world = followed_plan()
    _planned_back(world["road"], datetime.date(2026, 11, 1))
    if status is not None:
        overrides: dict[str, Any] = {"status": status}
        if status == "not_started":
            overrides.update(quantity_done=D(0), actual_start=None)
        if status == "completed":
            overrides.update(quantity_done=D("1.5"), actual_finish=datetime.date(2026, 11, 20))
        if status in ("suspended", "cancelled"):
            overrides["status_reason"] = "Mưa lũ kéo dài, nhà thầu tạm dừng thi công"
        _report(world, "road", **overrides)
    dashboard = ImplementationReport.for_plan(world["plan"], today=TODAY)
    assert dashboard.total.delayed == int(delayed)
    assert [w.activity for w in dashboard.delayed] == (["Bê tông hóa đường xóm Trên"] * delayed)
    if delayed:
        work = dashboard.delayed[0]
        assert work.planned_end == datetime.date(2026, 11, 30)
        assert work.status == (status or "not_started")


def test_a_work_ending_this_month_is_not_delayed_yet() -> None:
    world = followed_plan()
    _planned_back(world["road"], datetime.date(2026, 12, 1))
    assert ImplementationReport.for_plan(world["plan"], today=TODAY).total.delayed == 0
    assert ImplementationReport.for_plan(
        world["plan"], today=datetime.date(2027, 1, 1)
    ).total.delayed == (1)


def test_the_province_dashboard_lists_the_delayed_works_with_their_commune(
    client: Client, world: dict[str, Any]
) -> None:
    trieu_phong, _cam_lo = _more_communes(world)
    _planned_back(world["road"], datetime.date(2026, 10, 1))
    _planned_back(trieu_phong["school"], datetime.date(2026, 9, 1))  # completed: not delayed
    _planned_back(trieu_phong["road"], datetime.date(2026, 9, 1))
    client.force_login(sf.province_officer(quang_tri()))
    page = client.get("/units/44/implementation/2027/").content.decode()
    table = page.split('id="delayed-works"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 2
    assert "Xã Triệu Phong" in rows[0] and "30/09/2026" in rows[0]
    assert "Xã Hải Lăng" in rows[1] and "31/10/2026" in rows[1] and "60,0%" in rows[1]
    assert f"/cdp/{world['plan'].uid}/works/{world['road'].uid}/" in rows[1]
    assert re.search(r'id="sum-delayed">2<', page)


# --- who sees which dashboard ----------------------------------------------------------------


def test_a_commune_planner_of_another_commune_gets_404(
    client: Client, world: dict[str, Any]
) -> None:
    url = f"/cdp/{world['plan'].uid}/dashboard/"
    client.force_login(sf.planner(dong_hoi()))
    assert client.get(url).status_code == 404
    client.force_login(world["planner"])
    assert client.get(url).status_code == 200
    client.force_login(world["approver"])
    assert client.get(url).status_code == 200


def test_a_province_officer_of_another_province_gets_404(
    client: Client, world: dict[str, Any]
) -> None:
    other = ProvinceFactory.create(name="Tỉnh Quảng Bình")
    client.force_login(sf.province_officer(other))
    assert client.get("/units/44/implementation/2027/").status_code == 404
    assert client.get(f"/cdp/{world['plan'].uid}/dashboard/").status_code == 404
    assert client.get(f"/units/{other.code}/implementation/2027/").status_code == 200
    client.force_login(sf.province_officer(quang_tri()))
    assert client.get("/units/44/implementation/2027/").status_code == 200
    assert client.get(f"/cdp/{world['plan'].uid}/dashboard/").status_code == 200
    assert client.get("/units/19702/implementation/2027/").status_code == 404


def test_only_those_who_see_roll_ups_see_the_province_dashboard(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    assert client.get("/units/44/implementation/2027/").status_code == 404
    assert "/units/44/implementation/" not in client.get("/units/44/").content.decode()
    client.force_login(user_with_role(Role.DONOR_VIEWER, quang_tri()))
    assert client.get("/units/44/implementation/2027/").status_code == 200
    province_page = client.get("/units/44/").content.decode()
    assert "/units/44/implementation/2027/" in province_page


def test_the_commune_page_links_to_the_followed_plans_dashboards(
    client: Client, world: dict[str, Any]
) -> None:
    unpublished = followed_plan(
        CommuneFactory.create(code="19513", name="Xã Gio Linh", parent=quang_tri()), publish=False
    )
    client.force_login(world["planner"])
    page = client.get("/units/19702/").content.decode()
    assert f"/cdp/{world['plan'].uid}/dashboard/" in page
    client.force_login(unpublished["planner"])
    page = client.get("/units/19513/").content.decode()
    assert "/dashboard/" not in page
    assert years_followed(quang_tri()) == [2027]
    response = client.get(f"/cdp/{unpublished['plan'].uid}/dashboard/")
    assert response.status_code == 200
    assert 'id="dashboard-summary"' not in response.content.decode()


# --- the pages and their charts --------------------------------------------------------------


def _charts_are_well_formed_and_tabled(page: str) -> int:
    found = list(SVG.finditer(page))
    for match in found:
        svg = ET.fromstring(match.group(0))
        assert svg.get("role") == "img"
        labelled = (svg.get("aria-labelledby") or "").split()
        ids = {node.get("id"): node.tag.split("}")[-1] for node in svg}
        assert [ids[i] for i in labelled] == ["title", "desc"]
        assert svg.find("{http://www.w3.org/2000/svg}text") is not None
        after = page[match.end() :].lstrip()
        # the figures follow the drawing, folded (they open on demand and for printing)
        assert after.startswith('<details class="figures"><summary>'), after[:80]
        after = after.split("</summary>", 1)[1].lstrip()
        assert after.startswith('<div class="wide"><table'), after[:80]
        table = after.split("</table>")[0]
        assert '<th scope="col">' in table and "<tbody>" in table
    return len(found)


def test_the_commune_dashboard_shows_charts_each_with_its_table(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    response = client.get(f"/cdp/{world['plan'].uid}/dashboard/")
    page = response.content.decode()
    assert _charts_are_well_formed_and_tabled(page) == 6
    assert len(response.content) < 100_000
    assert "<script" not in page.split("<main")[-1]
    source_table = page.split('id="chart-source-table"')[1].split("</table>")[0]
    assert re.search(
        r"NTP26 — CTMTQG 2026–2035</th><td class=\"num\">500,0</td>"
        r"<td class=\"num\">220,0</td><td class=\"num\">44,0%</td>",
        source_table,
    )
    assert re.search(r'id="sum-percent">80,0%<', page)
    assert "Xã Hải Lăng" in page


def test_the_province_dashboard_has_a_row_per_commune(
    client: Client, world: dict[str, Any]
) -> None:
    trieu_phong, cam_lo = _more_communes(world)
    _report_several(_several_sources())  # components of a programme: every chart is drawn
    client.force_login(sf.province_officer(quang_tri()))
    response = client.get("/units/44/implementation/2027/")
    page = response.content.decode()
    assert _charts_are_well_formed_and_tabled(page) == 8
    assert len(response.content) < 100_000
    row = page.split('id="commune-19702"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells == ["2", "1 (50,0%)", "80,0%", "850,0", "570,0", "67,1%", "0"]
    assert f"/cdp/{cam_lo['plan'].uid}/dashboard/" in page
    assert f"/cdp/{trieu_phong['plan'].uid}/dashboard/" in page


def test_a_chart_escapes_its_labels_and_draws_zero() -> None:
    chart = Chart(
        id="chart-test",
        title="Giải ngân <b>&</b> “nguồn”",
        description="Mô tả",
        label_header="Nguồn",
        series=["Được duyệt", "Đã giải ngân"],
        rows=[Row("<script>alert(1)</script>", [D("1234.5"), D(0)]), Row("NS-X", [0, 0])],
    )
    svg = ET.fromstring(render_svg(chart))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>alert(1)</script>" in texts and "1.234,5" in texts and "0,0" in texts
    assert "<script>" not in str(chart.svg)
    empty = Chart(id="c", title="T", description="D", label_header="X", series=["A"], rows=[])
    assert ET.fromstring(render_svg(empty)).get("role") == "img"
