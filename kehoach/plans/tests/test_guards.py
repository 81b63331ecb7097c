"""Guards other apps register on village plan changes (``services.guards``), and the one the
commune synthesis registers at start-up: once the commune plan is beyond its draft, the village
plans it was made from are frozen; changes go through an amendment (R23)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services import guards
from kehoach.plans.services.lines import proposal_line_create, proposal_line_update
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.services.workflow import plan_return, plan_revise, plan_submit
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.common import commune_plan_for
from kehoach.synthesis.services.lines import commune_plan_synthesise

pytestmark = pytest.mark.django_db

AMENDMENT = gettext(
    "Changes now go through an amendment of the commune plan: the commune starts one on the "
    "commune plan page, then the village plan can be returned and changed."
)


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def leader(plan: Any) -> Any:
    return user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)


def _submitted(plan: Any, planner: Any) -> VillagePlan:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    meeting_save(actor=planner, plan=plan, data=MEETING)
    return plan_submit(actor=planner, plan=plan)


def _synthesised(plan: Any, planner: Any) -> CommunePlan:
    """The commune plan made from the round's submitted village plans."""
    commune_plan_synthesise(actor=planner, round_=plan.round)
    return commune_plan_for(plan.round)


def _set(commune_plan: CommunePlan, status: str, **fields: Any) -> None:
    CommunePlan.objects.filter(pk=commune_plan.pk).update(status=status, **fields)


# --- the mechanism ----------------------------------------------------------------------------


@pytest.fixture
def refuse_returns() -> Iterator[list[tuple[Any, str]]]:
    seen: list[tuple[Any, str]] = []

    def guard(plan: Any, operation: str) -> None:
        seen.append((plan.pk, operation))
        if operation == guards.RETURN:
            raise ApplicationError("test_refused", "Không được trả lại.")

    guards.register_plan_guard(guard)
    guards.register_plan_guard(guard)  # once only
    yield seen
    guards.unregister_plan_guard(guard)


def test_a_registered_guard_is_asked_before_returning_reopening_and_editing(
    plan: Any, planner: Any, leader: Any, refuse_returns: list[tuple[Any, str]]
) -> None:
    _submitted(plan, planner)
    with pytest.raises(ApplicationError) as caught:
        plan_return(actor=leader, plan=plan, comment="Sửa số hộ")
    assert caught.value.code == "test_refused"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert not StatusChange.objects.filter(plan_uid=plan.uid, to_state="returned").exists()
    assert (plan.pk, guards.RETURN) in refuse_returns
    assert (plan.pk, guards.EDIT) in refuse_returns  # every write to the draft asked too


def test_unknown_operations_are_a_programming_error(plan: Any) -> None:
    with pytest.raises(ValueError):
        guards.check_plan_guards(plan, "publish")


# --- the commune plan's freeze (synthesis) ----------------------------------------------------


def test_returning_is_allowed_while_the_commune_plan_is_a_draft(
    plan: Any, planner: Any, leader: Any
) -> None:
    _submitted(plan, planner)
    _synthesised(plan, planner)
    assert plan_return(actor=leader, plan=plan, comment="Sửa").status == PlanStatus.RETURNED
    assert plan_revise(actor=planner, plan=plan).status == PlanStatus.DRAFT
    line = ProposalLine.objects.get(plan=plan)
    proposal_line_update(
        actor=planner, line=line, data={"activity": "Đường mới"}, expected_version=line.version
    )


