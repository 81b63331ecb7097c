"""F7 through the pages: download, upload, preview, confirmation, a programme's own workbook
recognised by its headers (year groups included), hostile files and headers refused without a
500, and the number of queries bounded whatever the number of lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kehoach.accounts.tests.factories import commune_planner
from kehoach.exchange.forms import f7
from kehoach.exchange.models import ImportRecord
from kehoach.geo.tests.factories import CommuneFactory
from kehoach.midterm.models import MediumTermLine, MediumTermPlan
from kehoach.midterm.tests.drawing_factories import activity
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests import factories as f

from . import hostile
from .test_f7 import FIRST_ROW, YEARS, five_year_plan, letter_of, opened, saved, state, upload

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def setup() -> dict[str, Any]:
    plan, planner = five_year_plan()
    client = Client()
    client.force_login(planner)
    return {"plan": plan, "planner": planner, "client": client}


def post(client: Client, plan: MediumTermPlan, data: bytes, name: str = "bieu.xlsx") -> Any:
    url = reverse("exchange:f7_upload", args=[plan.uid])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def test_the_plan_workbook_downloads(setup: dict[str, Any]) -> None:
    plan, client = setup["plan"], setup["client"]
    response = client.get(reverse("exchange:f7_download", args=[plan.uid]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    name = f"F7-{plan.village.code}-2026-2030.xlsx"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    book = opened(response.content)
    assert book["F7"][f"C{FIRST_ROW}"].value == "Bê tông hóa đường thôn"
    blank = client.get(reverse("exchange:f7_download", args=[plan.uid]) + "?blank=1")
    assert opened(blank.content)["F7"][f"C{FIRST_ROW}"].value is None


def test_a_user_of_another_commune_gets_a_404(setup: dict[str, Any]) -> None:
    plan = setup["plan"]
    stranger = commune_planner(CommuneFactory.create(name="Xã Khác"))
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("exchange:f7_download", args=[plan.uid])).status_code == 404
    assert post(client, plan, f7.export(plan)).status_code == 404


def test_upload_preview_and_confirm_through_the_pages(setup: dict[str, Any]) -> None:
    plan, client = setup["plan"], setup["client"]
    book = opened(f7.export(plan))
    book["F7"][f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"
    response = post(client, plan, saved(book))
    record = ImportRecord.objects.get(target_uid=plan.uid)
    assert record.form == "F7" and record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:import", args=[record.uid])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Bê tông hóa đường trục thôn" in page.content.decode()
    done = client.post(reverse("exchange:import_confirm", args=[record.uid]))
    assert done.status_code == 302
    assert done["Location"] == reverse("midterm:plan", args=[plan.uid])
    assert MediumTermLine.objects.get(plan=plan, number=1).activity == (
        "Bê tông hóa đường trục thôn"
    )


def test_an_upload_to_a_submitted_plan_is_refused_with_a_message(setup: dict[str, Any]) -> None:
    plan, client = setup["plan"], setup["client"]
    data = f7.export(plan)
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    response = post(client, plan, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("midterm:plan", args=[plan.uid])
    assert not ImportRecord.objects.filter(target_uid=plan.uid).exists()


def test_a_refused_upload_shows_its_errors_page(setup: dict[str, Any]) -> None:
    plan, client = setup["plan"], setup["client"]
    book = opened(f7.export(plan))
    book["F7"][f"{letter_of(book, 'Khối lượng', 'Năm 2027')}{FIRST_ROW}"] = "nhiều"
    response = post(client, plan, saved(book))
    record = ImportRecord.objects.get(target_uid=plan.uid)
    assert record.result == ImportRecord.Result.REFUSED
    assert client.get(response["Location"]).status_code == 200
    errors = client.get(reverse("exchange:import_errors", args=[record.uid]))
    assert errors.status_code == 200 and errors["Content-Type"] == XLSX


def _programme_workbook(headers: tuple[list[str], list[str]], rows: list[list[Any]]) -> bytes:
    """A workbook made elsewhere: a title, two header rows (the year over its children, typed
    once, not merged) and the rows."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Kế hoạch 5 năm"
    ws.append(["KẾ HOẠCH PHÁT TRIỂN THÔN GIAI ĐOẠN 2026-2030"])
    ws.append([])
    for line in (*headers, *rows):
        ws.append(line)
    return saved(book)


