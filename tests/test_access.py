"""``kehoach.core.access``: the permission module reached from below ``accounts``, and
``visible_or_404``, the one way to refuse as not found; ``geo.permissions`` built on it."""

from __future__ import annotations

import pytest

from kehoach.accounts import permissions
from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import Notification
from kehoach.core import access
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.permissions import can_change_village, can_manage_villages
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_accounts_registers_its_permission_module() -> None:
    assert access._provider is permissions
    assert permissions.Action is access.Action


def test_a_unit_the_user_sees_is_returned() -> None:
    village = VillageFactory.create()
    user = commune_planner(village.parent)
    units = AdministrativeUnit.objects.all()
    assert access.visible_or_404(user, units, code=village.code) == village
    assert access.visible_or_404(user, village) == village


def test_a_unit_of_another_commune_is_not_found_like_a_missing_one() -> None:
    village = VillageFactory.create()
    user = commune_planner(CommuneFactory.create())
    units = AdministrativeUnit.objects.all()
    with pytest.raises(NotFoundError):
        access.visible_or_404(user, units, code=village.code)
    with pytest.raises(NotFoundError):
        access.visible_or_404(user, units, code="no-such-code")
    with pytest.raises(NotFoundError):
        access.visible_or_404(user, village)
    with pytest.raises(NotFoundError):
        access.visible_or_404(user, None)


def test_an_object_is_seen_through_its_unit() -> None:
    village = VillageFactory.create()
    mine = commune_planner(village.parent)
    other = commune_planner(CommuneFactory.create())
    notification = Notification.objects.create(user=mine, text="x", url="/")
    # an object whose unit is reached by a path; here the notification's user stands in
    notification.village = village  # type: ignore[attr-defined]
    assert access.visible_or_404(mine, notification, unit="village") is notification
    with pytest.raises(NotFoundError):
        access.visible_or_404(other, notification, unit="village")


def test_a_queryset_scoped_already_needs_no_user() -> None:
    user = commune_planner(CommuneFactory.create())
    note = Notification.objects.create(user=user, text="x", url="/")
    mine = Notification.objects.filter(user=user)
    assert access.visible_or_404(None, mine, pk=note.pk) == note
    with pytest.raises(NotFoundError):
        access.visible_or_404(None, mine, pk=note.pk + 1)


def test_a_planner_manages_the_villages_of_their_commune_only() -> None:
    village = VillageFactory.create()
    commune = village.parent
    assert commune is not None
    planner = commune_planner(commune)
    assert can_manage_villages(planner, commune) is None
    assert can_change_village(planner, village) is None

    other = commune_planner(CommuneFactory.create())
    reason = can_manage_villages(other, commune)
    assert reason is not None and reason.hidden
    assert can_change_village(other, village) is not None


def test_an_approver_may_not_manage_villages_and_a_commune_is_not_a_village() -> None:
    village = VillageFactory.create()
    commune = village.parent
    assert commune is not None
    approver = user_with_role(Role.COMMUNE_APPROVER, commune)
    assert can_manage_villages(approver, commune) is not None
    assert can_change_village(commune_planner(commune), commune) is not None
