"""The commune page stays cheap: its cost does not grow with its villages, what each row shows is
worked out once per page, the succession links take one query (issue 16, D-entry of h17b)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.choices import Kind, SuccessionKind
from kehoach.geo.models import AdministrativeUnit, UnitSuccession
from kehoach.geo.rows import _unit_url_maker
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang, quang_tri

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str, **extra: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **extra).status_code == 200
    return len(captured.captured_queries)


def _planner_client(commune: AdministrativeUnit) -> Client:
    client = Client()
    client.force_login(commune_planner(commune))
    return client


def test_the_number_of_queries_does_not_grow_with_the_villages() -> None:
    small, large = hai_lang(), CommuneFactory.create(code="19703", parent=quang_tri())
    for i in range(2):
        VillageFactory.create(parent=small, name=f"Thôn {i}")
    for i in range(40):
        VillageFactory.create(parent=large, name=f"Thôn {i}")
    small_client, large_client = _planner_client(small), _planner_client(large)
    small_url, large_url = (reverse("geo:unit", args=[c.code]) for c in (small, large))
    small_client.get(small_url)  # the session's first request may read more (language…)
    large_client.get(large_url)

    assert _queries(large_client, large_url) == _queries(small_client, small_url)
    assert _queries(large_client, large_url, HTTP_HX_REQUEST="true") == _queries(
        small_client, small_url, HTTP_HX_REQUEST="true"
    )
    assert _queries(large_client, large_url) <= 11


def test_rows_show_the_kind_the_link_and_the_date_the_vietnamese_way() -> None:
    commune = hai_lang()
    VillageFactory.create(
        parent=commune,
        code="19702-007",
        name="Tổ dân phố 7",
        kind=Kind.RESIDENTIAL_GROUP,
        valid_from=datetime.date(2026, 3, 5),
    )
    VillageFactory.create(
        parent=commune,
        code="19702-008",
        name="Thôn Cũ",
        valid_from=datetime.date(2025, 7, 1),
        valid_to=datetime.date(2026, 1, 31),
    )
    client = _planner_client(commune)
    url = reverse("geo:unit", args=["19702"])

    html = client.get(url).content.decode()
    assert (
        '<tr><td><a href="/units/19702-007/">Tổ dân phố 7</a></td><td>Tổ dân phố</td>'
        '<td class="num">19702-007</td><td class="hide-sm">05/03/2026</td></tr>'
    ) in html
    assert "Thôn Cũ" not in html  # ended: only on request

    rows = client.get(url, {"ended": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert (
        '<tr class="ended"><td><a href="/units/19702-008/">Thôn Cũ</a> '
        '<span class="tag">ngừng hoạt động ngày 31/01/2026</span></td><td>Thôn</td>'
    ) in rows
    assert '<span class="tag">' not in rows.split("Thôn Cũ")[0]  # the current row has no tag


def test_the_add_a_village_fields_follow_the_language_of_each_request() -> None:
    client = _planner_client(hai_lang())
    url = reverse("geo:unit", args=["19702"])

    vietnamese = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": url})
    again = client.get(url).content.decode()

    assert '<label for="id_name">Tên thôn:</label>' in vietnamese
    assert '<option value="thon" selected>Thôn</option>' in vietnamese
    assert '<label for="id_name">Village name:</label>' in english
    assert "Tên thôn" not in english
    assert again.count('<label for="id_name">Tên thôn:</label>') == 1


def test_successions_and_predecessions_are_read_in_one_query_and_both_shown() -> None:
    commune = hai_lang()
    plain = VillageFactory.create(parent=commune, code="19702-001", name="Thôn Một")
    merged = VillageFactory.create(parent=commune, code="19702-002", name="Thôn Hai")
    ended = VillageFactory.create(
        parent=commune, code="19702-003", name="Thôn Ba", valid_to=datetime.date(2025, 12, 31)
    )
    older = VillageFactory.create(
        parent=commune, code="19702-004", name="Thôn Bốn", valid_to=datetime.date(2025, 12, 31)
    )
    continued = VillageFactory.create(parent=commune, code="19702-005", name="Thôn Năm")
    day = datetime.date(2026, 1, 1)
    UnitSuccession.objects.create(
        predecessor=ended, successor=merged, kind=SuccessionKind.MERGED, effective_date=day
    )
    UnitSuccession.objects.create(
        predecessor=older, successor=merged, kind=SuccessionKind.MERGED, effective_date=day
    )
    UnitSuccession.objects.create(
        predecessor=merged, successor=continued, kind=SuccessionKind.SPLIT, effective_date=day
    )
    client = _planner_client(commune)
    urls = {v.code: reverse("geo:unit", args=[v.code]) for v in (plain, merged)}
    client.get(urls[plain.code])

    without_links = _queries(client, urls[plain.code])
    with_links = _queries(client, urls[merged.code])
    html = client.get(urls[merged.code]).content.decode()
    plain_html = client.get(urls[plain.code]).content.decode()

    assert with_links == without_links + 1  # the units at the other end, in one more query
    formed_from = html.split("Hình thành từ")[1].split("</p>")[0]
    assert "Thôn Ba" in formed_from and "Thôn Bốn" in formed_from
    continued_by = html.split("Đơn vị kế thừa")[1].split("</p>")[0]
    assert '<a href="/units/19702-005/">Thôn Năm</a>' in continued_by
    assert "Hình thành từ" not in plain_html and "Đơn vị kế thừa" not in plain_html


def test_links_are_those_reverse_gives_also_for_a_code_that_needs_quoting() -> None:
    url = _unit_url_maker()

    assert url("19702-001") == reverse("geo:unit", args=["19702-001"]) == "/units/19702-001/"
    assert url("Đ 1") == reverse("geo:unit", args=["Đ 1"]) == "/units/%C4%90%201/"
    with pytest.raises(NoReverseMatch):  # never a link that reverse would refuse to make
        url("a/b")


def test_a_search_typed_into_the_page_reads_only_its_rows() -> None:
    commune = hai_lang()
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    client = _planner_client(commune)
    url = reverse("geo:unit", args=["19702"])
    client.get(url)

    page = _queries(client, url, QUERY_STRING="q=dien")
    rows = _queries(client, url, QUERY_STRING="q=dien", HTTP_HX_REQUEST="true")
    response = client.get(url, {"q": "dien"}, HTTP_HX_REQUEST="true")

    # no panels, crumbs, successions or form: the unit, the rows and what every request reads
    assert rows <= page - 4
    assert response.content.decode().startswith("<tr><td>")
    assert "HX-Request" in response["Vary"]


def test_province_rows_show_the_kind_and_link_each_commune() -> None:
    province = quang_tri()
    CommuneFactory.create(code="19000", name="Phường Đông Hà", kind=Kind.WARD, parent=province)
    client = Client()
    client.force_login(user_with_role(Role.PROVINCE_OFFICER, province))

    rows = client.get(reverse("geo:unit", args=["44"]), HTTP_HX_REQUEST="true").content.decode()

    assert (
        '<tr><td><a href="/units/19000/">Phường Đông Hà</a></td><td>Phường</td>'
        '<td class="num">19000</td></tr>'
    ) in rows
    assert 'data-count="1"' in rows
    empty = client.get(reverse("geo:unit", args=["44"]), {"q": "zzz"}, HTTP_HX_REQUEST="true")
    assert (
        'data-count="0"' in empty.content.decode()
        and "Phường Đông Hà" not in empty.content.decode()
    )
