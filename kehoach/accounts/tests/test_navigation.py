"""The top bar links to the user's units in Vietnamese order, and to the home page for the rest."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.models import RoleAssignment, User
from kehoach.accounts.selectors import units_held_by
from kehoach.accounts.tests.factories import UserFactory
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, hai_lang, quang_tri

pytestmark = pytest.mark.django_db

# Created in this order (database order); Vietnamese order puts Â after A and Đ between D and E,
# where code-point order would put both after Y.
NAMES = [
    "Xã Yên Hòa",
    "Xã Đồng Tâm",
    "Xã Ân Phú",
    "Xã Dương Hòa",
    "Xã An Bình",
    "Xã Ea Súp",
    "Xã Bà Rịa",
]
IN_VIETNAMESE_ORDER = [
    "Xã An Bình",
    "Xã Ân Phú",
    "Xã Bà Rịa",
    "Xã Dương Hòa",
    "Xã Đồng Tâm",
    "Xã Ea Súp",
    "Xã Yên Hòa",
]


def _communes(names: list[str]) -> list[AdministrativeUnit]:
    province = quang_tri()
    return [
        CommuneFactory.create(code=f"{19800 + i:05d}", name=name, parent=province)
        for i, name in enumerate(names)
    ]


def _planner_of(units: list[AdministrativeUnit]) -> User:
    user = UserFactory.create()
    for unit in units:
        RoleAssignment.objects.create(user=user, role=Role.COMMUNE_PLANNER, unit=unit)
    return user


def _nav(client: Client) -> str:
    html = client.get(reverse("home")).content.decode()
    match = re.search(r'<nav class="units".*?</nav>', html, re.S)
    assert match, html
    return match.group(0)


def _names_in(nav: str) -> list[str]:
    return re.findall(r'<a href="/units/[^"]+/">([^<]+)</a>', nav)


def test_units_held_by_are_in_level_then_vietnamese_order_each_once() -> None:
    communes = _communes(NAMES)
    user = _planner_of(communes)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_APPROVER, unit=communes[0])
    RoleAssignment.objects.create(user=user, role=Role.PROVINCE_OFFICER, unit=quang_tri())

    names = [u.name for u in units_held_by(user=user)]

    assert names == ["Quảng Trị", *IN_VIETNAMESE_ORDER]


def test_navigation_shows_the_first_units_in_vietnamese_order_and_links_to_the_rest(
    client: Client,
) -> None:
    client.force_login(_planner_of(_communes(NAMES)))

    nav = _nav(client)

    assert _names_in(nav) == IN_VIETNAMESE_ORDER[:4]
    more = re.search(r'<a href="([^"]+)" id="nav-more-units">([^<]+)</a>', nav)
    assert more, nav
    assert more.group(1) == reverse("home")
    assert "3" in more.group(2)


def test_navigation_shows_a_few_units_without_a_more_link(client: Client) -> None:
    client.force_login(_planner_of(_communes(NAMES[:5])))

    nav = _nav(client)

    assert _names_in(nav) == [n for n in IN_VIETNAMESE_ORDER if n in NAMES[:5]]
    assert "nav-more-units" not in nav


def test_navigation_lists_a_unit_held_with_two_roles_once(client: Client) -> None:
    commune = hai_lang()
    user = _planner_of([commune])
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_APPROVER, unit=commune)
    client.force_login(user)

    assert _names_in(_nav(client)) == ["Xã Hải Lăng"]


def test_navigation_costs_the_same_queries_for_two_units_or_forty(client: Client) -> None:
    communes = _communes([f"Xã Thử {i}" for i in range(40)])

    def queries_for(units: list[AdministrativeUnit]) -> int:
        client.force_login(_planner_of(units))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    assert queries_for(communes[:2]) == queries_for(communes)
