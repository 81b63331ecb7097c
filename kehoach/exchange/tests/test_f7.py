"""F7 (the five-year village plan) out and in: one group of columns per year of the period,
the round trip applies exactly what changed, a status set by hand (planned ↔ dropped, with its
reason), every wrong cell refuses the whole file and names it, formula-looking text stays text,
the period's length (3 or 5 years), a plan no longer a draft, hostile headers and bounds."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f7
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import import_apply, import_check
from kehoach.exchange.targets import midterm_target_for
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import MediumTermLine, MediumTermLineYear, MediumTermPlan
from kehoach.midterm.tests.drawing_factories import activity, medium_plan, year_of
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

FIRST_ROW = 14
"""The first data row of an exported F7 (title block with the period, two header rows, the
row of column numbers)."""
YEARS = {2026: ("1", "40"), 2027: ("0.5", "30"), 2028: ("0.5", "30")}


def five_year_plan(first: int = 2026, last: int = 2030, *, lines: int = 3) -> tuple[Any, Any]:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    plan = medium_plan(village, status=PlanStatus.DRAFT, first=first, last=last)
    names = ["Bê tông hóa đường thôn", "Xây dựng nhà văn hóa thôn", "Nạo vét kênh nội đồng"]
    for number in range(lines):
        years = {y: v for y, v in YEARS.items() if y <= last}
        activity(plan, years, activity=names[number % 3])
    return plan, commune_planner(village.parent)


def opened(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(plan: MediumTermPlan, actor: Any, data: bytes) -> ImportRecord:
    target = midterm_target_for(user=actor, uid=plan.uid)
    return import_check(actor=actor, target=target, data=data, filename="bieu.xlsx")


def confirm(plan: MediumTermPlan, actor: Any, record: ImportRecord) -> ImportRecord:
    target = midterm_target_for(user=actor, uid=plan.uid)
    return import_apply(actor=actor, target=target, record=record)


def letter_of(book: Workbook, header: str, parent: str = "") -> str:
    """The letter of the column titled ``header`` (under ``parent`` when given)."""
    ws = book["F7"]
    top, below = FIRST_ROW - 3, FIRST_ROW - 2
    for cell in ws[below]:
        if cell.value == header and (not parent or _merged_value(ws, top, cell.column) == parent):
            return str(cell.column_letter)
    for cell in ws[top]:
        if cell.value == header:
            return str(cell.column_letter)
    raise KeyError(header)


def _merged_value(ws: Any, row: int, column: int) -> Any:
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return ws.cell(row=merged.min_row, column=merged.min_col).value
    return ws.cell(row=row, column=column).value


def state(plan: MediumTermPlan) -> list[tuple[Any, ...]]:
    """Everything of the plan's lines and years, to show that nothing was written."""
    lines = list(
        MediumTermLine.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("number", "activity", "contribution_mvnd", "version", "deleted_at")
    )
    years = list(
        MediumTermLineYear.objects.filter(line__plan=plan)
        .order_by("pk")
        .values_list("line_id", "year", "quantity", "cost_mvnd", "status", "dropped_reason")
    )
    return [*lines, *years]


def line(plan: MediumTermPlan, number: int) -> MediumTermLine:
    return MediumTermLine.objects.get(plan=plan, number=number)


# --- out -------------------------------------------------------------------------------------


