from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from kehoach.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_load
from kehoach.accounts.models import RoleAssignment, User
from kehoach.core.errors import ApplicationError
from kehoach.geo.loaders import units_load_official
from kehoach.geo.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_demo_data_loads_once_and_its_users_log_in() -> None:
    units_load_official()

    call_command("load_demo")
    call_command("load_demo")

    villages = AdministrativeUnit.objects.filter(parent__code="19702", level=4)
    assert villages.count() == 12
    assert User.objects.count() == len(DEMO_USERS)
    assert RoleAssignment.objects.count() == len(DEMO_USERS)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "xa.hailang", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "Thôn Diên Sanh" in client.get("/units/19702/").content.decode()


@override_settings(KEHOACH_DEMO=False)
def test_demo_users_are_never_created_when_the_setting_is_off() -> None:
    units_load_official()
    with pytest.raises(Exception, match="KEHOACH_DEMO"):
        call_command("load_demo")
    assert not User.objects.exists()


@override_settings(KEHOACH_DEMO=False)
def test_demo_off_is_refused_before_any_database_access(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0), pytest.raises(ApplicationError, match="KEHOACH_DEMO"):
        demo_load()
