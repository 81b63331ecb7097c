"""The five-year plan's workflow: submit (needs activities, valid ones, and a valid meeting of
a yearly plan of the village in the period), return with a comment, reopen; the meeting link."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory
from kehoach.midterm.models import MediumTermLine, MediumTermPlan
from kehoach.midterm.services.lines import save_medium_term_line
from kehoach.midterm.services.workflow import (
    can_submit,
    link_meeting,
    medium_term_plan_transition,
    plan_offers,
)
from kehoach.midterm.workflow import MEDIUM_TERM_PLAN_WORKFLOW
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillageMeeting
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING
from kehoach.plans.workflow import VILLAGE_PLAN_WORKFLOW

from .test_lines import five_year_plan, values, years

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan() -> MediumTermPlan:
    return five_year_plan()


@pytest.fixture
def planner(plan: MediumTermPlan) -> Any:
    return commune_planner(plan.village.parent)


def yearly_meeting(plan: MediumTermPlan, year: int = 2027, **changes: Any) -> VillageMeeting:
    """The meeting of the village's yearly plan ``year``."""
    yearly = f.village_plan(plan.village, year=year)
    planner = commune_planner(plan.village.parent)
    return meeting_save(actor=planner, plan=yearly, data={**MEETING, **changes})


def ready(plan: MediumTermPlan, planner: Any) -> MediumTermPlan:
    save_medium_term_line(planner, plan, values(), years())
    return link_meeting(planner, plan, yearly_meeting(plan))


def test_the_table_is_the_yearly_plans() -> None:
    ours = [
        (t.action, t.source, t.target, t.permission, t.needs_comment)
        for t in MEDIUM_TERM_PLAN_WORKFLOW.transitions
    ]
    theirs = [
        (t.action, t.source, t.target, t.permission, t.needs_comment)
        for t in VILLAGE_PLAN_WORKFLOW.transitions
    ]
    assert ours == theirs


def test_submit_return_revise(plan: Any, planner: Any) -> None:
    plan = ready(plan, planner)
    assert can_submit(planner, plan) is None
    plan = medium_term_plan_transition(planner, plan, "submit")
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at is not None
    with pytest.raises(ApplicationError) as caught:  # locked once submitted
        save_medium_term_line(planner, plan, values(), years())
    assert caught.value.code == "plan_locked"
    approver = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    with pytest.raises(ApplicationError) as caught:
        medium_term_plan_transition(approver, plan, "return", "  ")
    assert caught.value.code == "comment_required"
    plan = medium_term_plan_transition(approver, plan, "return", "Bổ sung năm 2028")
    assert plan.status == PlanStatus.RETURNED
    plan = medium_term_plan_transition(planner, plan, "revise")
    assert plan.status == PlanStatus.DRAFT
    steps = list(
        StatusChange.objects.filter(plan_uid=plan.uid)
        .order_by("at", "id")
        .values_list("action", "comment")
    )
    assert steps == [("submit", ""), ("return", "Bổ sung năm 2028"), ("revise", "")]


def test_submit_refused_without_lines(plan: Any, planner: Any) -> None:
    link_meeting(planner, plan, yearly_meeting(plan))
    with pytest.raises(ApplicationError) as caught:
        medium_term_plan_transition(planner, plan, "submit")
    assert caught.value.code == "plan_not_ready"
    assert MediumTermPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_submit_refused_without_meeting(plan: Any, planner: Any) -> None:
    save_medium_term_line(planner, plan, values(), years())
    reason = can_submit(planner, plan)
    assert reason is not None and reason.code == "plan_not_ready"
    with pytest.raises(ApplicationError):
        medium_term_plan_transition(planner, plan, "submit")
    assert not StatusChange.objects.filter(plan_uid=plan.uid).exists()


def test_submit_refused_when_the_meeting_has_no_quorum(plan: Any, planner: Any) -> None:
    save_medium_term_line(planner, plan, values(), years())
    link_meeting(planner, plan, yearly_meeting(plan, households_represented=40))
    reason = can_submit(planner, MediumTermPlan.objects.get(pk=plan.pk))
    assert reason is not None and "40" in reason.message


def test_submit_refused_when_a_line_no_longer_passes(plan: Any, planner: Any) -> None:
    plan = ready(plan, planner)
    MediumTermLine.objects.update(contribution_mvnd=Decimal(1))  # e.g. a bad import
    reason = can_submit(planner, plan)
    assert reason is not None and "Dòng 1" in reason.message


def test_a_village_editor_may_submit_but_not_return(plan: Any, planner: Any) -> None:
    plan = ready(plan, planner)
    editor = user_with_role(Role.VILLAGE_EDITOR, plan.village)
    plan = medium_term_plan_transition(editor, plan, "submit")
    assert [o.action for o in plan_offers(editor, plan)] == []
    with pytest.raises(NotFoundError):
        medium_term_plan_transition(editor, plan, "return", "Không")


def test_the_meeting_must_be_of_the_village_and_the_period(plan: Any, planner: Any) -> None:
    late = VillageMeeting.objects.create(  # a later period's meeting (written directly)
        plan=f.village_plan(plan.village, year=2031), **MEETING
    )
    with pytest.raises(ApplicationError) as caught:
        link_meeting(planner, plan, late)
    assert caught.value.code == "meeting_invalid"
    neighbour = VillageFactory.create(parent=plan.village.parent, name="Thôn Bên")
    other = meeting_save(actor=planner, plan=f.village_plan(neighbour, year=2027), data=MEETING)
    with pytest.raises(ApplicationError):
        link_meeting(planner, plan, other)
    good = yearly_meeting(plan, year=2026)
    assert link_meeting(planner, plan, good).meeting == good
    assert link_meeting(planner, plan, None).meeting is None


def test_a_submitted_plans_meeting_cannot_change(plan: Any, planner: Any) -> None:
    plan = medium_term_plan_transition(planner, ready(plan, planner), "submit")
    with pytest.raises(ApplicationError) as caught:
        link_meeting(planner, plan, None)
    assert caught.value.code == "plan_locked"
