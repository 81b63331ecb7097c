"""Open data: each dataset of a commune and of a province, in each format, parses (csv,
python-calamine, json), has the columns of its dictionary, the right rows and the right totals,
and the three formats agree."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from python_calamine import CalamineWorkbook

from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.portal.opendata import DATASETS, plain
from kehoach.synthesis.choices import Decision

from .crawl import body
from .factories import followed_plan, photo_of, report_data

pytestmark = pytest.mark.django_db

D = Decimal
ROAD = "Bê tông hóa đường xóm Trên"
SCHOOL = "Sửa phòng học mẫu giáo"
FARM = "Tập huấn chăn nuôi"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    world = followed_plan()
    report = progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(200)},
    )
    photo_of(report, "before")
    photo_of(report, "during")
    return world


def _get(client: Client, code: str, year: int, dataset: str, fmt: str) -> Any:
    response = client.get(f"/cong-khai/du-lieu/{code}/{year}/{dataset}.{fmt}")
    assert response.status_code == 200
    return response


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[dict[str, Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python()
    header = [str(x) for x in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def read_json(content: bytes) -> dict[str, Any]:
    return dict(json.loads(content, parse_float=D))


def all_formats(client: Client, code: str, dataset: str, year: int = 2027) -> Any:
    csv_rows = read_csv(body(_get(client, code, year, dataset, "csv")))
    xlsx_rows = read_xlsx(body(_get(client, code, year, dataset, "xlsx")))
    document = read_json(body(_get(client, code, year, dataset, "json")))
    names = [f.name for f in DATASETS[dataset].fields]
    assert list(csv_rows[0]) == names if csv_rows else True
    assert [f["name"] for f in document["fields"]] == names
    for row in xlsx_rows:
        assert list(row) == names
    assert len(csv_rows) == len(xlsx_rows) == len(document["rows"])
    return csv_rows, xlsx_rows, document


def _money(value: Any) -> Decimal:
    if value in ("", None):
        return D(0)
    return D(str(value))


def test_the_plans_of_a_commune_in_three_formats(world: dict[str, Any]) -> None:
    csv_rows, xlsx_rows, document = all_formats(Client(), "19702", "ke-hoach")
    assert [r["activity"] for r in csv_rows] == [FARM, ROAD, SCHOOL]
    road = next(r for r in csv_rows if r["activity"] == ROAD)
    assert {k: road[k] for k in ("commune_code", "commune_name", "province_name", "version")} == {
        "commune_code": "19702",
        "commune_name": "Xã Hải Lăng",
        "province_name": "Quảng Trị",
        "version": "1",
    }
    assert road["resolution_number"] == "25/NQ-HĐND" and road["resolution_date"] == "2026-12-01"
    assert datetime.date.fromisoformat(road["published_on"])
    assert (road["total_cost_mvnd"], road["contribution_mvnd"], road["funding"]) == (
        "600",
        "100",
        "NTP26: 500",
    )
    assert (road["decision"], road["villages"], road["start_month"]) == (
        "funded",
        "Thôn Diên Sanh",
        "2027-03",
    )
    for rows in (csv_rows, xlsx_rows, document["rows"]):
        assert sum(_money(r["total_cost_mvnd"]) for r in rows) == D(1030)
        assert sum(_money(r["contribution_mvnd"]) for r in rows) == D(150)
        assert sum(_money(r["approved_support_mvnd"]) for r in rows) == D(850)
    xlsx_road = next(r for r in xlsx_rows if r["activity"] == ROAD)
    assert xlsx_road["resolution_date"] == datetime.date(2026, 12, 1)
    assert xlsx_road["total_cost_mvnd"] == 600
    json_road = next(r for r in document["rows"] if r["activity"] == ROAD)
    assert json_road["funding"] == [
        {"source": "NTP26", "source_name": "CTMTQG 2026–2035", "amount_mvnd": 500}
    ]
    assert json_road["quantity"] == D("1.5") and json_road["resolution_date"] == "2026-12-01"
    assert document["unit"] == {"code": "19702", "name": "Xã Hải Lăng"}
    assert document["year"] == 2027


def test_the_decisions_list_every_village_proposal_with_its_fate(world: dict[str, Any]) -> None:
    csv_rows, xlsx_rows, document = all_formats(Client(), "19702", "quyet-dinh")
    got = [
        (r["village_name"], r["proposal_number"], r["proposal"], r["decision"]) for r in csv_rows
    ]
    assert got == [
        ("Thôn Diên Sanh", "1", ROAD, "funded"),
        ("Thôn Diên Sanh", "2", SCHOOL, "funded"),
        ("Thôn Mỹ Chánh", "1", FARM, "unfunded"),
    ]
    farm = csv_rows[2]
    assert farm["decision_reason"] == "Chưa có nguồn vốn phù hợp"
    assert farm["approved_support_mvnd"] == "0" and farm["taken_out_by_amendment"] == "false"
    assert csv_rows[1]["funding"] == "NS-X: 350" and csv_rows[1]["contribution_mvnd"] == "50"
    for rows in (csv_rows, xlsx_rows, document["rows"]):
        assert sum(_money(r["approved_support_mvnd"]) for r in rows) == D(850)
    assert document["rows"][2]["taken_out_by_amendment"] is False
    assert xlsx_rows[2]["taken_out_by_amendment"] is False


def test_the_progress_lists_the_works_with_their_latest_report(world: dict[str, Any]) -> None:
    csv_rows, xlsx_rows, document = all_formats(Client(), "19702", "tien-do")
    assert [r["activity"] for r in csv_rows] == [ROAD, SCHOOL]  # the funded works only
    road, school = csv_rows
    assert {
        k: road[k]
        for k in (
            "quantity_planned",
            "quantity_done",
            "percent_done",
            "status",
            "reported_on",
            "approved_support_mvnd",
            "disbursed_mvnd",
            "disbursed",
            "contribution_planned_mvnd",
            "contribution_given_mvnd",
            "labour_days_given",
            "photos",
        )
    } == {
        "quantity_planned": "1.5",
        "quantity_done": "0.75",
        "percent_done": "50",
        "status": "ongoing",
        "reported_on": "2026-11-30",
        "approved_support_mvnd": "500",
        "disbursed_mvnd": "200",
        "disbursed": "NTP26: 200",
        "contribution_planned_mvnd": "100",
        "contribution_given_mvnd": "35",
        "labour_days_given": "100",
        "photos": "2",
    }
    # a work without a report: the report's fields are empty
    assert (school["status"], school["quantity_done"], school["reported_on"]) == ("", "", "")
    assert school["approved_support_mvnd"] == "350"
    for rows in (csv_rows, xlsx_rows, document["rows"]):
        assert sum(_money(r["disbursed_mvnd"]) for r in rows) == D(200)
        assert sum(_money(r["approved_support_mvnd"]) for r in rows) == D(850)
    assert xlsx_rows[0]["reported_on"] == datetime.date(2026, 11, 30)
    assert document["rows"][0]["disbursed"] == [
        {"source": "NTP26", "source_name": "CTMTQG 2026–2035", "amount_mvnd": 200}
    ]


def test_a_province_file_holds_every_commune_in_vietnamese_order(world: dict[str, Any]) -> None:
    for code, name in [("19707", "Xã Hải An"), ("19708", "Xã Hải Đông")]:
        followed_plan(CommuneFactory.create(code=code, name=name, parent=quang_tri()))
    client = Client()
    csv_rows, xlsx_rows, document = all_formats(client, "44", "ke-hoach")
    assert [r["commune_code"] for r in csv_rows] == ["19707"] * 3 + ["19708"] * 3 + ["19702"] * 3
    for rows in (csv_rows, xlsx_rows, document["rows"]):
        assert sum(_money(r["total_cost_mvnd"]) for r in rows) == D(3090)
    csv_rows, _x, _j = all_formats(client, "44", "quyet-dinh")
    assert len(csv_rows) == 9
    csv_rows, _x, _j = all_formats(client, "44", "tien-do")
    assert len(csv_rows) == 6 and sum(_money(r["disbursed_mvnd"]) for r in csv_rows) == D(200)


def test_file_names_types_and_headers(world: dict[str, Any]) -> None:
    client = Client()
    response = _get(client, "44", 2027, "ke-hoach", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ke-hoach-44-2027.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    response = _get(client, "19702", 2027, "tien-do", "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="tien-do-19702-2027.xlsx"' in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(body(response)))
    assert len(book.sheet_names) == 2  # the data and its dictionary
    dictionary = book.get_sheet_by_index(1).to_python()
    assert [row[0] for row in dictionary[1:]] == [f.name for f in DATASETS["tien-do"].fields]
    for url in [
        "/cong-khai/du-lieu/19702/2027/khac.csv",
        "/cong-khai/du-lieu/19702/2027/ke-hoach.pdf",
        "/cong-khai/du-lieu/19702-001/2027/ke-hoach.csv",
        "/cong-khai/du-lieu/99/2027/ke-hoach.csv",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_labels_in_files_are_vietnamese_whatever_the_visitor_reads(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/cong-khai/"})
    assert 'lang="en"' in client.get("/cong-khai/").content.decode()
    rows = read_csv(body(_get(client, "19702", 2027, "ke-hoach", "csv")))
    with translation.override("vi"):
        unfunded, funded = str(Decision.UNFUNDED.label), str(Decision.FUNDED.label)
    assert [r["decision_label"] for r in rows] == [unfunded, funded, funded]


def test_the_dictionary_lists_every_field_of_every_dataset(world: dict[str, Any]) -> None:
    html = Client().get("/cong-khai/du-lieu/").content.decode()
    for dataset in DATASETS.values():
        assert f'id="fields-{dataset.slug}"' in html
        for f in dataset.fields:
            assert f"<code>{f.name}</code>" in html, f.name
    assert "<code>funded</code>" in html and "<code>ongoing</code>" in html


def test_plain_numbers() -> None:
    assert [plain(D(x)) for x in ("500.000", "0.750", "0", "1030", "12.5")] == [
        "500",
        "0.75",
        "0",
        "1030",
        "12.5",
    ]
