"""F14 from a monitoring officer's own progress sheet (no ``_kehoach`` sheet): its columns are
found by their headers ("Tên công trình", "Khối lượng thực hiện", "Tình hình thực hiện"), each
row is matched to a work of the plan by the work's name, or by its number in the plan where
names repeat (``base.matching.LineIndex``), the money columns to the envelope lines by the
sources their headers name ("Giải ngân > CTMTQG", ``base.sources``), and a row that reports
something becomes a new progress report checked by the same validator as a kehoach workbook's
row.

With no metadata, there is nothing to tell what the workbook was made from: the new report is
compared with the work's latest report, columns the sheet does not have keep the latest
report's values, and a report made in kehoach meanwhile cannot be detected (the preview says so,
``matching.foreign_note``). The reporting date may be written once in the title ("Tính đến
ngày 30/11/2026") instead of a column."""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.legacy import legacy_converter
from kehoach.core.text import fold
from kehoach.monitoring.selectors import works_with_progress
from kehoach.synthesis.models import CommunePlan

from ... import cells
from ...layouts import Column, FormLayout
from ...reading import Book as Upload
from ...reading import Sheet
from ..base import CellError, read_table
from ..base.matching import LineIndex, foreign_note
from ..base.sources import foreign_source_columns
from .common import FORM, REPORTED, _envelope, _money_key, _report_values, _state
from .common import _statuses as statuses
from .reading import Reading, _filled, _item, accept, close

NUMBER_COLUMN = Column("number", "STT", 6, "value")
"""The row numbers of the officer's sheet ("1", "1.2", "a", "I"), read as written: a number
tells works of the same name apart (``LineIndex``)."""
KEPT_KEYS = ("number", "activity")
"""The approved plan's columns read from a sheet made elsewhere: the work's number and name,
which find its work. The others (quantity planned, cost, months) are the plan's, not the
report's, and are left unread, so that "Khởi công" or "Hoàn thành" name the actual dates."""

_DATE_NUMERIC = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")


def foreign_columns(layout: FormLayout) -> list[Column]:
    """The layout's columns read from an officer's own sheet: the work's number (as written)
    and name, the report's values, the reporting date not required (it may be in the title),
    and the sources column, which ``base.sources.foreign_source_columns`` spreads into the
    sheet's own money columns."""
    columns: list[Column] = []
    for column in layout.columns:
        if column.key == "number":
            columns.append(dataclasses.replace(column, kind="value", required=False))
        elif column.key == "reported_on":
            columns.append(dataclasses.replace(column, required=False))
        elif column.key in KEPT_KEYS:
            columns.append(dataclasses.replace(column, kind="text"))
        elif not column.locked:
            columns.append(column)
    if not any(c.key == "number" for c in columns):
        columns.insert(0, NUMBER_COLUMN)
    return columns


def title_date(sheet: Sheet, before: int, encoding: str | None) -> datetime.date | None:
    """The reporting date written above the table ("Tính đến ngày 30/11/2026", "Ngày 30 tháng
    11 năm 2026", or a date cell beside "Ngày báo cáo:"): the first one of the rows above
    sheet row ``before`` (1-based), None when there is none."""
    convert = legacy_converter(encoding)
    for raw in sheet.grid[: max(before - 1, 0)]:
        labelled = False
        for value in raw:
            if isinstance(value, datetime.datetime | datetime.date) and labelled:
                return cells.date(value)
            if not isinstance(value, str) or not value.strip():
                continue
            text = fold(convert(value) if convert is not None else value)
            labelled = "ngay" in text
            match = _DATE_NUMERIC.search(text) or _DATE_WORDS.search(text)
            if match is None:
                continue
            day, month, year = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
    return None


def read_foreign(plan: CommunePlan, upload: Upload, layouts: list[FormLayout]) -> Reading:
    """The officer's own progress sheet: rows matched to works by name (or number), each row
    that reports something a new report, checked like a kehoach workbook's row."""
    works = works_with_progress(plan)
    envelope = _envelope(works)
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    columns, money_errors = foreign_source_columns(
        upload,
        sheet,
        foreign_columns(layout),
        envelope,
        _money_key,
        year=plan.round.plan_year,
        form=FORM,
    )
    table = read_table(upload, sheet, columns, {"statuses": statuses()}, form=FORM)
    headers = {c.key: c.header for c in columns}
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = [*money_errors, *table.errors]
    reading.notes.append(foreign_note())
    day = None
    if "reported_on" not in table.present and table.rows:
        day = title_date(upload.sheet(sheet), table.rows[0].number, table.encoding)
        if day is None:
            raise ApplicationError(
                "columns_missing",
                _(
                    "Sheet “%(sheet)s”: the reporting date was found neither in a column "
                    "“Ngày báo cáo” nor above the table (“Tính đến ngày 30/11/2026”). Add one "
                    "of them."
                )
                % {"sheet": sheet},
                Where(sheet=sheet),
            )
        reading.notes.append(
            _("Every report is dated %(date)s, the date written above the table.")
            % {"date": day.strftime("%d/%m/%Y")}
        )
    wrong_rows = {e.row for e in table.errors}
    index = LineIndex(works, name=lambda w: w.activity, number=lambda w: w.number)
    editable = [*REPORTED, *(_money_key(e) for e in envelope)]
    today = timezone.localdate()
    for row in table.rows:
        given = {k: row.values[k] for k in editable if k in row.values}
        found = index.find(row.number, row.values.get("activity"), row.values.get("number"))
        if found.line is None:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", "A"),
                    headers.get("activity", _("Work")),
                    row.values.get("activity"),
                    found.problem,
                )
            )
            continue
        if row.number in wrong_rows or not _filled(given):
            continue  # wrong cells are reported already; a row reporting nothing is left
        if day is not None:
            given["reported_on"] = day
        work = found.line
        current = work.latest
        current_values = _report_values(current, envelope)
        new_values = {**current_values, **given}
        if current is not None and _state(new_values, envelope) == _state(current_values, envelope):
            continue
        item = _item(work, new_values, envelope, row.number, row.letters)
        accept(reading, sheet, item, headers, today, current, new_values, envelope)
    close(reading, len(index.unmatched()))
    return reading
