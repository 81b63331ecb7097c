"""The home, province and commune pages of the portal: what they list of published versions is
rendered once per set of versions, language and template source (``PublishedPage``), built at
publication; a search is read each time, in one bounded query; the number of queries of each
page does not depend on the number of communes."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.monitoring.scale import ScaleOptions, generate
from kehoach.portal import views
from kehoach.portal.models import PublishedFragment, PublishedPage
from kehoach.portal.stored import page_parts, pages
from kehoach.portal.stored.tasks import commune_files_build

from .factories import followed_plan, trieu_phong
from .test_stored_files import _publish_amendment

pytestmark = pytest.mark.django_db

HOME, PROVINCE, COMMUNE = "/cong-khai/", "/cong-khai/tinh/44/", "/cong-khai/xa/19702/"


def _get(url: str, client: Client | None = None) -> tuple[str, list[str]]:
    """The page and the SQL of its queries."""
    with CaptureQueriesContext(connection) as captured:
        response = (client or Client()).get(url)
        assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def _tokenless(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _writes(sql: list[str]) -> list[str]:
    return [q for q in sql if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def _keys(page: str) -> set[str]:
    return set(PublishedPage.objects.filter(page=page).values_list("key", flat=True))


def test_a_publication_stores_the_home_province_and_commune_pages() -> None:
    followed_plan()
    assert set(PublishedPage.objects.values_list("page", flat=True)) == {
        "home",
        "province:44",
        "commune:19702",
    }
    for url in (HOME, PROVINCE, COMMUNE):
        html, sql = _get(url)
        assert not _writes(sql), url  # read from the store, nothing rendered again
    assert PublishedPage.objects.count() == 3
    html, _sql = _get(PROVINCE)
    assert 'href="/cong-khai/xa/19702/"' in html and 'href="/cong-khai/xa/19702/2027/"' in html
    assert 'href="/cong-khai/du-lieu/44/2027/ke-hoach.csv"' in html


def test_a_page_not_stored_is_rendered_once_by_its_first_request() -> None:
    followed_plan()
    PublishedPage.objects.all().delete()
    for url in (HOME, PROVINCE, COMMUNE):
        first, sql = _get(url)
        assert _writes(sql), url
        again, sql = _get(url)
        assert not _writes(sql) and _tokenless(again) == _tokenless(first), url
    assert PublishedPage.objects.count() == 3


def test_a_publication_in_another_commune_changes_the_province_page_not_the_commune_page() -> None:
    followed_plan()
    province, commune, home = _keys("province:44"), _keys("commune:19702"), _keys("home")
    _get(PROVINCE)
    followed_plan(trieu_phong())
    assert _keys("province:44") - province  # a new row for the new set of versions
    assert _keys("home") - home
    assert _keys("commune:19702") == commune
    html, sql = _get(PROVINCE)
    assert not _writes(sql)  # built at publication
    assert 'href="/cong-khai/xa/19705/"' in html and 'href="/cong-khai/xa/19702/"' in html


def test_an_amendment_changes_both_pages_and_the_old_rows_are_pruned(
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = followed_plan()
    assert "31/NQ-HĐND" not in _get(COMMUNE)[0]
    old = _keys("province:44") | _keys("commune:19702")
    with django_capture_on_commit_callbacks(execute=True):
        _publish_amendment(world)
    new = _keys("province:44") | _keys("commune:19702")
    assert new and not new & old  # the rows of version 1 pruned after the commit
    html, sql = _get(COMMUNE)
    assert not _writes(sql)
    assert "31/NQ-HĐND" in html and "Phiên bản 2 (điều chỉnh)" in html


def test_the_language_is_in_the_key() -> None:
    followed_plan()
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url, page in ((HOME, "home"), (PROVINCE, "province:44"), (COMMUNE, "commune:19702")):
        html, sql = _get(url, english)
        assert _writes(sql), url
        assert len(_keys(page)) == 2
        assert 'lang="en"' in html
    html, _sql = _get(PROVINCE, english)
    assert ">Commune</th>" in html and "Download" in html
    html, _sql = _get(PROVINCE)
    assert ">Xã</th>" in html and "Tải về" in html


def test_a_changed_template_is_rendered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    followed_plan()
    assert not _writes(_get(PROVINCE)[1])
    monkeypatch.setattr(pages, "template_digest", lambda name: f"changed {name}")
    assert _writes(_get(PROVINCE)[1])
    assert len(_keys("province:44")) == 2


def test_a_failure_to_store_pages_never_stops_the_publication(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("template error")

    monkeypatch.setattr(page_parts, "province_parts", broken)
    world = followed_plan()
    world["plan"].refresh_from_db()
    assert world["plan"].status == "published"
    assert not PublishedPage.objects.exists()  # what was stored with it was rolled back
    monkeypatch.undo()
    html, _sql = _get(PROVINCE)
    assert 'href="/cong-khai/xa/19702/"' in html


def test_the_publication_task_stores_the_plan_pages_tables() -> None:
    world = followed_plan()
    assert not PublishedFragment.objects.exists()
    commune_files_build(world["plan"].round.commune_id, 2027)
    assert PublishedFragment.objects.count() == 1
    html, sql = _get("/cong-khai/xa/19702/2027/")
    assert not _writes(sql) and 'id="plan-lines"' in html


# --- search and scale ---------------------------------------------------------------------------


def _province_of(first: int, last: int, year: int = 2026) -> None:
    """Communes ``first``..``last - 1`` of Quảng Trị, then a published plan of ``year`` in
    every commune of the province (generated)."""
    province = quang_tri()
    for i in range(first, last):
        CommuneFactory.create(code=f"1980{i}", name=f"Xã Hải Số {i}", parent=province)
    options = ScaleOptions(
        provinces=("44",),
        villages_per_commune=2,
        lines_per_plan=3,
        years=(year,),
        synthesised=1.0,
        approved=1.0,
        published=1.0,
        progress=0.0,
    )
    generate(options, today=datetime.date(2026, 12, 6))


def _counts() -> dict[str, tuple[int, int]]:
    """Queries of each page, cold (its part not stored) then stored; what is published in
    each unit (``synthesis.PublishedState``, kept by publications) counted beforehand."""
    urls = [HOME, PROVINCE, f"{PROVINCE}?q=hai+so", "/cong-khai/?q=hai", "/cong-khai/xa/19800/"]
    for url in urls:
        _get(url)
    PublishedPage.objects.all().delete()
    cold = {url: len(_get(url)[1]) for url in urls}
    return {url: (cold[url], len(_get(url)[1])) for url in urls}


def _listed(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cong-khai/xa/(\d+)/">', html)


def test_the_number_of_queries_does_not_depend_on_the_communes() -> None:
    catalog_load_defaults()
    _province_of(0, 2)
    two = _counts()
    assert len(_listed(_get(PROVINCE)[0])) == 2
    _province_of(2, 6, year=2027)
    assert len(_listed(_get(PROVINCE)[0])) == 6
    assert _counts() == two
    for url, (cold, stored) in two.items():
        assert stored <= 4 and cold <= 7, (url, cold, stored)


def test_a_province_search_is_one_query_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog_load_defaults()
    _province_of(0, 4)
    _get(PROVINCE)  # the stored part (open-data links)
    html, sql = _get(f"{PROVINCE}?q=hai+so")
    found = _listed(html)
    assert found == ["19800", "19801", "19802", "19803"] and 'id="more-results"' not in html
    assert len(sql) == 4  # the unit, its versions, the stored part, the search
    monkeypatch.setattr(views, "SEARCH_LIMIT", 2)
    html, sql = _get(f"{PROVINCE}?q=hai+so")
    found = _listed(html)
    assert found == ["19800", "19801"] and 'id="more-results"' in html
    assert 'href="/cong-khai/du-lieu/44/2026/ke-hoach.csv"' in html
    html, _sql = _get(f"{PROVINCE}?q=khong+co")
    assert 'id="no-results"' in html and "/cong-khai/xa/198" not in html


def test_the_works_progress_is_stored_and_rendered_again_by_a_new_report() -> None:
    """The published plan's "progress of the works" is read from one stored row; a progress
    report renders it again once, and the row of the earlier progress is deleted."""
    from kehoach.monitoring.services.progress import progress_report_create

    from .factories import report_data

    world = followed_plan()
    plan_url = "/cong-khai/xa/19702/2027/"
    first, _sql = _get(plan_url)
    assert 'id="works"' in first and ">50%<" not in first.replace(",0%", "%")
    html, sql = _get(plan_url)
    assert not _writes(sql)
    works = PublishedPage.objects.filter(page__startswith="works:")
    assert works.count() == 1
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(quantity_done=world["road"].quantity / 2),
    )
    html, sql = _get(plan_url)
    assert _writes(sql) and "50,0%" in html
    assert works.count() == 1  # the earlier progress's row is gone
    again, sql = _get(plan_url)
    assert not _writes(sql) and _tokenless(again) == _tokenless(html)