def test_the_exported_form_has_a_group_of_columns_per_year() -> None:
    plan, _planner = five_year_plan()
    book = opened(f7.export(plan))
    assert book.sheetnames == ["F7", "Danh mục", "Hướng dẫn", "_kehoach"]
    ws = book["F7"]
    assert ws["A4"].value == "Kỳ kế hoạch: 2026–2030"
    assert ws["A5"].value == "Biểu: F7 – Kế hoạch phát triển thôn 5 năm"
    assert ws["A8"].value == "KẾ HOẠCH PHÁT TRIỂN THÔN 5 NĂM 2026–2030"
    top = FIRST_ROW - 3
    groups = [c.value for c in ws[top] if str(c.value or "").startswith("Năm ")]
    assert groups == [f"Năm {y}" for y in range(2026, 2031)]
    first = letter_of(book, "Khối lượng", "Năm 2026")
    assert [ws[f"{first}{top + 1}"].offset(column=i).value for i in range(3)] == [
        "Khối lượng",
        "Kinh phí",
        "Tình trạng",
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    third = get_column_letter(ws[f"{first}{top}"].column + 2)
    assert f"{first}{top}:{third}{top}" in merged
    cost_2027 = letter_of(book, "Kinh phí", "Năm 2027")
    assert ws[f"{cost_2027}{FIRST_ROW}"].value == 30
    assert ws[f"{cost_2027}{FIRST_ROW}"].number_format == "#,##0.0"
    status_2026 = letter_of(book, "Tình trạng", "Năm 2026")
    assert ws[f"{status_2026}{FIRST_ROW}"].value == "Dự kiến"
    assert ws[f"{letter_of(book, 'Kinh phí', 'Năm 2030')}{FIRST_ROW}"].value is None
    totals = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws[f"B{r}"].value == "Tổng cộng")
    assert (
        ws[f"{cost_2027}{totals}"].value == f"=SUM({cost_2027}{FIRST_ROW}:{cost_2027}{totals - 1})"
    )
    assert [ws[f"C{FIRST_ROW + i}"].value for i in range(3)] == [
        "Bê tông hóa đường thôn",
        "Xây dựng nhà văn hóa thôn",
        "Nạo vét kênh nội đồng",
    ]
    # lists on the sector, unit, source, mode and every status column; the structure locked
    listed = {
        str(v.sqref).split(":")[0].rstrip("0123456789") for v in ws.data_validations.dataValidation
    }
    assert {"B", "E", "H", "L", status_2026} <= listed
    assert book["Danh mục"]["E1"].value == "statuses"
    assert [book["Danh mục"][f"E{r}"].value for r in (2, 3, 4)] == ["Dự kiến", "Bỏ", None]
    assert ws.protection.sheet and ws[f"C{FIRST_ROW}"].protection.locked is False
    meta = {row[0].value: row[1].value for row in book["_kehoach"].iter_rows() if row[0].value}
    assert meta["form"] == "F7" and meta["plan"] == str(plan.uid)
    assert (meta["first_year"], meta["last_year"]) == ("2026", "2030")
    assert meta["D1"] == str(line(plan, 1).uid)


def test_a_period_of_three_years_has_three_groups_and_reads_back_unchanged() -> None:
    plan, planner = five_year_plan(2026, 2028)
    book = opened(f7.export(plan))
    ws = book["F7"]
    groups = [c.value for c in ws[FIRST_ROW - 3] if str(c.value or "").startswith("Năm ")]
    assert groups == ["Năm 2026", "Năm 2027", "Năm 2028"]
    assert ws["A8"].value == "KẾ HOẠCH PHÁT TRIỂN THÔN 5 NĂM 2026–2028"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}


def test_a_period_of_seven_years_has_seven_groups() -> None:
    plan, _planner = five_year_plan(2026, 2032, lines=1)
    ws = opened(f7.export(plan))["F7"]
    groups = [c.value for c in ws[FIRST_ROW - 3] if str(c.value or "").startswith("Năm ")]
    assert groups == [f"Năm {y}" for y in range(2026, 2033)]


def test_formula_looking_text_is_written_as_text_and_reads_back_unchanged() -> None:
    plan, planner = five_year_plan(lines=1)
    MediumTermLine.objects.filter(plan=plan).update(activity="=1+1", notes='=HYPERLINK("x")')
    book = opened(f7.export(plan))
    cell = book["F7"][f"C{FIRST_ROW}"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
    record = upload(plan, planner, f7.export(plan))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}


# --- in --------------------------------------------------------------------------------------


