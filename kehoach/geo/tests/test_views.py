from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit, UnitNameChange, UnitSuccession
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


NO_SUCH_DATE_VI = (
    "“31/02/2026” không phải là ngày có thật; hãy kiểm tra lại ngày và tháng. "
    "Hãy ghi ngày theo dạng dd/mm/yyyy (ngày/tháng/năm), ví dụ 05/03/2026."
)


def test_invalid_village_form_shows_the_vietnamese_message(hai_lang_planner_client: Client) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    VillageFactory.create(parent=commune, name="Thôn Hội Kỳ")

    response = hai_lang_planner_client.post(
        reverse("geo:village_create", args=["19702"]),
        {"name": "Thôn Mỹ Chánh", "kind": "thon", "valid_from": "31/02/2026"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert NO_SUCH_DATE_VI in html
    assert 'value="31/02/2026"' in html  # what was typed stays in the field to correct
    assert list(commune.children.values_list("name", flat=True)) == ["Thôn Hội Kỳ"]


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("geo:village_rename", {"new_name": "Thôn Hội Kỳ Mới", "effective_date": "31/02/2026"}),
        ("geo:village_end", {"reason": "Sáp nhập", "valid_to": "31/02/2026"}),
    ],
)
def test_village_forms_read_dates_the_vietnamese_way(
    hai_lang_planner_client: Client, view: str, data: dict[str, str]
) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    village = VillageFactory.create(parent=commune, name="Thôn Hội Kỳ")

    response = hai_lang_planner_client.post(reverse(view, args=[village.code]), data)

    assert response.status_code == 400
    assert NO_SUCH_DATE_VI in response.content.decode()
    village.refresh_from_db()
    assert (village.name, village.valid_to) == ("Thôn Hội Kỳ", None)


def test_merge_form_reads_dates_the_vietnamese_way(hai_lang_planner_client: Client) -> None:
    commune = AdministrativeUnit.objects.get(code="19702")
    first = VillageFactory.create(parent=commune, name="Thôn Hội Kỳ")
    second = VillageFactory.create(parent=commune, name="Thôn Câu Nhi")

    response = hai_lang_planner_client.post(
        reverse("geo:villages_merge", args=["19702"]),
        {
            "villages": [first.pk, second.pk],
            "into": first.pk,
            "kind": "thon",
            "effective_date": "hôm qua",
        },
    )

    assert response.status_code == 400
    assert (
        "“hôm qua” không phải là ngày. Hãy ghi ngày theo dạng dd/mm/yyyy (ngày/tháng/năm), "
        "ví dụ 05/03/2026." in response.content.decode()
    )
    assert commune.children.current().count() == 2


def test_village_form_accepts_a_date_typed_dd_mm_yyyy(hai_lang_planner_client: Client) -> None:
    response = hai_lang_planner_client.post(
        reverse("geo:village_create", args=["19702"]),
        {"name": "Thôn Mỹ Chánh", "kind": "thon", "valid_from": "5/3/2026"},
    )

    assert response.status_code == 302
    village = AdministrativeUnit.objects.get(name="Thôn Mỹ Chánh")
    assert village.valid_from == datetime.date(2026, 3, 5)


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


def _snapshot() -> list[tuple[object, ...]]:
    """Every unit with what a crafted POST could change, plus the history rows it could add."""
    units = list(
        AdministrativeUnit.objects.order_by("code").values_list(
            "code", "name", "kind", "parent_id", "valid_from", "valid_to", "end_reason"
        )
    )
    return [
        *units,
        ("successions", UnitSuccession.objects.count()),
        ("name changes", UnitNameChange.objects.count()),
    ]


def test_crafted_posts_on_another_commune_change_nothing(hai_lang_planner_client: Client) -> None:
    other = dong_hoi()
    village = VillageFactory.create(parent=other, name="Tổ dân phố 1")
    second = VillageFactory.create(parent=other, name="Tổ dân phố 2")
    ours = VillageFactory.create(parent=AdministrativeUnit.objects.get(code="19702"), name="Thôn A")
    before = _snapshot()
    # Each of these names another commune's village or another commune in its URL: 404, the
    # same answer as for a unit that does not exist.
    foreign_urls = [
        (reverse("geo:village_create", args=[other.code]), {"name": "Thôn Lạ", "kind": "thon"}),
        (reverse("geo:village_rename", args=[village.code]), {"new_name": "Tổ Lạ"}),
        (reverse("geo:village_end", args=[village.code]), {"reason": "xóa"}),
        (reverse("geo:village_restore", args=[village.code]), {}),
        (
            reverse("geo:villages_merge", args=[other.code]),
            {"villages": [village.pk, second.pk], "new_name": "Tổ Gộp", "kind": "to_dan_pho"},
        ),
        (reverse("geo:villages_merge_undo", args=[village.code]), {}),
    ]
    for url, data in foreign_urls:
        assert hai_lang_planner_client.post(url, data).status_code == 404, url
    # Our own commune's merge form with another commune's villages smuggled in: the choice is
    # not among our villages, so the form refuses it (400) and says so.
    response = hai_lang_planner_client.post(
        reverse("geo:villages_merge", args=["19702"]),
        {"villages": [ours.pk, village.pk, second.pk], "new_name": "Tổ Gộp", "kind": "thon"},
    )
    assert response.status_code == 400
    assert "villages" in response.context["form"].errors
    assert _snapshot() == before


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
