"""The progress workbook (F14) out and in: a round trip makes one new report per changed work
and none for the others; every wrong cell refuses the whole file naming the cell; a report made
on the web after the download is a conflict, and one made between the check and the
confirmation makes the upload stale; who may upload, and when; the totals as LibreOffice
recalculates them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from openpyxl import Workbook

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f14
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.reading import open_workbook
from kehoach.geo.tests.factories import dong_hoi
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import Disbursement, ProgressReport
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.monitoring.tests.factories import followed_plan, report_data
from kehoach.synthesis.choices import CommunePlanStatus
from kehoach.synthesis.models import CommunePlan

from .helpers import confirm, libreoffice_convert, opened, saved, upload

pytestmark = pytest.mark.django_db
D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROWS = (10, 11)
"""The two header rows of a commune form (title block without a village)."""


@pytest.fixture
def world() -> dict[str, Any]:
    """The followed plan of Hải Lăng; the road already has a report made on the web (half
    done, 250 disbursed from NTP26), the school has none."""
    world = followed_plan()
    world["road_report"] = _web_report(world)
    return world


def _web_report(world: dict[str, Any], **overrides: Any) -> ProgressReport:
    return progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(**overrides),
        disbursed={world["ntp"]: D(250)},
    )


def _status(value: str) -> str:
    """A status as the workbook's drop-down list writes it."""
    return f14._statuses().label_of(value)


class Sheet:
    """The F14 sheet of an exported workbook, its cells found by header and by work."""

    def __init__(self, data: bytes) -> None:
        self.book: Workbook = opened(data)
        self.ws = self.book["F14"]
        self.key_column = self.ws.max_column

    def letter(self, header: str) -> str:
        """The column headed ``header`` (or "1. NTP26" for "1. NTP26 – Hạ tầng: giao thông")."""
        cells = [c for row in HEADER_ROWS for c in self.ws[row] if isinstance(c.value, str)]
        for cell in cells:
            if cell.value == header:
                return str(cell.column_letter)
        for cell in cells:
            if str(cell.value).startswith(f"{header} – "):
                return str(cell.column_letter)
        raise KeyError(header)

    def row(self, activity: str) -> int:
        letter = self.letter("Công trình / hoạt động")
        for row in range(HEADER_ROWS[1] + 2, self.ws.max_row + 1):
            if self.ws[f"{letter}{row}"].value == activity:
                return row
        raise KeyError(activity)

    def cell(self, activity: str, header: str) -> str:
        return f"{self.letter(header)}{self.row(activity)}"

    def set(self, activity: str, values: dict[str, Any]) -> None:
        for header, value in values.items():
            self.ws[self.cell(activity, header)] = value

    def bytes(self) -> bytes:
        return saved(self.book)


def _sheet(world: dict[str, Any]) -> Sheet:
    return Sheet(f14.export(world["plan"]))


def _reports(world: dict[str, Any], line: str) -> list[ProgressReport]:
    return list(ProgressReport.objects.filter(line=world[line]).order_by("id"))


