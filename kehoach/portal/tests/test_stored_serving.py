"""A stored open-data file is served as it was built — never compressed again on the way, in
large blocks, with its strong ETag — in a fixed, small number of queries; a year with nothing
published is a 404 that builds nothing (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kehoach.portal.models import PublishedFile
from kehoach.portal.stored.http import BLOCK

from .crawl import body
from .factories import followed_plan, trieu_phong

URL = "/cong-khai/du-lieu/19702/2027/{dataset}.{fmt}"
PROVINCE_URL = "/cong-khai/du-lieu/44/2027/ke-hoach.csv"
PAGE = "/cong-khai/xa/19702/2027/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("dataset", "fmt"), [("ke-hoach", "csv"), ("quyet-dinh", "json")])
def test_a_stored_file_is_sent_as_built_to_a_client_that_accepts_gzip(
    client: Client, dataset: str, fmt: str
) -> None:
    followed_plan()
    url = URL.format(dataset=dataset, fmt=fmt)
    client.get(url)  # built
    served = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    stored = PublishedFile.objects.get(dataset=dataset, fmt=fmt)
    assert served.status_code == 200
    assert not served.has_header("Content-Encoding")
    assert served["ETag"] == f'"{stored.etag}"'  # strong, not W/
    assert int(served["Content-Length"]) == stored.size
    assert body(served) == Path(stored.file.path).read_bytes()
    assert served.block_size == BLOCK  # type: ignore[attr-defined]


def test_pages_are_still_compressed(client: Client) -> None:
    followed_plan()
    page = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("url", [URL.format(dataset="ke-hoach", fmt="csv"), PROVINCE_URL])
def test_a_stored_download_takes_two_queries(
    client: Client, django_assert_num_queries: Any, url: str
) -> None:
    """What is published in the unit (kept on one row, which also says whether anything is
    published) and the stored file's row; the unit itself is read only to build the file."""
    followed_plan()
    client.get(url)
    with django_assert_num_queries(2):
        again = client.get(url)
    assert again.status_code == 200
    with django_assert_num_queries(2):
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=again["ETag"])
    assert unchanged.status_code == 304


def test_a_unit_that_may_not_have_a_file_is_not_found_even_with_a_state(client: Client) -> None:
    """A unit of another level with a row of what is published in it (a former district is
    above communes) has no open-data file: its address is not found."""
    from kehoach.geo.choices import Level
    from kehoach.geo.models import AdministrativeUnit
    from kehoach.synthesis.models import PublishedState

    followed_plan()
    assert client.get(PROVINCE_URL).status_code == 200
    village = AdministrativeUnit.objects.filter(level=Level.VILLAGE).first()
    assert village is not None
    PublishedState.objects.create(unit_code=village.code, year=2027, versions="1", changed_at=None)
    assert client.get(f"/cong-khai/du-lieu/{village.code}/2027/ke-hoach.csv").status_code == 404


def test_a_year_or_unit_with_nothing_published_is_not_found_and_builds_nothing(
    client: Client,
) -> None:
    followed_plan()
    for url in [
        "/cong-khai/du-lieu/19702/2026/ke-hoach.csv",  # a year of the list, nothing published
        "/cong-khai/du-lieu/99999/2027/ke-hoach.csv",  # no such unit
        f"/cong-khai/du-lieu/{trieu_phong().code}/2027/ke-hoach.csv",  # nothing published
    ]:
        assert client.get(url).status_code == 404, url
    assert not PublishedFile.objects.exists()
    assert client.get(URL.format(dataset="ke-hoach", fmt="csv")).status_code == 200