@pytest.mark.parametrize(
    "status",
    [
        CommunePlanStatus.CONFERENCE,
        CommunePlanStatus.SUBMITTED,
        CommunePlanStatus.APPROVED,
        CommunePlanStatus.PUBLISHED,
    ],
)
def test_a_village_plan_cannot_be_returned_once_the_commune_plan_is_beyond_its_draft(
    plan: Any, planner: Any, status: str
) -> None:
    _submitted(plan, planner)
    commune_plan = _synthesised(plan, planner)
    _set(commune_plan, status)

    with pytest.raises(ApplicationError) as caught:
        plan_return(actor=planner, plan=plan, comment="Sửa số hộ hưởng lợi")

    assert caught.value.code == "commune_plan_frozen"
    label = str(CommunePlanStatus(status).label)
    assert caught.value.message == (
        gettext(
            "The plan of %(village)s cannot be returned: the commune plan %(year)s is “%(status)s”."
        )
        % {"village": "Thôn Diên Sanh", "year": 2027, "status": label}
        + " "
        + AMENDMENT
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_an_amendment_in_preparation_allows_returning_again(
    plan: Any, planner: Any, leader: Any
) -> None:
    _submitted(plan, planner)
    commune_plan = _synthesised(plan, planner)
    _set(commune_plan, CommunePlanStatus.APPROVED)
    with pytest.raises(ApplicationError):
        plan_return(actor=leader, plan=plan, comment="Sửa")
    # the commune starts an amendment: the commune plan is the draft of its version 2
    _set(commune_plan, CommunePlanStatus.DRAFT, is_amendment=True, version_number=2)
    assert plan_return(actor=leader, plan=plan, comment="Sửa").status == PlanStatus.RETURNED
    assert plan_revise(actor=planner, plan=plan).status == PlanStatus.DRAFT


def test_a_commune_plan_returned_by_the_approver_is_back_with_the_commune(
    plan: Any, planner: Any, leader: Any
) -> None:
    _submitted(plan, planner)
    _set(_synthesised(plan, planner), CommunePlanStatus.RETURNED)
    assert plan_return(actor=leader, plan=plan, comment="Sửa").status == PlanStatus.RETURNED


def test_a_returned_village_plan_cannot_be_reopened_after_the_commune_plan_is_submitted(
    plan: Any, planner: Any, leader: Any
) -> None:
    _submitted(plan, planner)
    commune_plan = _synthesised(plan, planner)
    plan_return(actor=leader, plan=plan, comment="Sửa")
    _set(commune_plan, CommunePlanStatus.SUBMITTED)
    with pytest.raises(ApplicationError) as caught:
        plan_revise(actor=planner, plan=plan)
    assert caught.value.message.startswith(
        gettext(
            "The plan of %(village)s cannot be reopened: the commune plan %(year)s is “%(status)s”."
        )
        % {
            "village": "Thôn Diên Sanh",
            "year": 2027,
            "status": str(CommunePlanStatus.SUBMITTED.label),
        }
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED


def test_approved_proposal_lines_cannot_be_edited_even_from_a_draft_village_plan(
    plan: Any, planner: Any, leader: Any
) -> None:
    """The village plan was reopened while the commune plan was a draft, and the commune plan
    went on without synthesising again: its lines are still sources of the approved plan."""
    _submitted(plan, planner)
    commune_plan = _synthesised(plan, planner)
    plan_return(actor=leader, plan=plan, comment="Sửa")
    plan_revise(actor=planner, plan=plan)
    _set(commune_plan, CommunePlanStatus.APPROVED)
    line = ProposalLine.objects.get(plan=plan)

    with pytest.raises(ApplicationError) as caught:
        proposal_line_update(
            actor=planner, line=line, data={"total_cost_mvnd": 1}, expected_version=line.version
        )
    assert caught.value.code == "commune_plan_frozen"
    assert caught.value.message == (
        gettext(
            "The plan of %(village)s cannot be changed: its proposals are in the commune plan "
            "%(year)s, which is “%(status)s”."
        )
        % {
            "village": "Thôn Diên Sanh",
            "year": 2027,
            "status": str(CommunePlanStatus.APPROVED.label),
        }
        + " "
        + AMENDMENT
    )
    with pytest.raises(ApplicationError):
        meeting_save(actor=planner, plan=plan, data={**MEETING, "place": "Hội trường"})
    line.refresh_from_db()
    assert line.version == 1


def test_a_village_plan_outside_the_approved_commune_plan_can_still_be_prepared(
    plan: Any, planner: Any
) -> None:
    _submitted(plan, planner)
    _set(_synthesised(plan, planner), CommunePlanStatus.APPROVED)
    late = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh"))
    line = proposal_line_create(actor=planner, plan=late, data=f.line_data())
    assert line.plan == late


@pytest.fixture
def refuse_edits() -> Iterator[None]:
    def guard(plan: Any, operation: str) -> None:
        if operation == guards.EDIT:
            raise ApplicationError("test_frozen", "Kế hoạch xã đang chờ phê duyệt.")

    guards.register_plan_guard(guard)
    yield
    guards.unregister_plan_guard(guard)


def test_a_frozen_draft_offers_no_editing_and_says_why(
    client: Any, plan: Any, planner: Any, refuse_edits: None
) -> None:
    """The page asks the same guards the services run: no "Sửa" or add form on a plan they
    freeze, and the reason shown instead."""
    from django.urls import reverse

    f.line(plan)
    client.force_login(planner)
    html = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Kế hoạch xã đang chờ phê duyệt." in html
    assert reverse("plans:line_create", args=[plan.uid]) not in html
    assert "/edit/" not in html


def test_a_draft_no_guard_freezes_offers_editing(client: Any, plan: Any, planner: Any) -> None:
    from django.urls import reverse

    client.force_login(planner)
    html = client.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert reverse("plans:line_create", args=[plan.uid]) in html
