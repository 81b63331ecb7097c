"""Dashboards read the summaries (issue 16): the support approved comes from ``LineSummary``
(kept by every writer of lines and funding), so after any sequence of writes — reports added,
a work's position corrected by a newer report, the plan amended and a work funded again from
other sources — the dashboards of the plan and of the province equal a recomputation from the
lines and their funding; a write that goes around the writers shows in the difference and in
``check_summaries``; the province page's queries are the same for 2 and 6 communes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import LineFunding
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.workflow import commune_plan_transition
from kehoach.synthesis.summaries import summaries_differences
from kehoach.synthesis.tests import factories as sf

from ..dashboards import Dashboard, ImplementationReport
from ..services.progress import progress_report_create
from .factories import followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 12, 2)
PAGE_QUERIES = 16
"""The province dashboard page makes 14 today, the report's eight among them; two to spare."""


class FromLines(ImplementationReport):
    """The recomputation: the support approved summed from the funding of the works, as the
    dashboards did before they read the summaries."""

    def funding_rows(self) -> list[dict[str, Any]]:
        return list(
            LineFunding.objects.filter(self._works("line__"))
            .values(
                commune=F("line__plan__round__commune"),
                sector=F("line__sector"),
                source=F("envelope_line__source"),
            )
            .annotate(amount=Sum("amount_mvnd"))
            .order_by()
        )


def _recomputed(world: dict[str, Any]) -> tuple[Dashboard, Dashboard]:
    return (
        FromLines(plan=world["plan"], today=TODAY).build(),
        FromLines(unit=quang_tri(), year=2027, today=TODAY).build(),
    )


def _shown(world: dict[str, Any]) -> tuple[Dashboard, Dashboard]:
    return (
        ImplementationReport.for_plan(world["plan"], today=TODAY),
        ImplementationReport.for_unit(quang_tri(), 2027, today=TODAY),
    )


def _report(world: dict[str, Any], line: str, funding: Any, **overrides: Any) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world[line],
        data=report_data(**overrides),
        disbursed=funding,
    )


def _approved_by_source(dashboard: Dashboard) -> dict[str, Decimal]:
    return {row.source.code: row.approved for row in dashboard.sources}


def _assert_equal_to_the_recomputation(world: dict[str, Any]) -> None:
    assert _shown(world) == _recomputed(world)
    assert summaries_differences([world["commune"]]) == []


def test_the_dashboards_equal_a_recomputation_after_a_sequence_of_writes() -> None:
    world = followed_plan()
    ntp, budget = world["ntp"], world["budget"]
    _assert_equal_to_the_recomputation(world)
    # reports added
    _report(world, "road", {ntp: D(100)}, reported_on=datetime.date(2026, 11, 15))
    _report(
        world,
        "school",
        {budget: D(350)},
        status="completed",
        quantity_done=D(1),
        actual_finish=datetime.date(2026, 11, 28),
    )
    _assert_equal_to_the_recomputation(world)
    # the road's position corrected by a newer report
    _report(world, "road", {ntp: D(250)}, quantity_done=D("1.2"))
    _assert_equal_to_the_recomputation(world)
    # the plan amended: the road funded again, from NTP26 and the provincial budget
    planner = world["planner"]
    commune_plan_transition(
        actor=planner, plan=world["plan"], action="amend", comment="Tỉnh góp vốn làm đường"
    )
    province_budget = sf.envelope_line(
        world["plan"].round, sf.source("NS-T", "provincial_budget"), "300"
    )
    line_decide(
        actor=planner,
        line=world["road"],
        decision=Decision.FUNDED,
        reason="Tỉnh góp 200 triệu",
        funding={ntp: D(300), province_budget: D(200)},
    )
    _assert_equal_to_the_recomputation(world)
    plan, province = _shown(world)
    assert _approved_by_source(plan) == {"NTP26": D(300), "NS-T": D(200), "NS-X": D(350)}
    assert province.total.approved == D(850)
    assert province.total.disbursed == D(250 + 350)
    # the training funded in the amendment becomes a work
    line_decide(
        actor=planner,
        line=world["farm"],
        decision=Decision.FUNDED,
        reason="Tỉnh hỗ trợ tập huấn",
        funding={province_budget: D(30)},
    )
    _assert_equal_to_the_recomputation(world)
    plan, province = _shown(world)
    assert (plan.total.works, plan.total.approved) == (3, D(880))
    assert _approved_by_source(province)["NS-T"] == D(230)


def test_a_write_around_the_writers_shows_against_the_recomputation_until_fixed() -> None:
    world = followed_plan()
    LineFunding.objects.filter(line=world["road"]).update(amount_mvnd=D(450))
    shown, recomputed = _shown(world), _recomputed(world)
    assert shown != recomputed
    assert shown[0].total.approved == D(850)  # what the summaries held
    assert recomputed[0].total.approved == D(800)
    assert summaries_differences([world["commune"]]) != []
    call_command("check_summaries", "--fix", stdout=io.StringIO())
    _assert_equal_to_the_recomputation(world)
    assert _shown(world)[1].total.approved == D(800)


def _page_queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _communes(first: int, count: int) -> list[dict[str, Any]]:
    """Followed plans of ``count`` more communes of Quảng Trị, the road of each reported."""
    worlds = []
    for n in range(first, first + count):
        commune = CommuneFactory.create(code=f"196{n:02d}", name=f"Xã Thử {n}", parent=quang_tri())
        world = followed_plan(commune)
        _report(world, "road", {world["ntp"]: D(10 * n)}, quantity_done=D("0.1") * n)
        worlds.append(world)
    return worlds


def test_the_province_page_makes_as_many_queries_for_2_communes_as_for_6(client: Client) -> None:
    url = "/units/44/implementation/2027/"
    client.force_login(sf.province_officer(quang_tri()))
    _communes(1, 2)
    two = _page_queries(client, url)
    _communes(3, 4)
    six = _page_queries(client, url)
    assert ImplementationReport.for_unit(quang_tri(), 2027, today=TODAY).total.works == 12
    assert two == six, (two, six)
    assert six <= PAGE_QUERIES
