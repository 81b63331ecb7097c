"""F14: reading a workbook back — each changed row a new report, checked by the validator of
a progress report (pure: no write, no actor)."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core.errors import ApplicationError
from kehoach.core.validation import Problem
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.selectors import works_with_progress
from kehoach.monitoring.validators.progress import (
    ReportContext,
    ReportData,
    validate_progress_report,
)
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine

from ...layouts import FormLayout
from ...reading import Book as Upload
from ..base import (
    CellError,
    ReadingBase,
    read_table,
)
from .common import (
    FORM,
    REPORTED,
    TEXTS,
    _columns,
    _envelope,
    _fingerprint_of_envelope,
    _money_key,
    _report_values,
    _state,
    _statuses,
    _who,
)
from .preview import _change


@dataclass
class Item:
    """A new report of a work, from one row."""

    line: CommuneLine
    data: dict[str, Any]
    disbursed: dict[EnvelopeLine, Decimal]
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


def _filled(values: dict[str, Any]) -> bool:
    return any(v is not None and v != "" for v in values.values())


def _reports_of(meta: dict[str, Any]) -> dict[str, str]:
    out = {}
    for part in str(meta.get("reports") or "").split(";"):
        key, _sep, uid = part.partition("=")
        if key:
            out[key.strip()] = uid.strip()
    return out


def read_own(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], meta: dict[str, Any]
) -> Reading:
    """A workbook downloaded from kehoach (``meta``: its hidden sheet): rows by their keys."""
    works = {str(w.uid): w for w in works_with_progress(plan)}
    envelope = _envelope(list(works.values()))
    if meta.get("envelope", "") != _fingerprint_of_envelope(envelope):
        raise ApplicationError(
            "envelope_changed",
            _(
                "The sources funding the works changed after this workbook was downloaded, so "
                "its money columns no longer match; download the form again."
            ),
        )
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    columns = [
        dataclasses.replace(c, kind="text") if c.locked else c
        for c in _columns(layout, envelope)
        if c.key != "percent"
    ]
    table = read_table(upload, sheet, columns, {"statuses": _statuses()})
    headers = {c.key: c.header for c in columns}
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = list(table.errors)
    wrong_rows = {e.row for e in table.errors}
    known = meta.get("lines", {})
    downloaded = _reports_of(meta)
    earlier = {
        str(r.uid): r
        for r in ProgressReport.objects.filter(
            uid__in=[u for u in downloaded.values() if u], line__plan=plan
        ).prefetch_related("disbursements")
    }
    editable = [*REPORTED, *(_money_key(e) for e in envelope)]
    today = timezone.localdate()
    seen: dict[str, int] = {}
    for row in table.rows:
        entry = known.get(row.key)
        work = works.get(entry[0]) if entry else None
        if work is None:
            reading.errors.append(_unknown_row(sheet, row))
            continue
        if row.key in seen:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", "A"),
                    _("Work"),
                    row.values.get("activity"),
                    _("this work is already on row %(row)s; each work has one row.")
                    % {"row": seen[row.key]},
                )
            )
            continue
        seen[row.key] = row.number
        if row.number in wrong_rows:
            continue
        given = {k: row.values[k] for k in editable if k in row.values}
        current = work.latest
        base_uid = downloaded.get(row.key, "")
        base = current if current and str(current.uid) == base_uid else earlier.get(base_uid)
        base_values = _report_values(base, envelope)
        new_values = {**base_values, **given}
        if base is None and not _filled(given):
            if current is not None:  # reported on the web since the download
                reading.notes.append(_newer_note(work, current))
            continue
        if base is not None and _state(new_values, envelope) == _state(base_values, envelope):
            if (current.uid if current else None) != base.uid:
                reading.notes.append(_newer_note(work, current))
            continue
        if (str(current.uid) if current else "") != base_uid:
            reading.errors.append(_conflict(sheet, row.number, row.letters, work, current))
            continue
        item = _item(work, new_values, envelope, row.number, row.letters)
        accept(reading, sheet, item, headers, today, current, new_values, envelope)
    missing = [k for k, (uid, _v) in known.items() if k not in seen and uid in works]
    close(reading, len(missing))
    return reading


def accept(
    reading: Reading,
    sheet: str,
    item: Item,
    headers: dict[str, str],
    today: datetime.date,
    current: ProgressReport | None,
    values: dict[str, Any],
    envelope: list[EnvelopeLine],
) -> None:
    """A row's new report (``values``: all of the report's values), checked by the web form's
    rules: refused on its cells, or kept with what it changes and, when it is dated before the
    work's latest report, a note that the latest stays. Each row of both readings (a kehoach
    workbook, an officer's own sheet) that reports a change ends here."""
    errors = _check(sheet, item, headers, today)
    if errors:
        reading.errors += errors
        return
    reading.items.append(item)
    reading.preview.append(_change(item.line, current, values, envelope, item.row))
    day = item.data.get("reported_on")
    if current is not None and day is not None and day < current.reported_on:
        reading.notes.append(
            _(
                "Row %(row)s: the report is dated before the latest report of the work "
                "(%(date)s); it will be kept in the work's history and the latest stays "
                "as it is."
            )
            % {"row": item.row, "date": current.reported_on.strftime("%d/%m/%Y")}
        )


