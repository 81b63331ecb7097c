"""A malformed uid in an address is the same 404 as a missing object, never a server error."""

from __future__ import annotations

import pytest

from kehoach.core.errors import NotFoundError
from kehoach.plans.selectors import plan_get_for_user
from kehoach.plans.tests.factories import village_plan
from kehoach.synthesis.selectors import commune_plan_get_for_user
from kehoach.synthesis.tests.factories import planner

pytestmark = pytest.mark.django_db

MALFORMED = ["abc", "", "1" * 40, "00000000-0000-0000-0000-00000000000g"]


@pytest.mark.parametrize("uid", MALFORMED)
def test_a_malformed_village_plan_uid_is_not_found(uid: str) -> None:
    plan = village_plan()
    user = planner(plan.round.commune)
    assert plan_get_for_user(user=user, uid=plan.uid) == plan
    with pytest.raises(NotFoundError):
        plan_get_for_user(user=user, uid=uid)


@pytest.mark.parametrize("uid", MALFORMED)
def test_a_malformed_commune_plan_uid_is_not_found(uid: str) -> None:
    user = planner()
    with pytest.raises(NotFoundError):
        commune_plan_get_for_user(user=user, uid=uid)