def test_round_trip_applies_exactly_the_changed_costs() -> None:
    plan, planner = five_year_plan()
    before = state(plan)
    record = upload(plan, planner, f7.export(plan))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}
    confirm(plan, planner, record)
    assert state(plan) == before  # nothing to change: nothing changed, no version bumped

    book = opened(f7.export(plan))
    ws = book["F7"]
    cost_2026 = letter_of(book, "Kinh phí", "Năm 2026")
    cost_2027 = letter_of(book, "Kinh phí", "Năm 2027")
    ws[f"{cost_2026}{FIRST_ROW + 1}"] = 25  # 40 → 25
    ws[f"{cost_2027}{FIRST_ROW + 1}"] = 45  # 30 → 45: the total stays 100 (R1)
    second = line(plan, 2)
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 1, "remove": 0}
    [change] = record.summary["changes"]
    assert change["label"] == "2. Xây dựng nhà văn hóa thôn"
    assert [f[0] for f in change["fields"] if f[1] != f[2]] == [
        _("Year %(year)s, cost") % {"year": 2026},
        _("Year %(year)s, cost") % {"year": 2027},
    ]
    assert [f[1:] for f in change["fields"]] == [["40", "25"], ["30", "45"]]
    assert year_of(second, 2026).cost_mvnd == 40  # nothing before the confirmation

    confirm(plan, planner, record)

    assert (year_of(second, 2026).cost_mvnd, year_of(second, 2027).cost_mvnd) == (25, 45)
    assert line(plan, 2).version == second.version + 1
    after = state(plan)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 3  # the line's version and its two years, nothing else
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.APPLIED
    assert record.summary["applied"] == {"added": 0, "changed": 1, "deleted": 0}
    assert StatusChange.objects.filter(plan_uid=plan.uid, action="import").count() == 4


def test_a_new_row_adds_a_line_with_its_years() -> None:
    plan, planner = five_year_plan(lines=1)
    f.sector("NN", "Nông nghiệp")
    book = opened(f7.export(plan))
    ws = book["F7"]
    row = FIRST_ROW + 1
    ws[f"B{row}"], ws[f"C{row}"], ws[f"E{row}"] = "Nông nghiệp", "Trồng rừng", "km"
    ws[f"F{row}"], ws[f"G{row}"] = 20, 40
    ws[f"{letter_of(book, 'Khối lượng', 'Năm 2029')}{row}"] = 3
    ws[f"{letter_of(book, 'Kinh phí', 'Năm 2029')}{row}"] = 60
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 1, "change": 0, "remove": 0}
    confirm(plan, planner, record)
    new = line(plan, 2)
    assert (new.activity, new.sector.code, new.contribution_mvnd) == ("Trồng rừng", "NN", 20)
    assert [(y.year, y.quantity, y.cost_mvnd) for y in new.years.order_by("year")] == [
        (2029, Decimal(3), Decimal(60))
    ]


def test_a_year_dropped_with_its_reason_is_set_by_the_status_writer() -> None:
    plan, planner = five_year_plan(lines=1)
    book = opened(f7.export(plan))
    ws = book["F7"]
    ws[f"{letter_of(book, 'Tình trạng', 'Năm 2028')}{FIRST_ROW}"] = "Bỏ"
    ws[f"{letter_of(book, 'Lý do bỏ (khi chuyển sang Bỏ)')}{FIRST_ROW}"] = "Đã có dự án khác"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"]["change"] == 1
    confirm(plan, planner, record)
    dropped = year_of(line(plan, 1), 2028)
    assert (dropped.status, dropped.dropped_reason) == (YearStatus.DROPPED, "Đã có dự án khác")
    assert year_of(line(plan, 1), 2027).status == YearStatus.PLANNED


