from __future__ import annotations

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import (
    CommuneFactory,
    VillageFactory,
    dong_hoi,
    hai_lang,
    quang_tri,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hai_lang_planner_client(client: Client) -> Client:
    commune = hai_lang()
    client.force_login(commune_planner(commune))
    return client


def test_commune_page_lists_villages_in_vietnamese(hai_lang_planner_client: Client) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    VillageFactory.create(parent=commune, name="Thôn Đông Dương")
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")

    response = hai_lang_planner_client.get(reverse("geo:unit", args=["19702"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Thôn Diên Sanh" in html and "Thôn Đông Dương" in html
    assert html.index("Thôn Diên Sanh") < html.index("Thôn Đông Dương")
    assert "Thêm thôn" in html
    assert '<html lang="vi">' in html


def test_search_without_diacritics_returns_the_rows(hai_lang_planner_client: Client) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    VillageFactory.create(parent=commune, name="Thôn Đông Dương")
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")

    response = hai_lang_planner_client.get(
        reverse("geo:unit", args=["19702"]), {"q": "dong duong"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "Thôn Đông Dương" in html
    assert "Thôn Diên Sanh" not in html
    assert "<html" not in html  # only the rows travel back


def test_planner_adds_a_village_and_nfd_input_is_stored_as_nfc(
    hai_lang_planner_client: Client,
) -> None:
    response = hai_lang_planner_client.post(
        reverse("geo:village_create", args=["19702"]),
        {"name": unicodedata.normalize("NFD", "Thôn Mỹ Chánh"), "kind": "thon", "valid_from": ""},
    )

    assert response.status_code == 302
    village = AdministrativeUnit.objects.get(code="19702-001")
    assert village.name == "Thôn Mỹ Chánh"


def test_invalid_village_form_shows_the_vietnamese_message(hai_lang_planner_client: Client) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    VillageFactory.create(parent=commune, name="Thôn Hội Kỳ")

    response = hai_lang_planner_client.post(
        reverse("geo:village_create", args=["19702"]),
        {"name": "Thon Hoi Ky", "kind": "thon", "valid_from": "31/02/2026"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nhập ngày hợp lệ" in html or "ngày" in html


def test_other_communes_pages_are_404_for_a_commune_planner(
    hai_lang_planner_client: Client,
) -> None:
    other = dong_hoi()
    village = VillageFactory.create(parent=other, name="Tổ dân phố 1")

    for url in [
        reverse("geo:unit", args=[other.code]),
        reverse("geo:unit", args=[village.code]),
        reverse("geo:unit", args=["44"]),
        reverse("geo:village_rename", args=[village.code]),
        reverse("geo:villages_merge", args=[other.code]),
        reverse("geo:unit", args=["no-such-unit"]),
    ]:
        assert hai_lang_planner_client.get(url).status_code == 404, url


def test_crafted_posts_on_another_commune_change_nothing(hai_lang_planner_client: Client) -> None:
    other = dong_hoi()
    village = VillageFactory.create(parent=other, name="Tổ dân phố 1")
    second = VillageFactory.create(parent=other, name="Tổ dân phố 2")
    posts = [
        (reverse("geo:village_create", args=[other.code]), {"name": "Thôn Lạ", "kind": "thon"}),
        (reverse("geo:village_rename", args=[village.code]), {"new_name": "Tổ Lạ"}),
        (reverse("geo:village_end", args=[village.code]), {"reason": "xóa"}),
        (reverse("geo:village_restore", args=[village.code]), {}),
        (
            reverse("geo:villages_merge", args=[other.code]),
            {"villages": [village.pk, second.pk], "new_name": "Tổ Gộp"},
        ),
        (reverse("geo:villages_merge_undo", args=[village.code]), {}),
        # a village of another commune smuggled into our own commune's merge form
        (
            reverse("geo:villages_merge", args=["19702"]),
            {"villages": [village.pk, second.pk], "new_name": "Tổ Gộp"},
        ),
    ]
    for url, data in posts:
        response = hai_lang_planner_client.post(url, data)
        assert response.status_code in (400, 404), url
    village.refresh_from_db()
    assert (village.name, village.valid_to) == ("Tổ dân phố 1", None)
    assert not AdministrativeUnit.objects.filter(name__in=["Thôn Lạ", "Tổ Gộp"]).exists()


def test_readers_see_but_cannot_manage() -> None:
    commune = hai_lang()
    client = Client()
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, commune))

    page = client.get(reverse("geo:unit", args=["19702"]))
    assert page.status_code == 200
    assert "Thêm thôn" not in page.content.decode()
    assert (
        client.post(
            reverse("geo:village_create", args=["19702"]), {"name": "Thôn X", "kind": "thon"}
        ).status_code
        == 404
    )


def test_province_page_lists_and_searches_communes() -> None:
    province = quang_tri()
    CommuneFactory.create(code="19702", name="Xã Hải Lăng", parent=province)
    CommuneFactory.create(code="19000", name="Phường Đông Hà", kind="phuong", parent=province)
    client = Client()
    client.force_login(user_with_role(Role.PROVINCE_OFFICER, province))

    html = client.get(reverse("geo:unit", args=["44"]), {"q": "dong ha"}).content.decode()

    assert "Phường Đông Hà" in html and "Xã Hải Lăng" not in html


def test_list_pages_have_a_bounded_number_of_queries(django_assert_max_num_queries) -> None:
    province = quang_tri()
    communes = [
        CommuneFactory.create(code=f"{19700 + i:05d}", name=f"Xã Số {i}", parent=province)
        for i in range(30)
    ]
    for i in range(40):
        VillageFactory.create(parent=communes[0], name=f"Thôn {i}")
    client = Client()
    client.force_login(user_with_role(Role.PROVINCE_OFFICER, province))

    with django_assert_max_num_queries(12):
        assert client.get(reverse("geo:unit", args=["44"])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("geo:unit", args=[communes[0].code])).status_code == 200


def test_pages_switch_to_english_and_back(hai_lang_planner_client: Client) -> None:
    url = reverse("geo:unit", args=["19702"])
    hai_lang_planner_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Add village" in hai_lang_planner_client.get(url).content.decode()
    hai_lang_planner_client.post(reverse("set_language"), {"language": "vi", "next": url})
    with translation.override("vi"):
        assert "Thêm thôn" in hai_lang_planner_client.get(url).content.decode()


def test_village_editor_sees_the_village_and_only_names_of_the_units_above() -> None:
    commune = hai_lang()
    village = VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    client = Client()
    client.force_login(user_with_role(Role.VILLAGE_EDITOR, village))

    html = client.get(reverse("geo:unit", args=[village.code])).content.decode()

    assert "Xã Hải Lăng" in html
    assert 'href="/units/19702/"' not in html  # no link to a page that would answer 404
    assert client.get(reverse("geo:unit", args=["19702"])).status_code == 404


def test_former_district_page_lists_its_former_communes_and_their_successor() -> None:
    from pathlib import Path

    from django.conf import settings

    from kehoach.geo.loaders import units_load_legacy_csv, units_load_official

    units_load_official()
    units_load_legacy_csv(
        (Path(settings.BASE_DIR) / "examples" / "legacy-units-quang-tri.csv").read_text("utf-8")
    )
    client = Client()
    client.force_login(
        user_with_role(Role.DISTRICT_OFFICER, AdministrativeUnit.objects.get(code="H470"))
    )

    district = client.get(reverse("geo:unit", args=["H470"])).content.decode()
    assert "Thị trấn Diên Sanh" in district and "Xã Hải An" in district
    old = client.get(reverse("geo:unit", args=["X19705"])).content.decode()
    assert "Xã Hải Lăng" in old  # "continued by", named but not linked: it is not theirs
    assert 'href="/units/19702/"' not in old


def test_history_restore_gets_the_whole_page(hai_lang_planner_client: Client) -> None:
    response = hai_lang_planner_client.get(
        reverse("geo:unit", args=["19702"]),
        {"q": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_merge_page_merges_residential_groups_into_a_new_group() -> None:
    ward = dong_hoi()
    first = VillageFactory.create(parent=ward, name="Tổ dân phố 1", kind="to_dan_pho")
    second = VillageFactory.create(parent=ward, name="Tổ dân phố 2", kind="to_dan_pho")
    client = Client()
    client.force_login(commune_planner(ward))

    response = client.post(
        reverse("geo:villages_merge", args=[ward.code]),
        {
            "villages": [first.pk, second.pk],
            "new_name": "Tổ dân phố Đồng Phú",
            "kind": "to_dan_pho",
            "effective_date": "01/01/2026",
            "decision": "NQ 03/NQ-HĐND",
        },
    )

    assert response.status_code == 302
    merged = AdministrativeUnit.objects.get(name="Tổ dân phố Đồng Phú")
    assert merged.kind == "to_dan_pho"
    first.refresh_from_db()
    assert str(first.valid_to) == "2025-12-31"
