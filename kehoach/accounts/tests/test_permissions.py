from __future__ import annotations

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.permissions import Action, has_permission, is_system_admin, roles_on
from kehoach.accounts.tests.factories import UserFactory, user_with_role
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang, quang_tri

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "on", "may_manage"),
    [
        (Role.COMMUNE_PLANNER, "commune", True),
        (Role.COMMUNE_APPROVER, "commune", False),
        (Role.VILLAGE_EDITOR, "village", False),
        (Role.PROVINCE_OFFICER, "province", False),
        (Role.DONOR_VIEWER, "commune", False),
    ],
)
def test_managing_villages_is_for_the_commune_planner(role: str, on: str, may_manage: bool) -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune)
    unit = {"commune": commune, "village": village, "province": quang_tri()}[on]
    user = user_with_role(role, unit)

    assert has_permission(user, Action.MANAGE_VILLAGES, commune) is may_manage
    assert has_permission(user, Action.VIEW_UNIT, unit)
    assert not has_permission(user, Action.MANAGE_VILLAGES, dong_hoi())


def test_a_role_covers_the_units_below_not_above_or_beside() -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune)
    planner = user_with_role(Role.COMMUNE_PLANNER, commune)

    assert roles_on(planner, village) == {Role.COMMUNE_PLANNER}
    assert roles_on(planner, quang_tri()) == set()
    assert roles_on(planner, dong_hoi()) == set()


def test_administrators_and_anonymous_users() -> None:
    admin = user_with_role(Role.ADMIN, None)
    superuser = UserFactory.create(is_superuser=True)
    inactive = user_with_role(Role.ADMIN, None, is_active=False)
    from django.contrib.auth.models import AnonymousUser

    assert is_system_admin(admin) and is_system_admin(superuser)
    assert not is_system_admin(inactive)
    assert not has_permission(AnonymousUser(), Action.VIEW_UNIT, hai_lang())
    assert has_permission(admin, Action.MANAGE_VILLAGES, hai_lang())