def close(reading: Reading, missing: int) -> None:
    """The notes that end a reading: how many works the workbook leaves out (``missing``),
    and that each work changed gets a new report."""
    if missing:
        reading.notes.append(
            ngettext(
                "%(n)s work is not in the workbook; nothing changes for it (works are not "
                "removed through this form).",
                "%(n)s works are not in the workbook; nothing changes for them (works are not "
                "removed through this form).",
                missing,
            )
            % {"n": missing}
        )
    if reading.items:
        reading.notes.append(
            _(
                "Each work changed gets a new progress report; its earlier reports stay in the "
                "work's history."
            )
        )


def _unknown_row(sheet: str, row: Any) -> CellError:
    return CellError(
        sheet,
        row.number,
        row.letters.get("activity", "A"),
        _("Work"),
        row.values.get("activity"),
        _(
            "works cannot be added in this workbook; only the funded works of the plan are "
            "followed. Remove this row."
        )
        if not row.key
        else _("this work is no longer followed in the plan; download the form again."),
    )


def _newer_note(work: Any, current: ProgressReport | None) -> str:
    if current is None:
        return _(
            "Work %(number)s. %(activity)s: its report was removed after this workbook was "
            "downloaded; its row was not changed, so nothing is done for it."
        ) % {"number": work.number, "activity": work.activity}
    return _(
        "Work %(number)s. %(activity)s: a newer report (%(date)s, by %(who)s) was recorded "
        "after this workbook was downloaded; its row was not changed, so nothing is done for it."
    ) % {
        "number": work.number,
        "activity": work.activity,
        "date": current.reported_on.strftime("%d/%m/%Y"),
        "who": _who(current),
    }


def _conflict(
    sheet: str, number: int, letters: dict[str, str], work: Any, current: ProgressReport | None
) -> CellError:
    if current is None:
        problem = _(
            "the report this workbook was made from is no longer the latest of the work; "
            "download the form again and enter the changes in it."
        )
    else:
        problem = _(
            "a newer report of this work (%(date)s, by %(who)s) was recorded in kehoach after "
            "this workbook was downloaded, so this row would overwrite it; download the form "
            "again and enter the changes in it."
        ) % {"date": current.reported_on.strftime("%d/%m/%Y"), "who": _who(current)}
    return CellError(
        sheet,
        number,
        letters.get("reported_on", "") or letters.get("activity", ""),
        _("Reporting date"),
        None,
        problem,
    )


def _item(
    work: Any,
    values: dict[str, Any],
    envelope: list[EnvelopeLine],
    number: int,
    letters: dict[str, str],
) -> Item:
    funded = {f.envelope_line_id for f in work.funding.all()}
    data = {name: values.get(name) for name in REPORTED}
    for name in TEXTS:
        data[name] = data[name] or ""
    disbursed = {}
    for env in envelope:
        amount = values.get(_money_key(env))
        if amount is None or (env.pk not in funded and not amount):
            continue  # an empty cell, or a zero under a source that does not fund the work
        disbursed[env] = Decimal(amount)
    return Item(work, data, disbursed, number, letters)


def _context(work: Any, today: datetime.date) -> ReportContext:
    """What a report of ``work`` is judged against, from what ``works_with_progress`` read."""
    funding = {f.envelope_line: f.amount_mvnd for f in work.funding.all()}
    return ReportContext(work, funding, today)


def _check(
    sheet: str, item: Item, headers: dict[str, str], today: datetime.date
) -> list[CellError]:
    """The web form's rules on the new report (its validator, pure), each refusal on its
    cell."""
    problems = validate_progress_report(
        _context(item.line, today), ReportData(item.data, item.disbursed)
    )
    return [_error_cell(sheet, item, p, headers) for p in problems if p.is_error]


def _error_cell(sheet: str, item: Item, error: Problem, headers: dict[str, str]) -> CellError:
    """The cell a refusal is about, named by the workbook's own header."""
    name = error.where.field or ""
    # an excess names what is above the plan in its detail; the message adds what to do
    text = error.message if error.code == "excess_without_reason" else error.detail
    return CellError(
        sheet,
        item.row,
        item.letters.get(name, ""),
        headers.get(name, ""),
        None,
        text or error.message,
    )
