"""A line already in the yearly plan (typed, imported, or made before the five-year plan) is
linked to its year of the five-year plan: the link only, with the refusals that keep one line
for one year."""

from __future__ import annotations

from typing import Any

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.selectors_drawing import year_statuses
from kehoach.midterm.services.drawing import link_drawn_line
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests import factories as f

from . import drawing_factories as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Any:
    return VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")


@pytest.fixture
def planner(village: Any) -> Any:
    return commune_planner(village.parent)


@pytest.fixture
def road(village: Any) -> Any:
    return m.activity(m.medium_plan(village))


def test_a_submitted_yearly_line_is_linked_and_its_year_is_proposed(
    village: Any, planner: Any, road: Any
) -> None:
    plan = f.village_plan(village, year=2027, status=PlanStatus.SUBMITTED)
    line = f.line(plan)
    year = m.year_of(road, 2027)
    link_drawn_line(planner, year, line)
    year.refresh_from_db()
    assert year.drawn_line == line
    assert year_statuses([year])[year.pk] == YearStatus.PROPOSED
    assert AuditEntry.objects.filter(plan_uid__in=[plan.uid, road.plan.uid]).count() == 2


@pytest.mark.parametrize("case", ["other_year", "dropped", "twice", "line_taken", "deleted"])
def test_a_link_that_would_break_one_line_for_one_year_is_refused(
    village: Any, planner: Any, road: Any, case: str
) -> None:
    plan = f.village_plan(village, year=2027)
    line = f.line(plan)
    year = m.year_of(road, 2028 if case == "other_year" else 2027)
    if case == "dropped":
        year.status, year.dropped_reason = YearStatus.DROPPED, "Tỉnh đã đầu tư"
        year.save()
    if case in ("twice", "line_taken"):
        link_drawn_line(planner, m.year_of(road, 2027), line)
    if case == "twice":
        line = f.line(plan)
    if case == "line_taken":
        other = m.activity(road.plan, activity="Kênh mương nội đồng")
        year = m.year_of(other, 2027)
    if case == "deleted":
        line.deleted_at = line.updated_at
        line.save()
    with pytest.raises(ApplicationError) as caught:
        link_drawn_line(planner, year, line)
    assert caught.value.code == "link_refused"
    assert road.activity in caught.value.message or str(line.number) in caught.value.message


def test_another_villages_editor_cannot_link(village: Any, road: Any) -> None:
    other = VillageFactory.create(parent=hai_lang(), name="Thôn Mai Đàn")
    line = f.line(f.village_plan(village, year=2027))
    with pytest.raises(NotFoundError):
        link_drawn_line(user_with_role(Role.VILLAGE_EDITOR, other), m.year_of(road, 2027), line)
    assert m.year_of(road, 2027).drawn_line is None
