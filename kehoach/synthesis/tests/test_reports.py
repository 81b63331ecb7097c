"""The financial plan (F12) and the province roll-ups (F18): totals equal their parts, each
roll-up is a fixed number of queries whatever the number of communes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.geo.choices import Kind, Level, Source
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, UnitFactory, quang_tri
from kehoach.plans.models import VillageMeeting

from ..choices import Decision
from ..reports import financial_plan, programme_rollup, province_rollup
from ..services.funding import allocation_run
from ..services.lines import commune_plan_synthesise
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
