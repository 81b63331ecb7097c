"""Reading a table caps the cell errors it keeps: a 20,000-row workbook with every cell wrong
gives the first 1.000 problems and one last entry saying how many there were."""

from __future__ import annotations

import io

import xlsxwriter

from kehoach.exchange.forms.base import (
    MAX_ERRORS,
    CellError,
    CellErrors,
    ErrorsCapped,
    ReadingBase,
    read_table,
)
from kehoach.exchange.layouts import parse_layout, shipped_layouts
from kehoach.exchange.reading import open_workbook

NOTE = (
    "Chỉ liệt kê 1.000 lỗi đầu tiên trong số {n} lỗi tìm thấy. Hãy sửa các lỗi này rồi tải "
    "biểu lên lại để xem các lỗi còn lại."
)


def _error(row: int) -> CellError:
    return CellError("F6", row, "F", "Khối lượng", "x", "không phải là số")


def test_errors_past_the_cap_are_only_counted() -> None:
    errors = CellErrors()
    for row in range(1_500):
        errors.append(_error(row))
    assert len(errors) == MAX_ERRORS + 1
    assert errors[MAX_ERRORS - 1].row == MAX_ERRORS - 1
    note = errors[-1]
    assert isinstance(note, ErrorsCapped)
    assert note.as_dict()["message"] == NOTE.format(n="1.500")
    assert note.as_dict()["row"] is None
    assert note.as_error().where.sheet == "F6"


def test_a_form_adding_a_capped_table_carries_the_count_over() -> None:
    table = CellErrors(_error(row) for row in range(1_200))
    reading = ReadingBase(layout=parse_layout(shipped_layouts()["F6-CHUAN"]))
    reading.errors.append(_error(0))
    reading.errors += table
    reading.errors.extend([_error(1), _error(2)])
    assert len(reading.errors) == MAX_ERRORS + 1
    assert reading.errors[-1].as_dict()["message"] == NOTE.format(n="1.203")


def test_under_the_cap_nothing_is_added() -> None:
    errors = CellErrors(_error(row) for row in range(MAX_ERRORS))
    assert len(errors) == MAX_ERRORS
    assert not any(isinstance(error, ErrorsCapped) for error in errors)


def test_a_table_with_every_cell_wrong_keeps_the_first_thousand() -> None:
    columns = [
        c for c in parse_layout(shipped_layouts()["F6-CHUAN"]).columns if c.key in ("quantity",)
    ]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet("F6")
    ws.write(0, 0, columns[0].header)
    for row in range(1, 2_501):
        ws.write_string(row, 0, f"sai {row}")
    book.close()
    table = read_table(
        open_workbook(out.getvalue(), "bieu.xlsx"), "F6", columns, {}, with_key=False
    )
    assert len(table.rows) == 2_500
    assert len(table.errors) == MAX_ERRORS + 1
    assert table.errors[0].row == 2
    assert table.errors[-1].as_dict()["message"] == NOTE.format(n="2.500")
