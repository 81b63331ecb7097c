"""The commune plan page and the synthesise action at national scale (issue 16): a page of 50
lines with plan-wide totals, filters and a search, details on demand, and query counts that do
not grow with the number of villages — for the page and for the synthesis."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import CommuneFactory, hai_lang
from kehoach.plans.models import ProposalLine

from ..models import CommuneLine, LineSource
from ..services.lines import commune_plan_synthesise, lines_merge
from ..services.lines.values import fingerprint
from ..views.plan import PAGE_SIZE
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def _commune(
    villages: int, lines: int = 3, *, synthesise: bool = True, commune: Any = None
) -> dict[str, Any]:
    """Hải Lăng (or ``commune``) with ``villages`` villages of ``lines`` proposals each
    (village ``i``'s line ``k`` is "Việc i.k", 100 million, 10 given), synthesised."""
    commune = commune or hai_lang()
    road, school = f.transport(), f.education()
    for i, village in enumerate(f.villages(commune, [f"Thôn Số {i}" for i in range(villages)])):
        f.submitted_plan(
            village,
            [
                f.money_line(
                    "100", "10", sector=road if k % 2 else school, activity=f"Việc {i}.{k}"
                )
                for k in range(lines)
            ],
        )
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    f.commune_plan_for(round_)
    if synthesise:
        commune_plan_synthesise(actor=planner, round_=round_)
    return {
        "commune": commune,
        "round": round_,
        "plan": f.commune_plan_for(round_),
        "planner": planner,
    }


def _get(client: Client, world: dict[str, Any], query: str = "") -> str:
    client.force_login(world["planner"])
    response = client.get(reverse("synthesis:plan", args=[world["plan"].uid]) + query)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page: str) -> list[str]:
    """The activities of the lines in the table, in order."""
    return re.findall(r'<tr id="line-[0-9a-f-]+"[^>]*>.*?<a href="[^"]+">([^<]+)</a>', page, re.S)


# --- a page of lines, totals of the whole plan ------------------------------------------------


def test_a_plan_of_120_lines_shows_50_a_page_with_the_whole_plans_totals(client: Client) -> None:
    world = _commune(40)
    first = _get(client, world)
    assert len(_rows(first)) == PAGE_SIZE == 50
    assert "Trang 1/3" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    # the total is the whole plan's, not the page's: 120 lines × 100 million
    assert re.search(r'id="cdp-total">12\.000,0<', first)
    assert re.search(r'id="cdp-support">10\.800,0<', first)
    assert "Tổng cộng kế hoạch xã (120 dòng)" in first

    last = _get(client, world, "?page=3")
    assert len(_rows(last)) == 20
    assert "Trang 3/3" in last and 'rel="next"' not in last
    assert re.search(r'id="cdp-total">12\.000,0<', last)
    # every line once over the three pages
    middle = _get(client, world, "?page=2")
    seen = _rows(first) + _rows(middle) + _rows(last)
    assert sorted(seen) == sorted(f"Việc {i}.{k}" for i in range(40) for k in range(3))
    # a page out of range shows the nearest one
    assert "Trang 3/3" in _get(client, world, "?page=99")
    assert "Trang 1/3" in _get(client, world, "?page=abc")


def test_a_small_plan_has_no_pager(client: Client) -> None:
    page = _get(client, _commune(2))
    assert len(_rows(page)) == 6
    assert 'id="f9-pager"' not in page


def test_sector_subtotals_count_every_line_of_the_sector_not_only_the_page(
    client: Client,
) -> None:
    world = _commune(40)
    page = _get(client, world)
    # education: the lines k = 0 and 2 of every village (80 lines), across pages 1 and 2
    row = re.search(r'<tr class="subtotal"><td[^>]*>Giáo dục[^<]*<span[^>]*>\((\d+) dòng\)', page)
    assert row is not None and row.group(1) == "80"
    assert "8.000,0" in page


# --- filters, search, pager keeping them ----------------------------------------------------


