"""Open data never hands a formula to a spreadsheet: a published plan whose activities,
locations and reasons start like formulas gives a CSV where those texts carry a leading
apostrophe (and numbers none), an XLSX where they are string cells with the quote prefix and no
formula at all, and a JSON with the texts as stored. A published plan with no works gives empty
but valid progress files."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from kehoach.exchange.tests.neutral import (
    HOSTILE,
    LINK,
    MINUS,
    PLUS,
    REASON,
    assert_kept_as_text,
    assert_neutral,
    body,
    libreoffice_open,
    published_with_formula_texts,
    published_without_works,
)
from kehoach.portal.opendata.datasets import BOOLEAN, DATE, INTEGER, MONEY, SOURCES, TEXT
from kehoach.portal.opendata.formats import _text_value
from kehoach.synthesis.models import CommuneLine

pytestmark = pytest.mark.django_db
CODE, YEAR = "19702", 2027
DATASETS = ("ke-hoach", "quyet-dinh", "tien-do")


@pytest.fixture(scope="module")
def soffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("soffice-profile")


def _get(dataset: str, fmt: str, code: str = CODE) -> bytes:
    response = Client().get(f"/cong-khai/du-lieu/{code}/{YEAR}/{dataset}.{fmt}")
    assert response.status_code == 200
    return body(response)


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def published() -> dict[str, Any]:
    return published_with_formula_texts()


def test_csv_texts_starting_like_formulas_get_an_apostrophe(published: dict[str, Any]) -> None:
    plans = _csv(_get("ke-hoach", "csv"))

    assert sorted(row["activity"] for row in plans) == sorted("'" + t for t in HOSTILE)
    assert {row["location"] for row in plans} == {"'" + MINUS}
    funded = next(row for row in plans if row["activity"] == "'" + LINK)
    assert funded["decision_reason"] == "'" + REASON
    assert funded["total_cost_mvnd"] == "600" and funded["approved_support_mvnd"] == "500"
    assert funded["resolution_number"] == "25/NQ-HĐND"  # any other text as it is
    others = [row for row in plans if row is not funded]
    assert {row["decision_reason"] for row in others} == {"'" + PLUS}
    decisions = _csv(_get("quyet-dinh", "csv"))
    assert sorted(row["proposal"] for row in decisions) == sorted("'" + t for t in HOSTILE)
    [work] = _csv(_get("tien-do", "csv"))
    assert work["activity"] == "'" + LINK and work["location"] == "'" + MINUS
    assert work["quantity_done"] == "0.75"
    # the database keeps the texts as typed
    stored = set(CommuneLine.objects.filter(plan=published["plan"]).values_list("activity"))
    assert stored == {(t,) for t in HOSTILE}


def test_numbers_are_not_text_and_keep_their_sign() -> None:
    assert _text_value(Decimal("-5.50"), MONEY) == "-5.5"
    assert _text_value(-3, INTEGER) == "-3"
    assert _text_value(datetime.date(2027, 3, 1), DATE) == "2027-03-01"
    assert _text_value(False, BOOLEAN) == "false"
    assert _text_value("-5 hộ", TEXT) == "'-5 hộ"
    sources = [{"source": "=X", "source_name": "X", "amount_mvnd": Decimal(5)}]
    assert _text_value(sources, SOURCES) == "'=X: 5"


def test_json_texts_are_the_texts_stored(published: dict[str, Any]) -> None:
    document = json.loads(_get("ke-hoach", "json"))

    rows = document["rows"]
    assert sorted(row["activity"] for row in rows) == sorted(HOSTILE)
    assert {row["decision_reason"] for row in rows} == {REASON, PLUS}
    assert {row["location"] for row in rows} == {MINUS}


def test_xlsx_texts_are_string_cells_with_the_quote_prefix(
    published: dict[str, Any], soffice_profile: Path
) -> None:
    files = {f"{name}.xlsx": _get(name, "xlsx") for name in DATASETS}

    for name, texts in (
        ("ke-hoach", [*HOSTILE, MINUS, REASON, PLUS]),
        ("quyet-dinh", [*HOSTILE, REASON, PLUS]),
        ("tien-do", [LINK, MINUS]),
    ):
        book = assert_neutral(files[f"{name}.xlsx"], texts)
        assert not book.formulas()
    saved = libreoffice_open(files, soffice_profile)
    assert_kept_as_text(saved["ke-hoach.xlsx"], HOSTILE)


def test_a_plan_with_no_works_gives_empty_progress_files(soffice_profile: Path) -> None:
    published_without_works()

    assert _csv(_get("tien-do", "csv")) == []
    header = _get("tien-do", "csv").decode("utf-8-sig").splitlines()
    assert header[0].startswith("province_code,")
    assert json.loads(_get("tien-do", "json"))["rows"] == []
    data = _get("tien-do", "xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.worksheets[0].max_row == 1  # the header row only
    saved = libreoffice_open({"tien-do.xlsx": data}, soffice_profile)["tien-do.xlsx"]
    assert len(load_workbook(io.BytesIO(saved)).sheetnames) == 2


def test_the_dictionary_page_tells_about_the_apostrophe() -> None:
    html = Client().get("/cong-khai/du-lieu/").content.decode()

    assert (
        "Trong tệp CSV, nội dung chữ bắt đầu bằng =, +, -, @, dấu tab hoặc dấu xuống dòng được "
        "thêm dấu nháy đơn (') ở đầu"
    ) in html
