"""``transition_apply``: the one service that moves a document through its transition table —
under a row lock, with the role checked on the unit, the comment and guard enforced, and a
status-change row with who acted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from kehoach.accounts.choices import Role
from kehoach.accounts.permissions import Action
from kehoach.accounts.tests.factories import user_with_role
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import VillagePlan
from kehoach.plans.tests import factories as pf

from ..models import StatusChange
from ..workflow import Transition, Workflow, transition_apply

FLOW = Workflow(
    name="test",
    transitions=[
        Transition("submit", PlanStatus.DRAFT, PlanStatus.SUBMITTED, Action.SUBMIT_PLAN, "Gửi"),
        Transition(
            "return",
            PlanStatus.SUBMITTED,
            PlanStatus.RETURNED,
            Action.RETURN_PLAN,
            "Trả lại",
            needs_comment=True,
        ),
    ],
)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    other = VillageFactory.create(parent=commune, name="Thôn Mỹ Chánh")
    return {
        "plan": pf.village_plan(village),
        "village": village,
        "editor": user_with_role(Role.VILLAGE_EDITOR, village, username="thon.diensanh"),
        "other_editor": user_with_role(Role.VILLAGE_EDITOR, other, username="thon.mychanh"),
        "approver": user_with_role(Role.COMMUNE_APPROVER, commune, username="lanhdao"),
    }


def _apply(world: dict[str, Any], action: str, actor: Any, **kwargs: Any) -> VillagePlan:
    plan = world["plan"]
    return transition_apply(
        obj=plan,
        workflow=FLOW,
        action=action,
        actor=actor,
        unit=world["village"],
        plan_uid=plan.uid,
        **kwargs,
    )


def test_a_transition_changes_the_state_and_records_who_when_and_why(
    world: dict[str, Any],
) -> None:
    done = _apply(world, "submit", world["editor"], comment="  Đã họp thôn  ")
    assert done.status == PlanStatus.SUBMITTED
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.SUBMITTED
    change = StatusChange.objects.get(plan_uid=world["plan"].uid)
    assert (change.action, change.from_state, change.to_state, change.comment) == (
        "submit",
        "draft",
        "submitted",
        "Đã họp thôn",
    )
    assert (change.actor, change.actor_username, change.subject_label) == (
        world["editor"],
        "thon.diensanh",
        "plans.villageplan",
    )
    assert change.at is not None


def test_a_role_on_another_unit_is_not_found_and_nothing_is_recorded(
    world: dict[str, Any],
) -> None:
    for actor in (world["other_editor"], None):
        with pytest.raises(NotFoundError):
            _apply(world, "submit", actor)
    # the commune approver may return, but not submit (a role without the permission)
    with pytest.raises(NotFoundError):
        _apply(world, "submit", world["approver"])
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.DRAFT
    assert not StatusChange.objects.exists()


def test_a_transition_from_the_wrong_state_is_refused_with_the_state(
    world: dict[str, Any],
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _apply(world, "return", world["approver"], comment="Sửa")
    assert caught.value.code == "transition_invalid"
    assert caught.value.message == (
        _("This cannot be done now: the document is “%(state)s”.") % {"state": _("Draft")}
    )
    with pytest.raises(ApplicationError) as caught:
        _apply(world, "publish", world["approver"])
    assert caught.value.code == "transition_unknown"
    assert not StatusChange.objects.exists()


def test_a_transition_that_needs_a_comment_refuses_an_empty_one(world: dict[str, Any]) -> None:
    _apply(world, "submit", world["editor"])
    with pytest.raises(ApplicationError) as caught:
        _apply(world, "return", world["approver"], comment="   ")
    assert (caught.value.code, caught.value.where.field) == ("comment_required", "comment")
    _apply(world, "return", world["approver"], comment="Thiếu biên bản họp")
    assert [c.action for c in StatusChange.objects.all()] == ["submit", "return"]


def test_a_guard_that_refuses_leaves_everything_as_it_was(world: dict[str, Any]) -> None:
    def guard(plan: VillagePlan, step: Transition) -> None:
        raise ApplicationError("not_ready", "Chưa đủ điều kiện")

    with pytest.raises(ApplicationError):
        _apply(world, "submit", world["editor"], guard=guard)
    world["plan"].refresh_from_db()
    assert world["plan"].status == PlanStatus.DRAFT
    assert not StatusChange.objects.exists()


def test_the_state_is_read_again_under_the_lock_not_taken_from_the_caller(
    world: dict[str, Any],
) -> None:
    """The caller's copy says "draft", but someone submitted meanwhile: the service reads
    the row again (locked) and refuses a second submission."""
    stale = VillagePlan.objects.get(pk=world["plan"].pk)
    _apply(world, "submit", world["editor"])
    assert stale.status == PlanStatus.DRAFT
    seen: list[str] = []
    with pytest.raises(ApplicationError) as caught:
        transition_apply(
            obj=stale,
            workflow=FLOW,
            action="submit",
            actor=world["editor"],
            unit=world["village"],
            plan_uid=stale.uid,
            guard=lambda plan, step: seen.append(plan.status),
        )
    assert caught.value.code == "transition_invalid"
    assert seen == []
    assert StatusChange.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_the_row_is_locked_for_update(world: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as queries:
        _apply(world, "submit", world["editor"])
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking and '"plans_villageplan"' in locking[0]
