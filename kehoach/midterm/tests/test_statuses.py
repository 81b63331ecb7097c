"""The status of each year of a five-year activity follows the yearly plan it was drawn into:
dropped > done > in_plan > not_funded > proposed > planned; two queries for a whole plan."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kehoach.accounts.tests.factories import commune_planner
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import MediumTermLineYear
from kehoach.midterm.selectors_drawing import year_statuses
from kehoach.midterm.services.drawing import draw_from_medium_term
from kehoach.monitoring.choices import ProgressStatus
from kehoach.plans.choices import LineOutcome
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState

from . import drawing_factories as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Any:
    return VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")


@pytest.fixture
def planner(village: Any) -> Any:
    return commune_planner(village.parent)


@pytest.fixture
def plan(village: Any) -> Any:
    return f.village_plan(village, year=2027)


@pytest.fixture
def year(village: Any) -> MediumTermLineYear:
    return m.year_of(m.activity(m.medium_plan(village)), 2027)


def _drawn(planner: Any, plan: Any, year: MediumTermLineYear) -> ProposalLine:
    (line,) = draw_from_medium_term(planner, plan, [year.pk]).lines
    return line


def _status(year: MediumTermLineYear) -> YearStatus:
    return year_statuses([year])[year.pk]


def test_a_year_not_drawn_is_planned(year: MediumTermLineYear) -> None:
    assert _status(year) == YearStatus.PLANNED


def test_a_drawn_year_not_decided_is_proposed(planner: Any, plan: Any, year: Any) -> None:
    line = _drawn(planner, plan, year)
    assert _status(year) == YearStatus.PROPOSED
    # a commune plan still in preparation decides nothing yet
    m.work(line, Decision.FUNDED, status=CommunePlanStatus.SUBMITTED)
    assert _status(year) == YearStatus.PROPOSED


def test_a_year_whose_drawn_line_was_deleted_is_planned_again(
    planner: Any, plan: Any, year: Any
) -> None:
    line = _drawn(planner, plan, year)
    ProposalLine.objects.filter(pk=line.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
    assert _status(year) == YearStatus.PLANNED


def test_funded_in_the_approved_commune_plan_is_in_plan(planner: Any, plan: Any, year: Any) -> None:
    line = _drawn(planner, plan, year)
    work = m.work(line, Decision.FUNDED)
    assert _status(year) == YearStatus.IN_PLAN
    m.report(work, ProgressStatus.ONGOING)
    assert _status(year) == YearStatus.IN_PLAN


def test_the_published_outcome_funded_is_in_plan(planner: Any, plan: Any, year: Any) -> None:
    line = _drawn(planner, plan, year)
    m.commune_plan(plan, CommunePlanStatus.PUBLISHED)
    ProposalLine.objects.filter(pk=line.pk).update(outcome=LineOutcome.FUNDED)
    assert _status(year) == YearStatus.IN_PLAN


@pytest.mark.parametrize("decision", [Decision.UNFUNDED, Decision.DEFERRED, Decision.REJECTED])
def test_not_funded_in_the_approved_commune_plan(
    planner: Any, plan: Any, year: Any, decision: str
) -> None:
    line = _drawn(planner, plan, year)
    m.work(line, decision)
    assert _status(year) == YearStatus.NOT_FUNDED


def test_a_withdrawn_or_replaced_commune_line_does_not_fund_the_year(
    planner: Any, plan: Any, year: Any
) -> None:
    line = _drawn(planner, plan, year)
    work = m.work(line, Decision.FUNDED)
    work.state = LineState.MERGED
    work.save()
    assert _status(year) == YearStatus.NOT_FUNDED


def test_a_completed_work_makes_the_year_done(planner: Any, plan: Any, year: Any) -> None:
    line = _drawn(planner, plan, year)
    work = m.work(line, Decision.FUNDED, status=CommunePlanStatus.IN_IMPLEMENTATION)
    m.report(work, ProgressStatus.COMPLETED)
    assert _status(year) == YearStatus.DONE


def test_a_split_line_is_done_only_when_every_funded_part_is_completed(
    planner: Any, plan: Any, year: Any
) -> None:
    line = _drawn(planner, plan, year)
    first = m.work(line, Decision.FUNDED)
    second = m.work(line, Decision.FUNDED)
    m.report(first, ProgressStatus.COMPLETED)
    assert _status(year) == YearStatus.IN_PLAN
    m.report(second, ProgressStatus.COMPLETED)
    assert _status(year) == YearStatus.DONE


def test_a_dropped_year_stays_dropped(planner: Any, plan: Any, year: Any) -> None:
    line = _drawn(planner, plan, year)
    work = m.work(line, Decision.FUNDED)
    m.report(work, ProgressStatus.COMPLETED)
    year.status, year.dropped_reason = YearStatus.DROPPED, "Làm bằng nguồn khác"
    year.save()
    assert _status(year) == YearStatus.DROPPED


def test_the_statuses_of_a_whole_plan_take_two_queries(
    planner: Any, plan: Any, village: Any, django_assert_num_queries: Any
) -> None:
    five_year = m.medium_plan(village)
    activities = [m.activity(five_year, activity=f"Hoạt động {i}") for i in range(12)]
    drawn = [m.year_of(a, 2027) for a in activities[:6]]
    lines = draw_from_medium_term(planner, plan, [y.pk for y in drawn]).lines
    for line in lines[:3]:
        m.report(m.work(line, Decision.FUNDED), ProgressStatus.COMPLETED)
    years = list(MediumTermLineYear.objects.filter(line__plan=five_year))

    with django_assert_num_queries(2):
        statuses = year_statuses(years)

    assert len(statuses) == 24
    counted = {s: list(statuses.values()).count(s) for s in set(statuses.values())}
    # the commune plan is approved: the drawn lines it did not fund are not funded
    assert counted == {YearStatus.DONE: 3, YearStatus.NOT_FUNDED: 3, YearStatus.PLANNED: 18}
