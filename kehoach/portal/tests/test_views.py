"""The public pages: search without diacritics, province, commune, the published plan, a
village's feedback (F13), a work's progress (F14) with its photos; what each shows, what answers
404, the headers photos are served with, a bounded number of queries whatever the size, and the
weight of the pages."""

from __future__ import annotations

import gzip
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from kehoach.accounts.tests.factories import commune_planner
from kehoach.geo.tests.factories import CommuneFactory, ProvinceFactory, hai_lang, quang_tri
from kehoach.monitoring.choices import PhotoStage, ProgressStatus
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from .. import views
from .crawl import body
from .factories import RESOLUTION, followed_plan, photo_of, report_data, report_on

pytestmark = pytest.mark.django_db

D = Decimal
ROAD = "Bê tông hóa đường xóm Trên"
SCHOOL = "Sửa phòng học mẫu giáo"
FARM = "Tập huấn chăn nuôi"
PLAN = "/cong-khai/xa/19702/2027/"


class _Tables(HTMLParser):
    """The text of each row of each table with an id: {id: [[cell, ...], ...]}."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        table_id = values.get("id")
        if tag == "table" and table_id:
            self._table = table_id
            self.tables[table_id] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and values.get("class") == "skip-label":
            self._skip += 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span" and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = followed_plan()
    report = progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(200)},
    )
    world["report"] = report
    world["before"] = photo_of(report, "before", "Đường đất trước khi làm")
    world["during"] = photo_of(report, "during", "")
    return world


# --- search, province, commune -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["hai lang", "HAI LĂNG", "Hải Lăng", "lang hai", "  hai   lang "])
def test_a_commune_is_found_without_diacritics(world: dict[str, Any], query: str) -> None:
    html = _page(Client(), f"/cong-khai/?q={query}")
    assert 'href="/cong-khai/xa/19702/"' in html and "Xã Hải Lăng" in html


def test_only_communes_with_a_published_plan_are_found_in_vietnamese_order(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    province = quang_tri()
    for code, name in [("19706", "Xã Hải Ba"), ("19707", "Xã Hải An"), ("19708", "Xã Hải Đông")]:
        commune = CommuneFactory.create(code=code, name=name, parent=province)
        if name != "Xã Hải Ba":
            followed_plan(commune)
    html = _page(Client(), "/cong-khai/?q=hai")
    found = re.findall(r'href="/cong-khai/xa/(\d+)/">([^<]+)<', html)
    # An < Đông < Lăng (Vietnamese order: đ after d); Hải Ba has no published plan
    assert found == [("19707", "Xã Hải An"), ("19708", "Xã Hải Đông"), ("19702", "Xã Hải Lăng")]
    html = _page(Client(), "/cong-khai/?q=hai+ba")
    assert 'id="no-results"' in html
    monkeypatch.setattr(views, "SEARCH_LIMIT", 2)
    html = _page(Client(), "/cong-khai/?q=hai")
    assert len(re.findall(r'href="/cong-khai/xa/', html)) == 2 and 'id="more-results"' in html


def test_the_home_page_lists_provinces_with_published_plans(world: dict[str, Any]) -> None:
    ProvinceFactory.create(code="46", name="Huế")
    html = _page(Client(), "/cong-khai/")
    assert 'href="/cong-khai/tinh/44/"' in html and "Huế" not in html


def test_the_province_page_lists_its_communes_with_their_years(world: dict[str, Any]) -> None:
    html = _page(Client(), "/cong-khai/tinh/44/")
    rows = tables(html)["communes"]
    assert rows[1:] == [["Xã Hải Lăng", "2027"]]
    assert 'href="/cong-khai/du-lieu/44/2027/ke-hoach.xlsx"' in html
    assert "/cong-khai/du-lieu/" in html  # the dictionary
    assert Client().get("/cong-khai/tinh/99/").status_code == 404
    assert Client().get("/cong-khai/tinh/19702/").status_code == 404  # a commune is not a province


def test_the_commune_page_lists_its_published_plans(world: dict[str, Any]) -> None:
    html = _page(Client(), "/cong-khai/xa/19702/")
    rows = tables(html)["plans"]
    assert len(rows) == 2
    assert rows[1][0] == gettext("Plan %(year)s") % {"year": 2027}
    assert "25/NQ-HĐND" in rows[1][1] and "01/12/2026" in rows[1][1]
    for dataset in ("ke-hoach", "quyet-dinh", "tien-do"):
        for fmt in ("csv", "xlsx", "json"):
            assert f'href="/cong-khai/du-lieu/19702/2027/{dataset}.{fmt}"' in html


# --- the plan -----------------------------------------------------------------------------------


def test_the_plan_page_shows_the_activities_by_sector_with_totals(world: dict[str, Any]) -> None:
    html = _page(Client(), PLAN)
    assert "25/NQ-HĐND" in html and "01/12/2026" in html and "Lê Văn Sơn" in html
    rows = tables(html)["plan-lines"]
    body = rows[1:-1]
    # sectors in the catalogue's order (agriculture 10, transport 50, education 110)
    assert [r[0] for r in body if len(r) == 6] == [
        "Nông nghiệp",
        "Hạ tầng: giao thông",
        "Giáo dục – đào tạo, dạy nghề",
    ]
    road = next(r for r in body if r[1].startswith(ROAD))
    assert road[2:9] == [
        "Thôn Diên Sanh Xóm Trên",
        "1,5 km",
        "03/2027–06/2027",
        "600,0",
        "100,0",
        "500,0",
        "500,0",
    ]
    assert road[9] == f"{Decision.FUNDED.label} Đủ điều kiện, ưu tiên 1"
    farm = next(r for r in body if r[1].startswith(FARM))
    assert farm[8] == "0,0" and "Chưa có nguồn vốn phù hợp" in farm[9]
    total = rows[-1]
    assert total[1:5] == ["1.030,0", "150,0", "880,0", "850,0"]
    sources = tables(html)["plan-sources"]
    assert sources[1] == ["CTMTQG 2026–2035 (NTP26)", "900,0", "500,0", "400,0"]
    assert sources[2] == ["Ngân sách xã (NS-X)", "400,0", "350,0", "50,0"]
    assert sources[-1][1:3] == ["1.300,0", "850,0"]
    # links to each village's feedback and each work's progress
    a, b = world["villages"]
    assert f'href="{PLAN}thon/{a.code}/"' in html and f'href="{PLAN}thon/{b.code}/"' in html
    assert f'href="{PLAN}cong-trinh/{world["road"].uid}/"' in html
    assert f'href="{PLAN}cong-trinh/{world["farm"].uid}/"' not in html
    works = tables(html)["works"]
    assert works[1][:4] == [ROAD, str(ProgressStatus.ONGOING.label), "50,0%", "200,0 / 500,0"]
    assert works[2][:2] == [SCHOOL, gettext("No report yet")]
    assert gettext("Version %(n)s") % {"n": 1} in html


def test_unknown_years_and_versions_are_not_found(world: dict[str, Any]) -> None:
    client = Client()
    for url in [
        "/cong-khai/xa/19702/2026/",
        "/cong-khai/xa/19702/2027/v2/",
        "/cong-khai/xa/19702/2027/v0/",
        "/cong-khai/xa/99999/2027/",
        "/cong-khai/xa/44/2027/",
        "/cong-khai/xa/19702/99999999999999999999/",
        "/cong-khai/du-lieu/19702/99999999999999999999/ke-hoach.csv",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get("/cong-khai/xa/19702/2027/v1/").status_code == 200


def test_the_pages_are_read_only(world: dict[str, Any]) -> None:
    client = Client()
    assert client.post(PLAN).status_code == 405
    assert client.head(PLAN).status_code == 200


# --- feedback to a village ----------------------------------------------------------------------


def test_the_feedback_lists_every_proposal_of_the_village_with_its_fate(
    world: dict[str, Any],
) -> None:
    a, b = world["villages"]
    html = _page(Client(), f"{PLAN}thon/{a.code}/")
    rows = tables(html)["fates"][1:]
    funded = str(Decision.FUNDED.label)
    progress = gettext("Progress")
    assert [r[:2] for r in rows] == [["1", f"{ROAD} {progress}"], ["2", f"{SCHOOL} {progress}"]]
    assert f'href="{PLAN}cong-trinh/{world["road"].uid}/"' in html
    assert rows[0][2:] == [
        funded,
        "CTMTQG 2026–2035: 500,0",
        "500,0",
        "100,0",
        "03/2027–06/2027",
        "Đủ điều kiện, ưu tiên 1",
    ]
    assert rows[1][2:6] == [funded, "Ngân sách xã: 350,0", "350,0", "50,0"]
    html = _page(Client(), f"{PLAN}thon/{b.code}/")
    rows = tables(html)["fates"][1:]
    assert rows == [
        [
            "1",
            FARM,
            str(Decision.UNFUNDED.label),
            "—",
            "0,0",
            "0,0",  # the contribution the village proposed, as on its F13 sheet
            "03/2027–06/2027",
            "Chưa có nguồn vốn phù hợp",
        ]
    ]
    assert Client().get(f"{PLAN}thon/19702-999/").status_code == 404


# --- progress of a work ---------------------------------------------------------------------------


def test_the_progress_page_shows_the_latest_report_money_and_photos(
    world: dict[str, Any],
) -> None:
    html = _page(Client(), f"{PLAN}cong-trinh/{world['road'].uid}/")
    assert "<h1>" + ROAD + "</h1>" in html
    assert "0,75 / 1,5 km (50,0%)" in html and "30/11/2026" in html
    money = tables(html)["money"]
    assert money[1] == ["CTMTQG 2026–2035 (NTP26)", "500,0", "200,0"]
    contribution = tables(html)["contribution"]
    assert contribution[1][1:] == ["100,0", "35,0"]
    before, during = world["before"], world["during"]
    assert f'src="/cong-khai/anh/{before.uid}/nho/" alt="Đường đất trước khi làm"' in html
    assert f'href="/cong-khai/anh/{during.uid}/"' in html
    # a photo without caption is described by its stage and the work
    assert f'alt="{PhotoStage.DURING.label}: {ROAD}"' in html
    assert html.index('id="photos-before"') < html.index('id="photos-during"')


def test_a_newer_report_replaces_the_progress_shown(world: dict[str, Any]) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(reported_on=world["report"].reported_on, quantity_done=D("1.2")),
        disbursed={world["ntp"]: D(450)},
    )
    html = _page(Client(), f"{PLAN}cong-trinh/{world['road'].uid}/")
    assert "1,2 / 1,5 km (80,0%)" in html and "0,75 / 1,5" not in html
    assert tables(html)["money"][1][2] == "450,0"
    # the photos of the earlier report stay with the work
    assert f"/cong-khai/anh/{world['before'].uid}/nho/" in html


def test_a_work_without_report_says_so(world: dict[str, Any]) -> None:
    html = _page(Client(), f"{PLAN}cong-trinh/{world['school'].uid}/")
    assert gettext("No progress report has been made for this work yet.") in html
    assert gettext("No photos yet.") in html


def test_only_funded_works_of_the_published_plan_have_a_progress_page(
    world: dict[str, Any],
) -> None:
    client = Client()
    farm_report = report_on(world["farm"], quantity_done=D(0))
    farm_photo = photo_of(farm_report, "before")
    assert client.get(f"{PLAN}cong-trinh/{world['farm'].uid}/").status_code == 404
    assert client.get(f"/cong-khai/anh/{farm_photo.uid}/").status_code == 404
    assert client.get(f"/cong-khai/anh/{farm_photo.uid}/nho/").status_code == 404
    assert client.get(f"{PLAN}cong-trinh/{world['report'].uid}/").status_code == 404
    assert client.get(f"/cong-khai/anh/{world['report'].uid}/").status_code == 404
    other = followed_plan(CommuneFactory.create(code="19706", name="Xã Hải Ba", parent=quang_tri()))
    # a work of another commune is not a work of this plan
    assert client.get(f"{PLAN}cong-trinh/{other['road'].uid}/").status_code == 404


def test_a_photo_is_served_as_stored_with_strict_headers(world: dict[str, Any]) -> None:
    client = Client()
    photo = world["before"]
    response = client.get(f"/cong-khai/anh/{photo.uid}/")
    assert response.status_code == 200
    assert body(response) == photo.image.open("rb").read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    assert response["Content-Disposition"].startswith("inline")
    thumb = client.get(f"/cong-khai/anh/{photo.uid}/nho/")
    assert thumb["Content-Type"] == "image/jpeg"
    assert body(thumb) == photo.thumbnail.open("rb").read()
    # the stored content type is what is sent
    photo.content_type, photo.extension = "image/png", "png"
    photo.save()
    assert client.get(f"/cong-khai/anh/{photo.uid}/")["Content-Type"] == "image/png"


def test_a_photo_whose_file_is_missing_is_not_found(world: dict[str, Any]) -> None:
    photo = world["during"]
    Path(photo.image.path).unlink()
    assert Client().get(f"/cong-khai/anh/{photo.uid}/").status_code == 404


# --- the header for visitors without an account -------------------------------------------------


def test_the_header_of_a_visitor_links_to_the_portal(world: dict[str, Any]) -> None:
    html = _page(Client(), "/cong-khai/")
    assert 'id="portal-link"' in html and 'href="/cong-khai/"' in html
    assert 'id="notifications-link"' not in html
    assert '<html lang="vi">' in html and 'href="#main"' in html
    signed_in = Client()
    signed_in.force_login(world["planner"])
    html = _page(signed_in, "/cong-khai/")
    assert 'id="portal-link"' not in html and 'id="notifications-link"' in html
    login = _page(Client(), "/accounts/login/")
    assert 'id="portal-link"' in login


# --- bounded queries ------------------------------------------------------------------------------


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url)
        assert response.status_code == 200, url
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_data(world: dict[str, Any]) -> None:
    a = world["villages"][0]
    urls = [
        "/cong-khai/",
        "/cong-khai/?q=hai",
        "/cong-khai/tinh/44/",
        "/cong-khai/xa/19702/",
        PLAN,
        f"{PLAN}thon/{a.code}/",
        f"{PLAN}cong-trinh/{world['road'].uid}/",
        "/cong-khai/du-lieu/",
    ]
    cold = {url: _queries(url) for url in urls}  # the plan's tables rendered and stored
    before = {url: _queries(url) for url in urls}
    assert before[PLAN] < cold[PLAN]
    # more provinces, communes, works with reports and photos
    province = ProvinceFactory.create(code="46", name="Huế")
    for code, name, parent in [
        ("19706", "Xã Hải Ba", quang_tri()),
        ("19707", "Xã Hải An", quang_tri()),
        ("19990", "Xã Hải Thử", province),
    ]:
        followed_plan(CommuneFactory.create(code=code, name=name, parent=parent))
    report = progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(quantity_done=D("0.5")),
        disbursed={world["budget"]: D(100)},
    )
    for stage in ("before", "during", "after"):
        photo_of(report, stage)
        photo_of(world["report"], stage)
    # the new reports change the works' progress: rendered again once, then stored
    again = {url: _queries(url) for url in urls}
    assert again[PLAN] > before[PLAN]
    after = {url: _queries(url) for url in urls}
    assert after == before
    assert max(after.values()) <= 10, after


# --- weight ---------------------------------------------------------------------------------------

BUDGET_BYTES = 100 * 1024


def _transferred(response: Any) -> int:
    """Bytes on the wire: the page gzipped plus each static file it loads, gzipped."""
    assert response.get("Content-Encoding") == "gzip"
    html = gzip.decompress(response.content).decode()
    total = len(response.content)
    for asset in re.findall(r'(?:href|src)="' + settings.STATIC_URL + r'([^"]+)"', html):
        path = finders.find(asset)
        assert path, asset
        total += len(gzip.compress(Path(str(path)).read_bytes()))
    return total


def test_a_large_published_plan_stays_under_100_kb() -> None:
    """40 villages of 8 proposals each (320 lines), allocated, approved and published."""
    commune = hai_lang()
    villages = sf.villages(commune, [f"Thôn Số {i}" for i in range(40)])
    for village in villages:
        sf.submitted_plan(
            village,
            [
                sf.money_line("120", "20", activity=f"Việc số {k} của {village.name}")
                for k in range(8)
            ],
        )
    round_ = sf.round_of(commune)
    planner = commune_planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    sf.envelope_line(round_, sf.ntp(), "20000")
    allocation_run(actor=planner, plan=plan)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=sf.approver(commune), plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    client = Client()
    for url in [
        "/cong-khai/",
        "/cong-khai/tinh/44/",
        "/cong-khai/xa/19702/",
        PLAN,
        f"{PLAN}thon/{villages[0].code}/",
        "/cong-khai/du-lieu/",
    ]:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert _transferred(response) < BUDGET_BYTES, url
    html = client.get(PLAN).content.decode()
    assert html.count('<tr id="line-') == 320
