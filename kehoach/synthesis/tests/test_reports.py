"""The financial plan (F12) and the province roll-ups (F18): totals equal their parts, each
roll-up is a fixed number of queries whatever the number of communes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, UnitFactory, quang_tri
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillageMeeting

from ..choices import Decision
from ..models import EnvelopeLine
from ..reports import financial_plan, programme_rollup, province_rollup
from ..services.funding import allocation_run, line_decide
from ..services.lines import Part, commune_plan_synthesise, line_split, lines_merge
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def _commune_with_plan(name: str, province: AdministrativeUnit, budget: str) -> dict[str, Any]:
    commune = CommuneFactory.create(name=name, parent=province)
    a, b = f.villages(commune, [f"Thôn 1 {name}", f"Thôn 2 {name}"])
    road, school = f.transport(), f.education()
    plan_a = f.submitted_plan(
        a,
        [
            f.money_line("500", "100", sector=road, activity="Đường", priority=1),
            f.money_line("300", "30", sector=school, activity="Lớp học", priority=2),
        ],
    )
    f.submitted_plan(b, [f.money_line("200", "50", sector=road, activity="Cống", priority=1)])
    VillageMeeting.objects.create(
        plan=plan_a,
        held_on="2026-06-01",
        chair="A",
        households_total=100,
        households_represented=60,
        participants_total=80,
        participants_women=32,
        participants_poor=8,
        participants_em=0,
        decision="Thông qua",
        votes_agree=70,
    )
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    f.envelope_line(round_, f.ntp(), budget, sector_=road)
    f.envelope_line(round_, f.commune_budget(), "100")
    plan = f.commune_plan_for(round_)
    allocation_run(actor=planner, plan=plan)
    return {"commune": commune, "plan": plan}


def test_financial_plan_adds_up_by_source_and_stays_within_the_envelope() -> None:
    built = _commune_with_plan("Xã Một", quang_tri(), "450")
    report = financial_plan(built["plan"])
    funded = [x for x in built["plan"].lines.active() if x.decision == Decision.FUNDED]
    assert report.total.total == sum((x.total_cost_mvnd for x in funded), D(0))
    assert report.total.support == report.total.sources_total
    assert report.all_within
    # both roads are funded whichever comes first (NTP26 450 + NS-X 100 = 400 + 150 of need);
    # the classroom (270 from a source for any sector) finds nothing left
    assert {c.source.code: (c.envelope, c.used) for c in report.checks} == {
        "NS-X": (D("100"), D("100")),
        "NTP26": (D("450"), D("450")),
    }
    assert all(row.balanced for _s, rows, _sub in report.groups for row in rows)
    assert report.unfunded_count == len(built["plan"].lines.active()) - len(funded)


def test_a_source_used_beyond_its_envelope_is_marked_over(client: Any) -> None:
    """The services never fund beyond an envelope line (R16); data written around them (an
    amount lowered in the database, an old import) is still caught by the F12 check."""
    built = _commune_with_plan("Xã Một", quang_tri(), "450")
    plan = built["plan"]
    EnvelopeLine.objects.filter(envelope__round=plan.round, source__code="NTP26").update(
        amount_mvnd=D("300")
    )
    report = financial_plan(plan)
    checks = {c.source.code: c for c in report.checks}
    assert (checks["NTP26"].envelope, checks["NTP26"].used) == (D("300"), D("450"))
    assert checks["NTP26"].left == D("-150")
    assert not checks["NTP26"].within
    assert checks["NS-X"].within
    assert not report.all_within
    client.force_login(f.planner(built["commune"]))
    page = client.get(f"/cdp/{plan.uid}/finance/").content.decode()
    rows = {
        code: page[page.index(f"<tr><td>{code} – ") :].split("</tr>")[0]
        for code in ("NTP26", "NS-X")
    }
    assert "✘ vượt khung nguồn lực" in rows["NTP26"]
    assert "-150,0" in rows["NTP26"]
    assert "✔ trong khung nguồn lực" in rows["NS-X"]
    assert "✘" not in rows["NS-X"]


def test_the_roll_up_adds_the_communes_and_its_queries_do_not_grow() -> None:
    province = quang_tri()
    _commune_with_plan("Xã Một", province, "450")
    with CaptureQueriesContext(connection) as few:
        small = province_rollup(province, 2027)
    _commune_with_plan("Xã Hai", province, "800")
    _commune_with_plan("Xã Ba", province, "300")
    with CaptureQueriesContext(connection) as many:
        rollup = province_rollup(province, 2027)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(small.rows) == 1 and len(rollup.rows) == 3
    assert rollup.total.demand == sum((r.demand for r in rollup.rows), D(0)) == D("3000")
    assert rollup.total.envelope == D("1550") + D("300")
    assert rollup.total.used == sum((r.used for r in rollup.rows), D(0))
    assert rollup.total.lines == 9
    first = next(r for r in rollup.rows if r.commune.name == "Xã Một")
    assert (first.households_pct, first.women_pct) == (D("60.0"), D("40.0"))
    assert first.priority1 == 2
    assert first.by_sector and sum(first.by_sector.values(), D(0)) == first.demand
    programme = programme_rollup(province, 2027, f.ntp())
    assert programme.total.envelope == D("1550")
    assert programme.total.used == sum(
        (r.by_source.get(f.ntp().pk, D(0)) for r in rollup.rows), D(0)
    )


def test_pre_reform_communes_are_grouped_by_their_former_district() -> None:
    old_province = UnitFactory.create(
        code="T45", name="Tỉnh Quảng Trị (cũ)", kind=Kind.PROVINCE, level=Level.PROVINCE,
        source=Source.LEGACY,
    )  # fmt: skip
    district = UnitFactory.create(
        code="H470", name="Huyện Hải Lăng", kind=Kind.DISTRICT, level=Level.DISTRICT,
        parent=old_province, source=Source.LEGACY,
    )  # fmt: skip
    _commune_with_plan("Xã Hải An", district, "200")
    rollup = province_rollup(old_province, 2027)
    ((group, rows),) = rollup.grouped
    assert group == district
    assert [r.commune.name for r in rows] == ["Xã Hải An"]


def test_the_programme_roll_up_queries_do_not_grow_with_communes_or_lines() -> None:
    province = quang_tri()
    _commune_with_plan("Xã Một", province, "450")
    with CaptureQueriesContext(connection) as few:
        small = programme_rollup(province, 2027, f.ntp())
    for name, budget in (("Xã Hai", "800"), ("Xã Ba", "300"), ("Xã Bốn", "650")):
        built = _commune_with_plan(name, province, budget)
        village = built["commune"].children.first()
        f.submitted_plan(
            village, [f.money_line("90", "10", activity=f"Việc {k}") for k in range(4)]
        )
    with CaptureQueriesContext(connection) as many:
        report = programme_rollup(province, 2027, f.ntp())
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(small.rows) == 1 and len(report.rows) == 4
    assert report.total.envelope == D("450") + D("800") + D("300") + D("650")
    assert report.total.used == sum((r.used for r in report.rows), D(0))


def test_the_roll_up_and_programme_pages_query_counts_do_not_grow(client: Any) -> None:
    province = quang_tri()
    _commune_with_plan("Xã Một", province, "450")
    client.force_login(f.province_officer(province))
    urls = [
        f"/units/{province.code}/rollup/2027/",
        f"/units/{province.code}/rollup/2027/programme/NTP26/",
    ]
    few: dict[str, int] = {}
    for url in urls:
        assert client.get(url).status_code == 200, url
        cache.clear()  # the roll-up's table is kept (D67): count the request that builds it
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        few[url] = len(captured.captured_queries)
    for name, budget in (("Xã Hai", "800"), ("Xã Ba", "300"), ("Xã Bốn", "650")):
        _commune_with_plan(name, province, budget)
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        assert "Xã Bốn" in response.content.decode(), url
        assert len(captured.captured_queries) == few[url], url


def test_the_share_of_priority_1_proposals_funded_on_a_worked_example(client: Any) -> None:
    """Village priority-1 proposals of one commune, each counted once per village line:

    - Thôn A: road (priority 1, merged with Thôn B's road, funded), bridge (priority 1, in the
      plan without funding), training (priority 2: not counted, funded);
    - Thôn B: road (priority 1, in the merged road: funded);
    - Thôn C: canal (priority 1), split in two phases, the first funded, the second deferred:
      counted funded, as the village's feedback gives its best outcome (D20);
    - Thôn D: a priority-1 proposal in a plan not submitted: not in the commune plan, not counted.

    4 priority-1 proposals, 3 funded: 75,0%.
    """
    province = quang_tri()
    commune = CommuneFactory.create(name="Xã Mẫu", parent=province)
    a, b, c, d = f.villages(commune, ["Thôn A", "Thôn B", "Thôn C", "Thôn D"])
    road, farm = f.transport(), f.agriculture()
    f.submitted_plan(
        a,
        [
            f.money_line("300", "50", sector=road, activity="Đường liên thôn", priority=1),
            f.money_line("200", "20", sector=road, activity="Cầu khe", priority=1),
            f.money_line("30", "0", sector=farm, activity="Tập huấn", priority=2),
        ],
    )
    f.submitted_plan(
        b, [f.money_line("300", "50", sector=road, activity="Đường liên thôn", priority=1)]
    )
    f.submitted_plan(c, [f.money_line("400", "40", sector=road, activity="Kênh", priority=1)])
    f.submitted_plan(
        d,
        [f.money_line("100", "10", sector=road, activity="Ngầm", priority=1)],
        status=PlanStatus.DRAFT,
    )
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    budget = f.envelope_line(round_, f.commune_budget(), "2000")
    plan = f.commune_plan_for(round_)
    merged = lines_merge(
        actor=planner, plan=plan, lines=list(plan.lines.filter(activity="Đường liên thôn"))
    )
    first, second = line_split(
        actor=planner,
        line=plan.lines.get(activity="Kênh"),
        parts=[Part("Kênh giai đoạn 1", "", D("250")), Part("Kênh giai đoạn 2", "", D("150"))],
    )
    by_name = {x.activity: x for x in plan.lines.active()}

    def fund(line: Any) -> None:
        line_decide(
            actor=planner,
            line=line,
            decision=Decision.FUNDED,
            reason="Đủ vốn",
            funding={budget: line.external_support_mvnd},
        )

    fund(merged)
    fund(by_name["Tập huấn"])
    fund(first)
    line_decide(
        actor=planner, line=by_name["Cầu khe"], decision=Decision.UNFUNDED, reason="Hết vốn"
    )
    line_decide(actor=planner, line=second, decision=Decision.DEFERRED, reason="Năm sau")

    rollup = province_rollup(province, 2027)
    (row,) = [r for r in rollup.rows if r.commune == commune]
    assert (row.priority1, row.priority1_funded, row.priority1_funded_pct) == (4, 3, D("75.0"))
    assert (rollup.total.priority1, rollup.total.priority1_funded) == (4, 3)
    client.force_login(f.province_officer(province))
    page = client.get(f"/units/{province.code}/rollup/2027/").content.decode()
    cells = page[page.index(f'id="commune-{commune.code}"') :].split("</tr>")[0]
    assert "3/4 (75,0%)" in cells


def test_the_roll_up_tables_are_formatted_once_and_its_totals_add_the_communes() -> None:
    """The sector and source tables hold each amount as the ``money`` filter writes it ("" for
    a sector a commune has no line in); the participation of the province is that of all its
    meetings (the sums of the communes' sums); a line of priority 1 counts only through a
    village's priority-1 proposal, not through the line's own column."""
    from kehoach.core.templatetags.vn import money

    province = quang_tri()
    _commune_with_plan("Xã Một", province, "1000")
    _commune_with_plan("Xã Hai", province, "500")
    rollup = province_rollup(province, 2027)
    assert [s.code for s in rollup.sectors] == [f.transport().code, f.education().code]
    for row, cells in rollup.sector_table:
        assert cells == [money(row.by_sector.get(s.pk, "")) for s in rollup.sectors]
    assert rollup.sector_totals == [money(rollup.total.by_sector[s.pk]) for s in rollup.sectors]
    assert rollup.sector_totals == ["1.400,0", "600,0"]
    for row, cells in rollup.source_table:
        assert cells == [money(row.by_source.get(s.pk, "")) for s in rollup.sources]
    assert (rollup.total.households_pct, rollup.total.women_pct) == (D("60.0"), D("40.0"))
    before = (rollup.total.priority1, rollup.total.priority1_funded)
    assert before[0] == 4  # two roads and two culverts
    # a commune line that says priority 1 over a priority-2 proposal: not a village's
    # priority-1 proposal, not counted
    from ..models import CommuneLine

    CommuneLine.objects.filter(activity="Lớp học").update(village_priority=1)
    after = province_rollup(province, 2027)
    assert (after.total.priority1, after.total.priority1_funded) == before


def test_a_commune_without_meetings_has_no_participation_share() -> None:
    province = quang_tri()
    _commune_with_plan("Xã Một", province, "1000")
    VillageMeeting.objects.all().delete()
    rollup = province_rollup(province, 2027)
    assert rollup.total.households_pct is None and rollup.rows[0].women_pct is None
