"""Migration 0003: each solution line of a problem becomes a ``Solution`` row and the problem's
linked proposals go to the solution they came from — none is lost or given to a wrong one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kehoach.plans.models import Problem, Solution
from kehoach.plans.tests import factories as f

BEFORE = ("plans", "0002_attendee_version")
AFTER = ("plans", "0004_remove_problem_solution_text")


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor


@pytest.fixture(autouse=True)
def _latest_schema_after(transactional_db: None) -> Iterator[None]:
    """Each test leaves the schema at the latest migrations (a test that stops at an older one
    would break the tests that run after it)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_solution_text_and_problem_links_become_solutions_with_their_proposals() -> None:
    plan = f.village_plan()
    road = f.line(plan, number=1, activity="Bê tông hóa đường trục xóm Trên")
    ditch = f.line(plan, number=2, activity="Làm rãnh thoát nước xóm Dưới")
    culvert = f.line(plan, number=3, activity="Cống qua đường")
    several = Problem.objects.create(plan=plan, sector=f.sector(), problem="Đường lầy lội")
    single = Problem.objects.create(plan=plan, sector=f.sector(), problem="Thiếu nước")
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state([BEFORE]).apps
        OldProblem = old.get_model("plans", "Problem")
        first = OldProblem.objects.get(pk=several.pk)
        first.solutions = "- Bê tông hóa đường trục xóm\nLàm rãnh thoát nước\nTập huấn duy tu"
        first.save()
        first.lines.set([road.pk, ditch.pk, culvert.pk])
        second = OldProblem.objects.get(pk=single.pk)
        second.solutions = "Khoan giếng"
        second.save()
        second.lines.set([culvert.pk])
    finally:
        _migrate(AFTER)

    rows = [
        (s.position, s.text, [line.number for line in s.lines.order_by("number")])
        for s in Solution.objects.filter(problem_id=several.pk).order_by("position")
    ]
    assert rows == [
        (1, "Bê tông hóa đường trục xóm", [1]),
        (2, "Làm rãnh thoát nước", [2]),
        (3, "Tập huấn duy tu", []),
        (4, "Cống qua đường", [3]),  # matched no solution: kept as one of its own
    ]
    (only,) = Solution.objects.filter(problem_id=single.pk)
    assert (only.text, [line.number for line in only.lines.all()]) == ("Khoan giếng", [3])


UIDS_BEFORE = ("plans", "0006_line_values_and_number_unique")
UIDS_AFTER = ("plans", "0007_public_uids_of_problems_ranking_items_attendees")


@pytest.mark.django_db(transaction=True)
def test_problems_ranking_items_and_attendees_each_get_their_own_uid() -> None:
    plan = f.village_plan()
    sector = f.sector()
    from kehoach.plans.models import Attendee, RankingItem, VillageMeeting
    from kehoach.plans.tests.test_workflow import MEETING

    meeting = VillageMeeting.objects.create(plan=plan, **MEETING)
    try:
        executor = _migrate(UIDS_BEFORE)
        old = executor.loader.project_state([UIDS_BEFORE]).apps
        for text in ("Đường lầy lội", "Thiếu nước", "Trường xuống cấp"):
            old.get_model("plans", "Problem").objects.create(
                plan_id=plan.pk, sector_id=sector.pk, problem=text
            )
            old.get_model("plans", "RankingItem").objects.create(plan_id=plan.pk, label=text)
            old.get_model("plans", "Attendee").objects.create(
                meeting_id=meeting.pk, full_name=text, sex="female"
            )
    finally:
        _migrate(UIDS_AFTER)

    for model in (Problem, RankingItem, Attendee):
        uids = list(model.objects.values_list("uid", flat=True))
        assert len(uids) == 3 and None not in uids and len(set(uids)) == 3, model