def _today_plus(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%d/%m/%Y")


# --- out --------------------------------------------------------------------------------------


def test_the_workbook_holds_the_works_with_their_latest_position(world: dict[str, Any]) -> None:
    sheet = _sheet(world)
    ws = sheet.ws
    road, school = sheet.row(f14_road(world)), sheet.row(world["school"].activity)
    assert ws[f"{sheet.letter('Khối lượng')}{road}"].value == 1.5
    assert ws[f"{sheet.letter('Khối lượng đã thực hiện')}{road}"].value == 0.75
    assert ws[f"{sheet.letter('Tình trạng')}{road}"].value == _status("ongoing")
    assert ws[f"{sheet.letter('1. NTP26')}{road}"].value == 250
    assert ws[f"{sheet.letter('Ngày báo cáo')}{road}"].value.date() == datetime.date(2026, 11, 30)
    assert ws[f"{sheet.letter('Ngày báo cáo')}{school}"].value is None
    percent = ws[f"{sheet.letter('% hoàn thành')}{road}"].value
    assert percent.startswith("=") and f"{road}" in percent
    # approved figures are locked, the position is editable
    assert ws[f"{sheet.letter('Tổng kinh phí')}{road}"].protection.locked
    assert not ws[f"{sheet.letter('Khối lượng đã thực hiện')}{road}"].protection.locked
    assert ws.protection.sheet
    # the one money column per envelope line funding a work, and the metadata for the round trip
    assert sheet.letter("2. NS-X")
    meta = {row[0]: row[1] for row in sheet.book["_kehoach"].iter_rows(values_only=True)}
    assert f"={world['road_report'].uid}" in meta["reports"]
    assert meta["form"] == "F14" and meta["plan"] == str(world["plan"].uid)
    assert sheet.book["_kehoach"].sheet_state == "hidden"
    statuses = [c.value for c in sheet.book["Danh mục"]["A"][1:]]
    assert statuses == [_status(s) for s in ProgressStatus.values]


def f14_road(world: dict[str, Any]) -> str:
    return str(world["road"].activity)


def test_the_export_reads_a_fixed_number_of_queries(world: dict[str, Any]) -> None:
    plan = world["plan"]
    f14.export(plan)  # what is read once and cached (layouts, the profile)
    with CaptureQueriesContext(connection) as before:
        f14.export(plan)
    progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(quantity_done=D("0.2"), contribution_cash_mvnd=D(5)),
        disbursed={world["budget"]: D(50)},
    )
    _web_report(world, reported_on=datetime.date(2026, 12, 1), quantity_done=D(1))
    with CaptureQueriesContext(connection) as after:
        f14.export(plan)
    assert len(after) == len(before)


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_makes_one_new_report_per_changed_work(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    road, school = f14_road(world), world["school"].activity
    sheet = _sheet(world)
    sheet.set(
        road,
        {
            "Ngày báo cáo": "01/12/2026",
            "Khối lượng đã thực hiện": "1,5",
            "Tình trạng": _status("completed"),
            "Hoàn thành": datetime.date(2026, 12, 1),
            "1. NTP26": "480,5",
            "Tiền mặt": 60,
        },
    )
    sheet.set(
        school,
        {
            "Ngày báo cáo": datetime.date(2026, 12, 1),
            "Khối lượng đã thực hiện": 0.4,
            "Tình trạng": _status("ongoing"),
            "Khởi công": "15/11/2026",
            "2. NS-X": 100,
            "Tiền mặt": 5,
            "Số ngày công": 40,
            "Khó khăn, vướng mắc": "Thiếu cát xây dựng",
        },
    )
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"] == {"add": 2, "change": 0, "remove": 0}
    road_change = next(c for c in record.summary["changes"] if road in c["label"])
    with translation.override("vi"):
        status_label = str(ProgressStatus.COMPLETED.label)
    assert any(field[2] == status_label for field in road_change["fields"])
    assert any(field[1:] == ["250", "480,5"] for field in road_change["fields"])
    assert ProgressReport.objects.count() == 1  # the check saved nothing

    confirm(plan, planner, record)
    record.refresh_from_db()
    assert record.result == "applied"
    road_reports, school_reports = _reports(world, "road"), _reports(world, "school")
    assert len(road_reports) == 2 and len(school_reports) == 1
    latest = road_reports[-1]
    assert latest.is_latest and not road_reports[0].is_latest
    assert (latest.reported_on, latest.quantity_done, latest.status) == (
        datetime.date(2026, 12, 1),
        D("1.5"),
        ProgressStatus.COMPLETED,
    )
    assert (latest.actual_start, latest.actual_finish) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 1),
    )
    assert latest.contribution_cash_mvnd == D(60)
    assert latest.contribution_labour_mvnd == D(15)  # kept from the row as it was
    assert latest.reporter == planner
    assert [(d.envelope_line.source.code, d.amount_mvnd) for d in latest.disbursements.all()] == [
        ("NTP26", D("480.5"))
    ]
    first = school_reports[0]
    assert (first.quantity_done, first.status, first.actual_start) == (
        D("0.4"),
        ProgressStatus.ONGOING,
        datetime.date(2026, 11, 15),
    )
    assert (first.contribution_labour_days, first.problems) == (D(40), "Thiếu cát xây dựng")
    assert [(d.envelope_line.source.code, d.amount_mvnd) for d in first.disbursements.all()] == [
        ("NS-X", D(100))
    ]