def test_a_year_dropped_without_a_reason_is_refused_on_its_cell() -> None:
    plan, planner = five_year_plan(lines=1)
    before = state(plan)
    book = opened(f7.export(plan))
    status = letter_of(book, "Tình trạng", "Năm 2028")
    reason = letter_of(book, "Lý do bỏ (khi chuyển sang Bỏ)")
    book["F7"][f"{status}{FIRST_ROW}"] = "Bỏ"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    [error] = record.errors
    assert error["message"].startswith(f"Trang “F7”, ô {reason}{FIRST_ROW}"), error["message"]
    assert "lý do" in error["message"].casefold()
    assert state(plan) == before


@pytest.mark.parametrize(
    ("header", "parent", "value", "fragment"),
    [
        ("Khối lượng", "Năm 2027", "nhiều", "số"),
        ("Kinh phí", "Năm 2026", -5, ""),
        ("Dân đóng góp", "", 999, "100"),
        ("Đơn vị tính", "", "dặm Anh", "danh sách"),
        ("Tình trạng", "Năm 2026", "Đã hoàn thành", "Dự kiến"),
    ],
)
def test_a_wrong_cell_refuses_the_whole_workbook_and_names_the_cell(
    header: str, parent: str, value: Any, fragment: str
) -> None:
    plan, planner = five_year_plan()
    before = state(plan)
    book = opened(f7.export(plan))
    ws = book["F7"]
    column = letter_of(book, header, parent)
    ws[f"{column}{FIRST_ROW + 1}"] = value
    ws[f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"  # a good change in the same file
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    assert len(record.errors) == 1, record.errors
    message = record.errors[0]["message"]
    assert message.startswith(f"Trang “F7”, ô {column}{FIRST_ROW + 1}"), message
    assert fragment.casefold() in message.casefold(), message
    assert state(plan) == before


def test_a_derived_status_cannot_be_changed_in_the_workbook() -> None:
    plan, planner = five_year_plan(lines=1)
    book = opened(f7.export(plan))
    # the period's last year is drawn into no yearly plan: set it by hand to a derived status
    ws = book["F7"]
    ws[f"{letter_of(book, 'Tình trạng', 'Năm 2027')}{FIRST_ROW}"] = (
        "Có trong kế hoạch năm được duyệt"
    )
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    assert "Dự kiến" in record.errors[0]["message"] and "Bỏ" in record.errors[0]["message"]


def test_a_plan_no_longer_a_draft_is_refused_with_its_reason() -> None:
    plan, planner = five_year_plan(lines=1)
    data = f7.export(plan)
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    before = state(plan)
    with pytest.raises(ApplicationError) as caught:
        upload(plan, planner, data)
    assert caught.value.code == "plan_locked"
    assert "Thôn Diên Sanh" in caught.value.message and "Đã gửi lên xã" in caught.value.message
    assert state(plan) == before


def test_a_plan_submitted_after_the_check_is_not_changed() -> None:
    plan, planner = five_year_plan(lines=1)
    book = opened(f7.export(plan))
    book["F7"][f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    with pytest.raises(ApplicationError):
        confirm(plan, planner, record)
    assert line(plan, 1).activity == "Bê tông hóa đường thôn"


def test_the_workbook_of_another_plan_is_refused() -> None:
    plan, planner = five_year_plan(lines=1)
    other_village = VillageFactory.create(parent=plan.village.parent, name="Thôn Khác")
    other = medium_plan(other_village, status=PlanStatus.DRAFT)
    record = upload(plan, planner, f7.export(other))
    assert record.result == ImportRecord.Result.REFUSED
    assert other_village.code in record.errors[0]["message"]


def _drawn_2027(plan: MediumTermPlan, planner: Any) -> MediumTermLineYear:
    """Year 2027 of line 1 drawn into the village's yearly plan of 2027 (status: proposed)."""
    from kehoach.midterm.services.drawing import draw_from_medium_term

    year = year_of(line(plan, 1), 2027)
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    draw_from_medium_term(planner, f.village_plan(plan.village, year=2027), [year.pk])
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    return year


def test_a_derived_status_is_exported_locked_and_read_back_unchanged() -> None:
    plan, planner = five_year_plan(lines=1)
    _drawn_2027(plan, planner)
    MediumTermLine.objects.filter(plan=plan).update(activity="=1+1")
    book = opened(f7.export(plan))
    ws = book["F7"]
    text = ws[f"C{FIRST_ROW}"]  # the locking pass keeps a text a text
    assert text.value == "=1+1" and text.data_type == "s" and text.quotePrefix
    derived = ws[f"{letter_of(book, 'Tình trạng', 'Năm 2027')}{FIRST_ROW}"]
    by_hand = ws[f"{letter_of(book, 'Tình trạng', 'Năm 2026')}{FIRST_ROW}"]
    assert derived.value == "Đã đề xuất trong kế hoạch năm"
    assert derived.protection.locked is True and by_hand.protection.locked is False
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}

    derived.value = "Dự kiến"
    before = state(plan)
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    assert "Đã đề xuất trong kế hoạch năm" in record.errors[0]["message"]
    assert f"ô {derived.coordinate}" in record.errors[0]["message"]
    assert state(plan) == before


def test_a_dropped_year_planned_again_clears_its_reason() -> None:
    plan, planner = five_year_plan(lines=1)
    MediumTermLineYear.objects.filter(line__plan=plan, year=2028).update(
        status=YearStatus.DROPPED, dropped_reason="Thiếu vốn"
    )
    book = opened(f7.export(plan))
    ws = book["F7"]
    reason = letter_of(book, "Lý do bỏ (khi chuyển sang Bỏ)")
    assert ws[f"{reason}{FIRST_ROW}"].value == "Thiếu vốn"
    ws[f"{letter_of(book, 'Tình trạng', 'Năm 2028')}{FIRST_ROW}"] = "Dự kiến"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    confirm(plan, planner, record)
    again = year_of(line(plan, 1), 2028)
    assert (again.status, again.dropped_reason) == (YearStatus.PLANNED, "")


def test_a_failure_while_applying_leaves_nothing_half_written(monkeypatch: Any) -> None:
    plan, planner = five_year_plan()
    book = opened(f7.export(plan))
    ws = book["F7"]
    ws[f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"  # line 1: written first
    ws[f"{letter_of(book, 'Tình trạng', 'Năm 2028')}{FIRST_ROW + 2}"] = "Bỏ"  # line 3: fails
    ws[f"{letter_of(book, 'Lý do bỏ (khi chuyển sang Bỏ)')}{FIRST_ROW + 2}"] = "Trùng dự án"
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    before = state(plan)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ApplicationError("boom", "refused while applying")

    monkeypatch.setattr("kehoach.exchange.forms.f7.reading.set_year_status", refuse)
    with pytest.raises(ApplicationError):
        confirm(plan, planner, record)
    assert state(plan) == before
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.PREVIEWED


def test_a_line_changed_in_kehoach_after_the_download_is_a_conflict() -> None:
    plan, planner = five_year_plan(lines=1)
    book = opened(f7.export(plan))
    book["F7"][f"C{FIRST_ROW}"] = "Bê tông hóa đường trục thôn"
    MediumTermLine.objects.filter(plan=plan).update(version=5, location="Xóm Dưới")
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    assert record.errors[0]["message"].startswith(f"Trang “F7”, ô C{FIRST_ROW}")
    assert line(plan, 1).activity == "Bê tông hóa đường thôn"


def test_a_copied_row_with_the_same_line_key_is_refused() -> None:
    plan, planner = five_year_plan(lines=1)
    book = opened(f7.export(plan))
    ws = book["F7"]
    for cell in ws[FIRST_ROW]:
        ws.cell(row=FIRST_ROW + 1, column=cell.column, value=cell.value)
    record = upload(plan, planner, saved(book))
    assert record.result == ImportRecord.Result.REFUSED
    assert str(FIRST_ROW) in record.errors[0]["message"]