def test_the_village_filter_and_the_pager_keep_each_other(client: Client) -> None:
    world = _commune(40)
    village = world["commune"].children.get(name="Thôn Số 7")
    page = _get(client, world, f"?village={village.code}")
    assert sorted(_rows(page)) == ["Việc 7.0", "Việc 7.1", "Việc 7.2"]
    assert "Tổng các dòng đang hiện (3 dòng)" in page
    assert re.search(r'id="shown-total">300,0<', page)
    assert re.search(r'id="cdp-total">12\.000,0<', page)  # the plan's total stays in view

    # a filter that keeps more than a page: the pager's links carry it
    sector = _get(client, world, "?sector=GD")
    assert "Trang 1/2" in sector
    assert 'href="?sector=GD&amp;page=2"' in sector
    assert len(_rows(_get(client, world, "?sector=GD&page=2"))) == 30


def test_the_search_ignores_diacritics_and_case(client: Client) -> None:
    world = _commune(12)
    page = _get(client, world, "?q=VIEC+11.2")
    assert _rows(page) == ["Việc 11.2"]
    assert 'value="VIEC 11.2"' in page
    number = CommuneLine.objects.get(activity="Việc 3.1").number
    assert _rows(_get(client, world, f"?q={number}")) == ["Việc 3.1"]


def test_a_search_that_finds_nothing_says_so(client: Client) -> None:
    page = _get(client, _commune(3), "?q=c%E1%BA%A7u+treo")  # "cầu treo"
    assert _rows(page) == []
    assert "Không có dòng nào khớp với bộ lọc này." in page
    assert re.search(r'id="cdp-total">900,0<', page)


def test_the_decision_filter_refuses_an_unknown_value(client: Client) -> None:
    world = _commune(3)
    assert len(_rows(_get(client, world, "?decision=pending"))) == 9
    assert _rows(_get(client, world, "?decision=funded")) == []
    # an unknown decision is no filter at all
    assert len(_rows(_get(client, world, "?decision=nonsense"))) == 9


# --- by village, merged lines ---------------------------------------------------------------


def test_totals_by_village_are_one_aggregate_counting_merged_lines_once_per_village(
    client: Client,
) -> None:
    world = _commune(3)
    plan = world["plan"]
    both = list(plan.lines.filter(activity__in=["Việc 0.1", "Việc 1.1"]))
    lines_merge(actor=world["planner"], plan=plan, lines=both, activity="Đường chung")
    page = _get(client, world)
    table = page[page.index('id="village-title"') :]
    rows = re.findall(r"<tr><td>(Thôn Số \d)</td><td class=\"num\">(\d+)</td>", table)
    assert rows == [("Thôn Số 0", "3"), ("Thôn Số 1", "3"), ("Thôn Số 2", "3")]
    assert "Đường chung" in page
    assert "Thôn Số 0, Thôn Số 1" in page


# --- details on demand ----------------------------------------------------------------------


def test_a_lines_details_load_on_demand(client: Client) -> None:
    world = _commune(3)
    plan = world["plan"]
    line = plan.lines.get(activity="Việc 2.1")
    page = _get(client, world)
    url = reverse("synthesis:line_more", args=[plan.uid, line.uid])
    assert f'hx-get="{url}"' in page
    details = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Thôn Số 2, dòng 2: 100,0 triệu đồng" in details
    assert reverse("synthesis:line", args=[plan.uid, line.uid]) in details


def test_details_of_another_communes_line_are_not_found(client: Client) -> None:
    world = _commune(2)
    line = world["plan"].lines.first()
    other = CommuneFactory.create(code="19999", name="Xã Khác")
    client.force_login(f.planner(other))
    url = reverse("synthesis:line_more", args=[world["plan"].uid, line.uid])
    assert client.get(url).status_code == 404


# --- query counts: equal for 10 and 40 villages ---------------------------------------------


def _page_queries(client: Client, world: dict[str, Any], query: str = "") -> int:
    client.force_login(world["planner"])
    url = reverse("synthesis:plan", args=[world["plan"].uid]) + query
    client.get(url)
    cache.clear()  # the page as built (the ranks stored), not as kept (plan_page_state)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?village=19702-x&q=viec&sector=GD&review=1&page=2"])