def test_a_programme_workbook_is_read_by_its_headers_and_year_synonyms() -> None:
    plan, planner = five_year_plan(lines=0)
    f.sector(), f.unit()
    top = ["TT", "Lĩnh vực", "Nội dung", "Đơn vị tính", "Dân đóng góp", "Hỗ trợ từ bên ngoài"]
    below = ["", "", "", "", "", ""]
    for year in (2026, 2027):
        top += [f"Năm {year}", ""]
        below += ["Số lượng", "Vốn"]
    rows = [[1, "Hạ tầng: giao thông", "Làm đường bê tông", "km", 30, 70, 1, 40, 1.5, 60]]
    record = upload(plan, planner, _programme_workbook((top, below), rows))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 1, "change": 0, "remove": 0}
    from .test_f7 import confirm

    confirm(plan, planner, record)
    line = MediumTermLine.objects.get(plan=plan)
    assert line.activity == "Làm đường bê tông"
    assert [
        (y.year, float(y.quantity), float(y.cost_mvnd)) for y in line.years.order_by("year")
    ] == [
        (2026, 1.0, 40.0),
        (2027, 1.5, 60.0),
    ]


@pytest.mark.parametrize(
    "header",
    ['=HYPERLINK("http://evil.example";"Nội dung")', "Nội dung" * 5_000, "???", "=1+1"],
)
def test_a_hostile_header_is_refused_naming_what_is_missing(header: str) -> None:
    plan, planner = five_year_plan(lines=1)
    before = state(plan)
    top = ["TT", "Lĩnh vực", header, "Đơn vị tính", "Năm 2026"]
    below = ["", "", "", "", "Khối lượng"]
    data = _programme_workbook((top, below), [[1, "Giao thông", "x", "km", 1]])
    record = upload(plan, planner, data)
    assert record.result == ImportRecord.Result.REFUSED
    assert record.errors and record.errors[0]["code"] == "columns_missing", record.errors
    assert "Tên hoạt động / công trình" in record.errors[0]["message"]
    assert state(plan) == before


@pytest.mark.parametrize(
    "make",
    [
        hostile.zip_bomb_xlsx,
        hostile.huge_dimension_xlsx,
        hostile.laughs_in_sheet_xlsx,
        hostile.external_entity_xlsx,
        hostile.many_rows_xlsx,
    ],
    ids=lambda make: make.__name__,
)
def test_hostile_files_are_refused_through_the_page(setup: dict[str, Any], make: Any) -> None:
    plan, client = setup["plan"], setup["client"]
    before = state(plan)
    response = post(client, plan, make())
    assert response.status_code == 302
    record = ImportRecord.objects.filter(target_uid=plan.uid).first()
    assert record is None or record.result == ImportRecord.Result.REFUSED
    assert state(plan) == before


def _grow(plan: MediumTermPlan, count: int) -> None:
    for _number in range(count):
        activity(plan, dict(YEARS), activity="Đường nội đồng")


@pytest.mark.parametrize("lines", [3, 40])
def test_the_export_takes_the_same_queries_for_3_or_40_lines(
    lines: int, django_assert_max_num_queries: Any
) -> None:
    plan, _planner = five_year_plan(lines=0)
    _grow(plan, lines)
    plan = MediumTermPlan.objects.select_related("round__profile", "village").get(pk=plan.pk)
    with django_assert_max_num_queries(12):
        data = f7.export(plan)
    assert opened(data)["F7"][f"C{FIRST_ROW + lines - 1}"].value == "Đường nội đồng"


@pytest.mark.parametrize("lines", [3, 40])
def test_the_check_takes_the_same_queries_for_3_or_40_lines(
    lines: int, django_assert_max_num_queries: Any
) -> None:
    plan, planner = five_year_plan(lines=0)
    _grow(plan, lines)
    book = opened(f7.export(plan))
    for offset in range(lines):
        book["F7"][f"C{FIRST_ROW + offset}"] = f"Đường nội đồng {offset + 1}"
    data = saved(book)
    with django_assert_max_num_queries(22):
        record = upload(plan, planner, data)
    assert record.summary["counts"]["change"] == lines, record.errors


def test_an_unread_column_is_listed_and_its_matching_page_opens(setup: dict[str, Any]) -> None:
    plan, client = setup["plan"], setup["client"]
    book = opened(f7.export(plan))
    ws = book["F7"]
    ws.protection.sheet = False
    extra = ws.max_column + 1
    ws.cell(row=FIRST_ROW - 3, column=extra, value="Cột của xã")
    ws.cell(row=FIRST_ROW, column=extra, value="x")
    post(client, plan, saved(book))
    record = ImportRecord.objects.get(target_uid=plan.uid)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert [text for _letter, text in record.summary["unread"]] == ["Cột của xã"]
    page = client.get(reverse("exchange:import_columns", args=[record.uid]))
    assert page.status_code == 200
