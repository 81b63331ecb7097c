"""The province roll-up's tables kept rendered under the digest of what they read (D67): a
repeated request reads them from the cache; a write through any writer the roll-up reads is a
new digest, so the page shows it at once (each test below fails if the digest misses that
table); another year, province or language is another entry."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.catalog.models import FundingSource, Sector
from kehoach.geo.choices import Kind, Level
from kehoach.geo.tests.factories import CommuneFactory, UnitFactory, quang_tri
from kehoach.plans.models import VillageMeeting
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import plan_submit
from kehoach.plans.tests import factories as pf

from ..choices import Decision
from ..models import CommuneLine
from ..reports.rollup_state import rollup_digest
from ..services.common import commune_plan_for
from ..services.envelope import CHANGE, EnvelopeChange, envelope_lines_apply
from ..services.funding import line_decide
from ..services.lines import CommuneLineChange, commune_lines_apply, commune_plan_synthesise
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal

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


@pytest.fixture
def world() -> dict[str, Any]:
    """A province with one commune: two submitted village plans (a meeting for one), its
    commune plan synthesised, an envelope of two lines; a draft third village plan with a
    line and a meeting; a province officer."""
    province = quang_tri()
    commune = CommuneFactory.create(name="Xã Một", parent=province)
    a, b, c = f.villages(commune, ["Thôn Một", "Thôn Hai", "Thôn Ba"])
    road = f.transport()
    plan_a = f.submitted_plan(
        a, [f.money_line("500", "100", sector=road, activity="Đường", priority=1)]
    )
    f.submitted_plan(b, [f.money_line("200", "50", sector=road, activity="Cống", priority=1)])
    VillageMeeting.objects.create(plan=plan_a, **{**MEETING, "households_represented": 60})
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    ntp = f.envelope_line(round_, f.ntp(), "450", sector_=road)
    f.envelope_line(round_, f.commune_budget(), "100")
    draft = pf.village_plan(c)
    proposal_line_create(actor=planner, plan=draft, data=pf.line_data())
    meeting_save(actor=planner, plan=draft, data=MEETING)
    return {
        "province": province,
        "commune": commune,
        "round": round_,
        "plan": commune_plan_for(round_),
        "planner": planner,
        "draft": draft,
        "ntp": ntp,
        "road": road,
        "officer": f.province_officer(province),
    }


def _url(world: dict[str, Any], year: int = 2027) -> str:
    return f"/units/{world['province'].code}/rollup/{year}/"


def _table(page: str) -> str:
    """The page's cached part: from the first table's title to the end of the content."""
    return page[page.index('<h2 id="main-title">') : page.index("</main>")]


def _cell(page: str, ident: str) -> str:
    match = re.search(rf'id="{ident}">([^<]*)<', page)
    assert match, ident
    return match.group(1)


def _row(page: str, world: dict[str, Any]) -> str:
    start = page.index(f'<tr id="commune-{world["commune"].code}">')
    return page[start : page.index("</tr>", start)]


def _get(client: Any, world: dict[str, Any], year: int = 2027) -> str:
    response = client.get(_url(world, year))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def officer_client(client: Any, world: dict[str, Any]) -> Any:
    client.force_login(world["officer"])
    return client


def test_a_repeated_request_reads_the_table_from_the_cache(
    officer_client: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as first:
        page = _get(officer_client, world)
    with CaptureQueriesContext(connection) as second:
        again = _get(officer_client, world)
    assert len(second.captured_queries) < len(first.captured_queries)
    assert _table(again) == _table(page)
    assert _cell(again, "rollup-demand") == "700,0"
    with django_assert_max_num_queries(8):  # session, user, roles, unit, years, digest, bell
        _get(officer_client, world)


def test_the_cached_table_is_the_table_rendered_afresh(
    officer_client: Any, world: dict[str, Any]
) -> None:
    kept = _get(officer_client, world)
    cache.clear()
    assert _table(_get(officer_client, world)) == _table(kept)


def test_another_year_province_or_language_is_another_entry(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(f.province_officer(world["province"]))
    vietnamese = _get(client, world)
    assert "Tổng cộng" in _table(vietnamese)
    client.cookies["kehoach_language"] = "en"
    english = _get(client, world)
    assert "Total" in _table(english) and "Tổng cộng" not in _table(english)
    pf.round_for(world["commune"], year=2028)
    assert _cell(_get(client, world, 2028), "rollup-demand") == "0,0"
    other = UnitFactory.create(
        code="46", name="Tỉnh Khác", kind=Kind.PROVINCE, level=Level.PROVINCE
    )
    client.force_login(f.province_officer(other))
    assert client.get("/units/46/rollup/2027/").status_code == 200
    keys = [key.split(":", 2)[2] for key in cache._cache]  # type: ignore[attr-defined]
    assert sorted(key.rsplit(":", 1)[0] for key in keys) == [
        "rollup:44:2027:en",
        "rollup:44:2027:vi",
        "rollup:44:2028:en",
        "rollup:46:2027:en",
    ]


def test_a_line_changed_through_the_synthesis_writer_shows(
    officer_client: Any, world: dict[str, Any]
) -> None:
    before = _get(officer_client, world)
    line = CommuneLine.objects.filter(plan=world["plan"]).order_by("number").first()
    assert line is not None
    commune_lines_apply(
        actor=world["planner"],
        plan=world["plan"],
        changes=[CommuneLineChange("change", line, decision=Decision.DEFERRED, reason="Chờ")],
    )
    after = _get(officer_client, world)
    assert _table(after) != _table(before)


def test_funding_a_line_shows(officer_client: Any, world: dict[str, Any]) -> None:
    assert _cell(_get(officer_client, world), "rollup-used") == "0,0"
    line = CommuneLine.objects.filter(plan=world["plan"], activity="Cống").get()
    line_decide(
        actor=world["planner"],
        line=line,
        decision=Decision.FUNDED,
        reason="Ưu tiên",
        funding={world["ntp"]: line.external_support_mvnd},
    )
    assert _cell(_get(officer_client, world), "rollup-used") == "150,0"


def test_a_village_plan_submitted_shows(officer_client: Any, world: dict[str, Any]) -> None:
    assert '<td class="num">2/3</td>' in _row(_get(officer_client, world), world)
    plan_submit(actor=world["planner"], plan=world["draft"])
    assert '<td class="num">3/3</td>' in _row(_get(officer_client, world), world)


def test_an_envelope_line_changed_shows(officer_client: Any, world: dict[str, Any]) -> None:
    assert _cell(_get(officer_client, world), "rollup-envelope") == "550,0"
    envelope_lines_apply(
        actor=world["officer"],
        round_=world["round"],
        changes=[
            EnvelopeChange(CHANGE, line=world["ntp"], data={"amount_mvnd": D(500)}, version=1)
        ],
    )
    assert _cell(_get(officer_client, world), "rollup-envelope") == "600,0"


def test_a_meetings_households_changed_show(officer_client: Any, world: dict[str, Any]) -> None:
    # two meetings: 60 + 62 of 200 households represented
    assert "61,0%" in _row(_get(officer_client, world), world)
    meeting_save(
        actor=world["planner"],
        plan=world["draft"],
        data={**MEETING, "households_represented": 70},
    )
    assert "65,0%" in _row(_get(officer_client, world), world)


def test_a_commune_renamed_shows(officer_client: Any, world: dict[str, Any]) -> None:
    assert "Xã Một" in _row(_get(officer_client, world), world)
    commune = world["commune"]
    commune.name = "Xã Một Mới"
    commune.save()
    assert "Xã Một Mới" in _row(_get(officer_client, world), world)


def test_a_sector_renamed_shows(officer_client: Any, world: dict[str, Any]) -> None:
    assert 'title="Hạ tầng: giao thông"' in _get(officer_client, world)
    sector = Sector.objects.get(pk=world["road"].pk)
    sector.name = "Giao thông nông thôn"
    sector.save()
    page = _get(officer_client, world)
    assert 'title="Giao thông nông thôn"' in page
    assert 'title="Hạ tầng: giao thông"' not in page


def test_a_source_renamed_shows(officer_client: Any, world: dict[str, Any]) -> None:
    line = CommuneLine.objects.filter(plan=world["plan"], activity="Cống").get()
    line_decide(
        actor=world["planner"],
        line=line,
        decision=Decision.FUNDED,
        reason="Ưu tiên",
        funding={world["ntp"]: line.external_support_mvnd},
    )
    assert 'title="CTMTQG 2026–2035"' in _get(officer_client, world)
    source = FundingSource.objects.get(pk=world["ntp"].source_id)
    source.name = "Chương trình mục tiêu quốc gia"
    source.save()
    assert 'title="Chương trình mục tiêu quốc gia"' in _get(officer_client, world)


def test_a_new_round_and_commune_plan_show(officer_client: Any, world: dict[str, Any]) -> None:
    other = CommuneFactory.create(name="Xã Hai", parent=world["province"])
    assert f'<tr id="commune-{other.code}">' not in _get(officer_client, world)
    round_ = pf.round_for(other)
    assert f'<tr id="commune-{other.code}"><td>Xã Hai</td>' in _get(officer_client, world)
    plan = commune_plan_for(round_)
    assert f'href="/cdp/{plan.uid}/">Xã Hai</a>' in _get(officer_client, world)


def test_nothing_written_keeps_the_digest(world: dict[str, Any]) -> None:
    digest = rollup_digest(world["province"], 2027)
    assert rollup_digest(world["province"], 2027) == digest
    assert rollup_digest(world["province"], 2028) != digest