def test_the_page_reads_as_many_queries_for_10_and_40_villages(
    client: Client, django_assert_num_queries: Any, query: str
) -> None:
    world = _commune(5)
    more = f.villages(world["commune"], [f"Thôn Thêm {i}" for i in range(35)])
    for i, village in enumerate(more[:5]):
        f.submitted_plan(village, [f.money_line("100", "10", activity=f"Thêm {i}")] * 3)
    commune_plan_synthesise(actor=world["planner"], round_=world["round"])  # 10 villages
    few = _page_queries(client, world, query)
    for i, village in enumerate(more[5:]):
        f.submitted_plan(village, [f.money_line("100", "10", activity=f"Mới {i}")] * 3)
    commune_plan_synthesise(actor=world["planner"], round_=world["round"])  # 40 villages
    assert world["plan"].lines.filter(state="active").count() == 120
    url = reverse("synthesis:plan", args=[world["plan"].uid]) + query
    client.get(url)  # the ranks of the plan as it now is, counted once (scoring.stored)
    cache.clear()
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(7):  # kept: the session, the plan, its state, the menu
        assert client.get(url).status_code == 200


def _synthesis_queries(villages: int, code: str) -> tuple[int, dict[str, Any]]:
    """The queries of the first synthesis of a new commune of Quảng Trị with ``villages``."""
    commune = CommuneFactory.create(code=code, name=f"Xã Thử {code}", parent=hai_lang().parent)
    world = _commune(villages, synthesise=False, commune=commune)
    with CaptureQueriesContext(connection) as queries:
        commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    return len(queries), world


def test_the_synthesis_makes_as_many_queries_for_10_and_40_villages() -> None:
    few, small = _synthesis_queries(10, "19801")
    assert small["plan"].lines.count() == 30
    many, world = _synthesis_queries(40, "19802")
    assert many == few, (few, many)
    plan = world["plan"]
    assert plan.lines.count() == 120
    # each line has its source and its history row, as when they were written one by one
    assert LineSource.objects.filter(line__plan=plan).count() == 120
    entries = AuditEntry.objects.filter(
        plan_uid=plan.uid, subject_label="synthesis.communeline", operation="create"
    )
    assert entries.count() == 120
    line = plan.lines.get(activity="Việc 39.2")
    entry = entries.get(subject_id=str(line.pk))
    assert entry.subject_repr == f"{line.number}. Việc 39.2"
    assert entry.after["total_cost_mvnd"] == "100"
    assert entry.after["sector"] == str(line.sector)
    assert entry.actor == world["planner"]
    # and the lines are whole: uid, dates, values, sources' fingerprints
    assert line.uid and line.created_at and line.total_cost_mvnd == D("100")
    source = line.sources.get()
    assert source.village_line.activity == "Việc 39.2"
    assert source.fingerprint == fingerprint(source.village_line)


def test_a_second_synthesis_with_nothing_changed_reads_as_many_queries() -> None:
    world = _commune(10)
    with CaptureQueriesContext(connection) as few:
        report = commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    assert report.unchanged == 30 and report.new == 0
    for i, village in enumerate(f.villages(world["commune"], [f"Thôn Mới {i}" for i in range(30)])):
        f.submitted_plan(village, [f.money_line("100", "10", activity=f"Mới {i}")] * 3)
    commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    with CaptureQueriesContext(connection) as many:
        report = commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    assert report.unchanged == 120
    assert len(many) == len(few)


def test_a_resynthesis_marks_new_lines_for_review_in_bulk() -> None:
    world = _commune(2)
    village = f.villages(world["commune"], ["Thôn Cuối"])[0]
    f.submitted_plan(village, [f.money_line("100", "10", activity="Việc mới")])
    report = commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    assert report.new == 1 and report.unchanged == 6
    line = world["plan"].lines.get(activity="Việc mới")
    assert line.review == "new" and line.review_note == "Đề xuất mới của Thôn Cuối."
    assert line.number == 7
    # a village line changed: its source is updated (bulk) and the line marked changed
    vline = ProposalLine.objects.get(activity="Việc 0.1")
    vline.total_cost_mvnd = D("150")
    vline.external_support_mvnd = D("140")
    vline.save()
    report = commune_plan_synthesise(actor=world["planner"], round_=world["round"])
    assert report.changed == 1
    changed = world["plan"].lines.get(activity="Việc 0.1")
    assert changed.review == "changed" and changed.total_cost_mvnd == D("150")
    assert changed.sources.get().fingerprint == fingerprint(vline)
