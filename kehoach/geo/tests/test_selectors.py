from __future__ import annotations

import pytest

from kehoach.accounts.choices import Role
from kehoach.accounts.permissions import units_visible_to
from kehoach.accounts.tests.factories import UserFactory, commune_planner, user_with_role
from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Kind
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import (
    communes_of,
    unit_ancestors,
    unit_get_for_user,
    unit_subtree,
    units_search,
    villages_of,
)
from kehoach.geo.tests.factories import (
    CommuneFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
    quang_tri,
)

pytestmark = pytest.mark.django_db


def test_subtree_and_ancestors_take_one_query_each(django_assert_num_queries) -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    other_village = VillageFactory.create(parent=commune)
    dong_hoi()
    province = quang_tri()

    with django_assert_num_queries(1):
        codes = set(unit_subtree(province).values_list("code", flat=True))
    assert codes == {"44", "19702", "18880", village.code, other_village.code}

    with django_assert_num_queries(1):
        ancestors = unit_ancestors(village)
    assert [a.code for a in ancestors] == ["44", "19702"]


def test_search_ignores_diacritics_and_d_bar() -> None:
    province = quang_tri()
    CommuneFactory.create(code="19702", name="Xã Hải Lăng", parent=province)
    CommuneFactory.create(code="19000", name="Phường Đông Hà", kind=Kind.WARD, parent=province)
    CommuneFactory.create(code="19001", name="Xã Hướng Hiệp", parent=province)
    village_parent = AdministrativeUnit.objects.get(code="19001")
    VillageFactory.create(parent=village_parent, name="Thôn Đường 9")
    qs = AdministrativeUnit.objects.all()

    assert [u.name for u in units_search(qs, "hai lang")] == ["Xã Hải Lăng"]
    assert [u.name for u in units_search(qs, "dong ha")] == ["Phường Đông Hà"]
    assert [u.name for u in units_search(qs, "duong")] == ["Thôn Đường 9"]
    assert [u.name for u in units_search(qs, "HẢI")] == ["Xã Hải Lăng"]
    assert units_search(qs, "  ").count() == qs.count()


def test_lists_follow_vietnamese_order() -> None:
    commune = hai_lang()
    for name in ["Thôn Đông", "Thôn Dương", "Thôn Ân", "Thôn An", "Thôn Bình", "Thôn Ăn"]:
        VillageFactory.create(parent=commune, name=name)
    planner = commune_planner(commune)

    names = [v.name for v in villages_of(commune, user=planner)]

    assert names == ["Thôn An", "Thôn Ăn", "Thôn Ân", "Thôn Bình", "Thôn Dương", "Thôn Đông"]


def test_visible_units_follow_roles() -> None:
    commune = hai_lang()
    other = dong_hoi()
    village = VillageFactory.create(parent=commune)
    other_village = VillageFactory.create(parent=other)
    planner = commune_planner(commune)
    officer = user_with_role(Role.PROVINCE_OFFICER, quang_tri())
    nobody = UserFactory.create()
    admin = user_with_role(Role.ADMIN, None)

    assert set(units_visible_to(planner)) == {commune, village}
    assert {commune, other, village, other_village} <= set(units_visible_to(officer))
    assert not units_visible_to(nobody).exists()
    assert units_visible_to(admin).count() == AdministrativeUnit.objects.count()
    # "Đồng Hới" before "Hải Lăng": the kind word (Phường, Xã) does not count in the order
    assert [c.code for c in communes_of(quang_tri(), user=officer)] == ["18880", "19702"]

    assert unit_get_for_user(user=planner, code=village.code) == village
    with pytest.raises(NotFoundError):
        unit_get_for_user(user=planner, code=other_village.code)
    with pytest.raises(NotFoundError):
        unit_get_for_user(user=planner, code="does-not-exist")