def test_unchanged_rows_make_no_report(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    record = upload(plan, planner, f14.export(plan), form="F14")
    assert record.result == "previewed", record.errors
    assert record.summary["changes"] == []
    confirm(plan, planner, record)
    assert ProgressReport.objects.count() == 1

    sheet = _sheet(world)
    sheet.set(
        world["school"].activity,
        {
            "Ngày báo cáo": "01/12/2026",
            "Tình trạng": _status("not_started"),
            "Khó khăn, vướng mắc": "Chờ mặt bằng",
        },
    )
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    confirm(plan, planner, record)
    assert len(_reports(world, "road")) == 1  # the road's row was left as it was
    assert [(r.status, r.problems) for r in _reports(world, "school")] == [
        (ProgressStatus.NOT_STARTED, "Chờ mặt bằng")
    ]


def test_a_back_dated_row_is_kept_in_the_history(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    sheet.set(f14_road(world), {"Ngày báo cáo": "15/11/2026", "Khối lượng đã thực hiện": 0.5})
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    assert any("30/11/2026" in note for note in record.summary["notes"])
    confirm(plan, planner, record)
    assert ProgressReport.objects.get(line=world["road"], is_latest=True) == world["road_report"]
    assert len(_reports(world, "road")) == 2


def test_a_work_missing_from_the_workbook_changes_nothing(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    sheet.set(f14_road(world), {"Ngày báo cáo": "01/12/2026", "Khối lượng đã thực hiện": 1})
    sheet.ws.delete_rows(sheet.row(world["school"].activity))
    with translation.override("vi"):
        record = upload(plan, planner, sheet.bytes(), form="F14")
        note = ngettext(
            "%(n)s work is not in the workbook; nothing changes for it (works are not "
            "removed through this form).",
            "%(n)s works are not in the workbook; nothing changes for them (works are not "
            "removed through this form).",
            1,
        ) % {"n": 1}
    assert record.result == "previewed", record.errors
    assert record.summary["counts"]["add"] == 1
    assert note in record.summary["notes"]
    confirm(plan, planner, record)
    assert len(_reports(world, "road")) == 2 and _reports(world, "school") == []


# --- refused whole, naming the cell -----------------------------------------------------------

BAD_ROAD_ROWS: dict[str, tuple[dict[str, Any], str]] = {
    "quantity above the approved without a reason": (
        {"Ngày báo cáo": "01/12/2026", "Khối lượng đã thực hiện": 2},
        "Khối lượng đã thực hiện",
    ),
    "disbursed above the approved without a reason": (
        {"Ngày báo cáo": "01/12/2026", "1. NTP26": 600},
        "1. NTP26",
    ),
    "disbursed from a source that does not fund the work": (
        {"Ngày báo cáo": "01/12/2026", "2. NS-X": 10},
        "2. NS-X",
    ),
    "completed without its finish date": (
        {"Ngày báo cáo": "01/12/2026", "Khối lượng đã thực hiện": 1.5, "Tình trạng": "completed"},
        "Hoàn thành",
    ),
    "a status not in the list": ({"Tình trạng": "Xong rồi"}, "Tình trạng"),
    "text in a money cell": ({"Tiền mặt": "hai mươi triệu"}, "Tiền mặt"),
    "a date in the future": ({"Ngày báo cáo": _today_plus(10)}, "Ngày báo cáo"),
    "a quantity that is not a number": (
        {"Khối lượng đã thực hiện": "gần xong"},
        "Khối lượng đã thực hiện",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROAD_ROWS))
def test_a_wrong_cell_refuses_the_whole_workbook(world: dict[str, Any], case: str) -> None:
    plan, planner = world["plan"], world["planner"]
    values, header = BAD_ROAD_ROWS[case]
    if values.get("Tình trạng") == "completed":
        values = {**values, "Tình trạng": _status("completed")}
    sheet = _sheet(world)
    sheet.set(f14_road(world), values)
    # a correct change of the school in the same file is not saved either
    sheet.set(
        world["school"].activity,
        {"Ngày báo cáo": "01/12/2026", "Tình trạng": _status("not_started")},
    )
    cell = sheet.cell(f14_road(world), header)
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "refused", record.summary
    assert [(e["row"], e["column"]) for e in record.errors] == [
        (sheet.row(f14_road(world)), sheet.letter(header))
    ], record.errors
    assert cell in record.errors[0]["message"] and "F14" in record.errors[0]["message"]
    assert ProgressReport.objects.count() == 1
    assert Disbursement.objects.count() == 1


def test_a_reason_lets_a_figure_exceed_the_plan(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    sheet.set(
        f14_road(world),
        {
            "Ngày báo cáo": "01/12/2026",
            "Khối lượng đã thực hiện": 1.8,
            "1. NTP26": 520,
            "Lý do vượt kế hoạch được duyệt": "Nối thêm 300 m theo đề nghị của thôn",
        },
    )
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    confirm(plan, planner, record)
    latest = ProgressReport.objects.get(line=world["road"], is_latest=True)
    assert (latest.quantity_done, latest.excess_reason) == (
        D("1.8"),
        "Nối thêm 300 m theo đề nghị của thôn",
    )


def test_the_excess_message_says_what_to_do(world: dict[str, Any]) -> None:
    sheet = _sheet(world)
    sheet.set(f14_road(world), {"Ngày báo cáo": "01/12/2026", "Khối lượng đã thực hiện": 2})
    with translation.override("vi"):
        record = upload(world["plan"], world["planner"], sheet.bytes(), form="F14")
        what = gettext("The quantity done (%(done)s %(unit)s) is above the approved %(planned)s.")
        expected = what % {"done": "2", "unit": world["road"].unit.name, "planned": "1,5"}
    assert expected in record.errors[0]["problem"]
    assert len(record.errors[0]["problem"]) > len(expected)  # and what to do about it


def test_rows_cannot_be_added(world: dict[str, Any]) -> None:
    sheet = _sheet(world)
    school = sheet.row(world["school"].activity)
    sheet.ws.cell(row=school, column=sheet.key_column).value = None
    sheet.set(world["school"].activity, {"Ngày báo cáo": "01/12/2026"})
    record = upload(world["plan"], world["planner"], sheet.bytes(), form="F14")
    assert record.result == "refused"
    assert (record.errors[0]["row"], record.errors[0]["column"]) == (
        school,
        sheet.letter("Công trình / hoạt động"),
    )
    assert ProgressReport.objects.count() == 1


def test_another_plans_workbook_is_refused(world: dict[str, Any]) -> None:
    other = followed_plan(dong_hoi())
    record = upload(other["plan"], other["planner"], f14.export(world["plan"]), form="F14")
    assert record.result == "refused"
    assert record.errors[0]["message"].count("F14") == 1


# --- conflicts and stale uploads --------------------------------------------------------------


def test_a_row_changed_after_a_newer_web_report_is_a_conflict(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    newer = _web_report(world, reported_on=datetime.date(2026, 12, 1), quantity_done=D(1))
    sheet.set(f14_road(world), {"Ngày báo cáo": "02/12/2026", "Khối lượng đã thực hiện": 1.2})
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "refused"
    error = record.errors[0]
    assert (error["row"], error["column"]) == (
        sheet.row(f14_road(world)),
        sheet.letter("Ngày báo cáo"),
    )
    assert "01/12/2026" in error["message"] and newer.reporter_name in error["message"]
    assert ProgressReport.objects.filter(line=world["road"]).count() == 2


def test_an_unchanged_row_with_a_newer_web_report_is_left_alone(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    newer = _web_report(world, reported_on=datetime.date(2026, 12, 1), quantity_done=D(1))
    sheet.set(
        world["school"].activity,
        {"Ngày báo cáo": "01/12/2026", "Tình trạng": _status("not_started")},
    )
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"]["add"] == 1
    assert any(f14_road(world) in note and "01/12/2026" in note for note in record.summary["notes"])
    confirm(plan, planner, record)
    assert ProgressReport.objects.get(line=world["road"], is_latest=True) == newer


def test_an_empty_row_of_a_work_first_reported_on_the_web_is_left_alone(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    on_web = progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(quantity_done=D("0.2"), contribution_cash_mvnd=D(5)),
        disbursed={world["budget"]: D(50)},
    )
    sheet.set(f14_road(world), {"Ngày báo cáo": "01/12/2026", "Khối lượng đã thực hiện": 1})
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    assert [c["label"] for c in record.summary["changes"]] == [
        f"{world['road'].number}. {f14_road(world)}"
    ]
    assert any(world["school"].activity in note for note in record.summary["notes"])
    confirm(plan, planner, record)
    assert _reports(world, "school") == [on_web]
    assert len(_reports(world, "road")) == 2


def test_a_web_report_between_check_and_confirmation_makes_the_upload_stale(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    sheet = _sheet(world)
    sheet.set(
        world["school"].activity,
        {"Ngày báo cáo": "01/12/2026", "Tình trạng": _status("not_started")},
    )
    record = upload(plan, planner, sheet.bytes(), form="F14")
    assert record.result == "previewed", record.errors
    _web_report(world, reported_on=datetime.date(2026, 12, 1), quantity_done=D(1))
    with pytest.raises(ApplicationError) as caught:
        confirm(plan, planner, record)
    assert caught.value.code == "import_stale"
    record.refresh_from_db()
    assert record.result == "stale"
    assert _reports(world, "school") == []
    assert ProgressReport.objects.count() == 2  # the two made on the web


# --- who may upload, and when -----------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, plan: CommunePlan, data: bytes) -> Any:
    url = reverse("exchange:commune_upload", args=[plan.uid, "F14"])
    return client.post(url, {"file": SimpleUploadedFile("tien-do.xlsx", data, content_type=XLSX)})


def _changed_school(world: dict[str, Any]) -> bytes:
    sheet = _sheet(world)
    sheet.set(
        world["school"].activity,
        {"Ngày báo cáo": "01/12/2026", "Tình trạng": _status("not_started")},
    )
    return sheet.bytes()


def test_the_planner_uploads_previews_and_confirms_on_the_page(world: dict[str, Any]) -> None:
    plan = world["plan"]
    client = _client(world["planner"])
    page = client.get(reverse("exchange:commune", args=[plan.uid])).content.decode()
    assert reverse("exchange:commune_download", args=[plan.uid, "F14"]) in page
    assert reverse("exchange:commune_upload", args=[plan.uid, "F14"]) in page
    download = client.get(reverse("exchange:commune_download", args=[plan.uid, "F14"]))
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert "F14-19702-2027.xlsx" in download["Content-Disposition"]
    response = _post(client, plan, _changed_school(world))
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and record.result == "previewed"
    preview = client.get(reverse("exchange:import", args=[record.uid])).content.decode()
    assert world["school"].activity in preview
    done = client.post(reverse("exchange:import_confirm", args=[record.uid]))
    assert done.status_code == 302
    assert [r.status for r in _reports(world, "school")] == [ProgressStatus.NOT_STARTED]


def test_another_communes_planner_gets_404(world: dict[str, Any]) -> None:
    plan = world["plan"]
    stranger = _client(commune_planner(dong_hoi()))
    download = reverse("exchange:commune_download", args=[plan.uid, "F14"])
    assert stranger.get(download).status_code == 404
    assert _post(stranger, plan, _changed_school(world)).status_code == 404
    assert not ImportRecord.objects.exists()


def test_a_reader_may_download_but_not_upload(world: dict[str, Any]) -> None:
    plan = world["plan"]
    donor = _client(user_with_role(Role.DONOR_VIEWER, world["commune"]))
    assert (
        donor.get(reverse("exchange:commune_download", args=[plan.uid, "F14"])).status_code == 200
    )
    page = donor.get(reverse("exchange:commune", args=[plan.uid])).content.decode()
    assert reverse("exchange:commune_upload", args=[plan.uid, "F14"]) not in page
    assert _post(donor, plan, _changed_school(world)).status_code == 404
    assert not ImportRecord.objects.exists()


def test_a_plan_not_yet_published_refuses_the_upload_with_a_message() -> None:
    world = followed_plan(publish=False)
    plan = world["plan"]
    client = _client(world["planner"])
    page = client.get(reverse("exchange:commune", args=[plan.uid])).content.decode()
    assert reverse("exchange:commune_upload", args=[plan.uid, "F14"]) not in page
    data = f14.export(plan)
    with translation.override("vi"):
        response = client.post(
            reverse("exchange:commune_upload", args=[plan.uid, "F14"]),
            {"file": SimpleUploadedFile("tien-do.xlsx", data, content_type=XLSX)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="vi",
        )
        message = gettext(
            "The commune plan %(year)s has not been published yet: its works are followed once "
            "the approved plan is published."
        ) % {"year": 2027}
    assert [str(m) for m in response.context["messages"]] == [message]
    assert not ImportRecord.objects.exists()
    assert not ProgressReport.objects.exists()


def test_a_closed_plan_refuses_the_upload(world: dict[str, Any]) -> None:
    plan = world["plan"]
    data = _changed_school(world)
    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.CLOSED)
    plan.refresh_from_db()
    client = _client(world["planner"])
    page = client.get(reverse("exchange:commune", args=[plan.uid])).content.decode()
    assert reverse("exchange:commune_upload", args=[plan.uid, "F14"]) not in page
    response = _post(client, plan, data)
    assert response.status_code == 302
    assert not ImportRecord.objects.exists()
    assert _reports(world, "school") == []


def test_the_upload_stays_open_after_the_plan_left_the_draft(world: dict[str, Any]) -> None:
    """F9, F11 and F12 change a draft; the published plan takes progress only."""
    plan = world["plan"]
    assert not plan.is_editable
    page = _client(world["planner"]).get(reverse("exchange:commune", args=[plan.uid]))
    html = page.content.decode()
    assert reverse("exchange:commune_upload", args=[plan.uid, "F14"]) in html
    assert reverse("exchange:commune_upload", args=[plan.uid, "F12"]) not in html


# --- the totals in a real spreadsheet ---------------------------------------------------------


def _totals_row(data: bytes) -> list[Any]:
    grid = open_workbook(data, "bieu.xlsx").sheet("F14").grid
    return next(row for row in grid if len(row) > 1 and row[1] == "Tổng cộng")


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def test_libreoffice_recalculates_the_totals_and_the_percentages(world: dict[str, Any]) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(
            quantity_done=D("0.4"),
            contribution_cash_mvnd=D("12.5"),
            contribution_labour_mvnd=D(3),
            contribution_materials_mvnd=D("7.25"),
        ),
        disbursed={world["budget"]: D("140.5")},
    )
    exported = f14.export(world["plan"])
    sheet = Sheet(exported)
    recalculated = libreoffice_convert(exported, "xlsx", "xlsx")
    totals = _totals_row(recalculated)
    grid = open_workbook(recalculated, "bieu.xlsx").sheet("F14").grid
    rows = [grid[sheet.row(a) - 1] for a in (f14_road(world), world["school"].activity)]

    def index(header: str) -> int:
        letter = sheet.letter(header)
        return sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letter))) - 1

    money = [
        "Tổng kinh phí",
        "Vốn hỗ trợ được bố trí",
        "1. NTP26",
        "2. NS-X",
        "Tiền mặt",
        "Giá trị ngày công",
        "Vật liệu",
    ]
    for header in money:
        column = index(header)
        assert _money(totals[column]) == sum((_money(r[column]) for r in rows), D(0)), header
    assert _money(totals[index("Tổng kinh phí")]) == D(1000)
    assert _money(totals[index("1. NTP26")]) == D(250)
    assert _money(totals[index("2. NS-X")]) == D("140.5")
    assert _money(totals[index("Tiền mặt")]) == D("32.5")
    percent = index("% hoàn thành")
    assert [_money(r[percent]) for r in rows] == [D(50), D(40)]


def test_a_workbook_saved_again_by_libreoffice_changes_nothing(world: dict[str, Any]) -> None:
    """Dates, decimals and the status come back from LibreOffice (.ods here) as they went out:
    no false change makes a report."""
    plan, planner = world["plan"], world["planner"]
    resaved = libreoffice_convert(f14.export(plan), "xlsx", "ods")
    record = upload(plan, planner, resaved, filename="tien-do.ods", form="F14")
    assert record.result == "previewed", record.errors
    assert record.summary["changes"] == []
