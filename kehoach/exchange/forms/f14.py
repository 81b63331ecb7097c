"""F14 — progress of the works: one row per work of a published commune plan (its funded
lines), with what was approved (locked) and its position in the latest report (editable): the
reporting date, quantity done, status, actual dates, money disbursed from each envelope line
that funds a work (one column per envelope line, as on F12), the community's contribution given,
problems. The percentage done is a live formula.

Back in, each row whose values differ from the work's latest report becomes a new progress
report through ``monitoring.services.progress.progress_report_create``, with the same rules as
the web form (``validate_report`` in the check, each refusal on its cell). Unchanged rows create
nothing; rows are neither added nor removed. The metadata keeps the uid of each work's latest
report at download: a row changed in the workbook while a newer report was recorded on the web
is a conflict, refused with a message."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

from kehoach.accounts.permissions import Action
from kehoach.core.cells_out import Formula
from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.core.numbers import format_number_vi
from kehoach.monitoring.choices import ProgressStatus
from kehoach.monitoring.models import ProgressReport
from kehoach.monitoring.selectors import works_with_progress
from kehoach.monitoring.services.common import require_monitor
from kehoach.monitoring.services.progress import (
    field_label,
    funding_of,
    progress_report_create,
    validate_report,
)
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine
from kehoach.synthesis.services.common import money_text

from .. import choices as lists
from ..layouts import Column, FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from .base import (
    CellError,
    Change,
    ReadingBase,
    heading,
    line_key,
    plan_meta,
    read_table,
    source_columns,
)

FORM = "F14"
DATES = ["reported_on", "actual_start", "actual_finish"]
NUMBERS = [
    "quantity_done",
    "contribution_cash_mvnd",
    "contribution_labour_days",
    "contribution_labour_mvnd",
    "contribution_materials_mvnd",
    "contribution_land_m2",
]
TEXTS = ["status_reason", "problems", "excess_reason"]
REPORTED = [*DATES, *NUMBERS, "status", *TEXTS]
"""The report's own values in the workbook (the money by source apart)."""
INSTRUCTIONS = [
    "Hướng dẫn biểu theo dõi tiến độ thực hiện (F14)",
    "1. Mỗi dòng là một công trình (dòng được bố trí vốn) của kế hoạch xã đã công bố, kèm báo "
    "cáo tiến độ mới nhất lúc tải biểu. Không thêm, không xóa dòng ở biểu này.",
    "2. Các cột “Kế hoạch được duyệt” và cột “% hoàn thành” (tự tính) bị khóa. Chỉ sửa các ô "
    "màu vàng.",
    "3. Số liệu là lũy kế đến ngày báo cáo (khối lượng đã làm, tiền đã giải ngân, dân đã đóng "
    "góp từ đầu đến nay), không phải số phát sinh trong kỳ.",
    "4. Mỗi dòng có thay đổi trở thành một báo cáo tiến độ mới của công trình; các báo cáo cũ "
    "vẫn được giữ trong lịch sử. Dòng không sửa thì không tạo báo cáo.",
    "5. Tiền đã giải ngân ghi theo từng dòng khung nguồn lực (triệu đồng), chỉ ở cột của nguồn "
    "vốn đã bố trí cho công trình đó; ô của nguồn khác để trống.",
    "6. Vượt khối lượng được duyệt, số vốn được bố trí từ một nguồn hoặc mức dân đóng góp đã "
    "cam kết: bắt buộc ghi lý do ở cột “Lý do vượt kế hoạch được duyệt”.",
    "7. Tình trạng chọn trong danh sách. Đang thực hiện hoặc hoàn thành: ghi ngày khởi công thực "
    "tế; hoàn thành: ghi thêm ngày hoàn thành; tạm dừng hoặc hủy: ghi lý do. Không ghi ngày "
    "sau ngày hôm nay.",
    "8. Nếu sau khi tải biểu đã có báo cáo mới hơn của một công trình trên trang web, dòng của "
    "công trình đó không được sửa trong biểu này: hãy tải biểu mới.",
    "9. Ảnh công trình (trước, trong, sau khi thi công) tải lên ở trang của công trình.",
]


def may_apply(actor: Any, plan: CommunePlan) -> None:
    """Reporting progress: the commune's planner, on a published plan that is not closed."""
    require_monitor(actor, plan, Action.REPORT_PROGRESS)


def _statuses() -> lists.Choices:
    """The statuses with their Vietnamese names (the workbook is Vietnamese); the English
    names and the codes are read too."""
    with translation.override("vi"):
        names = [(s.value, str(s.label)) for s in ProgressStatus]
    with translation.override("en"):
        english = {s.value: str(s.label) for s in ProgressStatus}
    entries = []
    for value, label in names:
        keys = {lists.key_of(label), lists.key_of(english[value]), lists.key_of(value)}
        entries.append(lists.Entry(label, value, tuple(k for k in keys if k)))
    return lists.Choices(entries)


def _envelope(works: list[Any]) -> list[EnvelopeLine]:
    """The envelope lines that fund at least one work: one money column each."""
    ids = {f.envelope_line_id for work in works for f in work.funding.all()}
    return list(
        EnvelopeLine.objects.filter(pk__in=ids)
        .select_related("source", "sector")
        .order_by("number", "pk")
    )


def _money_key(envelope_line: EnvelopeLine) -> str:
    """The column of an envelope line: the field name ``validate_report`` uses for it."""
    return f"disbursed_{envelope_line.uid}"


def _columns(layout: FormLayout, envelope: list[EnvelopeLine]) -> list[Column]:
    return source_columns(layout, envelope, _money_key)


def _fingerprint_of_envelope(envelope: list[EnvelopeLine]) -> str:
    return ",".join(f"{e.uid}:{e.number}" for e in envelope)


def _percent_formula(columns: list[Column], row: int) -> Formula | None:
    """The live percentage done, a formula of kehoach's own (any other text is written as
    text, see ``core.cells_out``)."""
    keys = [c.key for c in columns]
    if "quantity" not in keys or "quantity_done" not in keys:
        return None
    planned = f"{get_column_letter(keys.index('quantity') + 1)}{row}"
    done = f"{get_column_letter(keys.index('quantity_done') + 1)}{row}"
    return Formula(f'=IF(AND(ISNUMBER({done}),N({planned})>0),ROUND({done}/{planned}*100,1),"")')


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    works = works_with_progress(plan)
    envelope = _envelope(works)
    columns = _columns(layout, envelope)
    statuses = _statuses()
    first = _first_data_row(plan)
    money_keys = {e.pk: _money_key(e) for e in envelope}
    rows = []
    for offset, work in enumerate(works):
        report = work.latest
        row: dict[str, Any] = {
            "number": work.number,
            "sector": work.sector.name,
            "activity": work.activity,
            "location": work.location,
            "unit": work.unit.name,
            "quantity": work.quantity,
            "start_month": work.start_month,
            "end_month": work.end_month,
            "total_cost_mvnd": work.total_cost_mvnd,
            "funded_mvnd": work.funded,
            "percent": _percent_formula(columns, first + offset),
        }
        if report is not None:
            row.update({name: getattr(report, name) for name in REPORTED})
            row["status"] = statuses.label_of(report.status)
            for d in report.disbursements.all():
                if d.envelope_line_id in money_keys:
                    row[money_keys[d.envelope_line_id]] = d.amount_mvnd
        rows.append(row)
    keys = [line_key(work.number) for work in works]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(
            plan.round.commune, plan.round.plan_year, FORM, "Biểu theo dõi tiến độ thực hiện"
        ),
        tables=[
            Table(
                name=FORM,
                columns=columns,
                rows=rows,
                keys=keys,
                blank_rows=0,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={"statuses": statuses.labels},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "envelope": _fingerprint_of_envelope(envelope),
            "reports": ";".join(
                f"{key}={work.latest.uid if work.latest else ''}"
                for key, work in zip(keys, works, strict=True)
            ),
            "lines": {k: (str(w.uid), w.version) for k, w in zip(keys, works, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


def _first_data_row(plan: CommunePlan) -> int:
    """The first data row as ``writing.build`` lays it out: the heading lines, a blank row,
    the title, the money unit, a blank row, two header rows and the column numbers."""
    lines = len(heading(plan.round.commune, plan.round.plan_year, FORM, ""))
    return lines + 1 + 1 + 1 + 2 + 3


# --- reading ----------------------------------------------------------------------------------


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


def _state(values: dict[str, Any], envelope: list[EnvelopeLine]) -> dict[str, Any]:
    """What a row (or a report) says, normalised for comparing: empty numbers are 0, empty
    texts "", each envelope line's money (0 when none)."""
    state: dict[str, Any] = {}
    for name in DATES:
        state[name] = values.get(name)
    for name in NUMBERS:
        state[name] = Decimal(values.get(name) or 0)
    state["status"] = values.get("status") or None
    for name in TEXTS:
        state[name] = values.get(name) or ""
    for env in envelope:
        state[_money_key(env)] = Decimal(values.get(_money_key(env)) or 0)
    return state


def _report_values(report: ProgressReport | None, envelope: list[EnvelopeLine]) -> dict[str, Any]:
    if report is None:
        return {}
    values: dict[str, Any] = {name: getattr(report, name) for name in REPORTED}
    by_id = {d.envelope_line_id: d.amount_mvnd for d in report.disbursements.all()}
    for env in envelope:
        if env.pk in by_id:
            values[_money_key(env)] = by_id[env.pk]
    return values


def _filled(values: dict[str, Any]) -> bool:
    return any(v is not None and v != "" for v in values.values())


def _reports_of(meta: dict[str, Any]) -> dict[str, str]:
    out = {}
    for part in str(meta.get("reports") or "").split(";"):
        key, _sep, uid = part.partition("=")
        if key:
            out[key.strip()] = uid.strip()
    return out


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan, required=True)
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
    reading = Reading(layout=layout, skipped=table.skipped, encoding=table.encoding)
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
        errors = _check(sheet, item, headers)
        if errors:
            reading.errors += errors
            continue
        reading.items.append(item)
        reading.preview.append(_change(work, current, new_values, envelope, row.number))
        day = item.data.get("reported_on")
        if current is not None and day is not None and day < current.reported_on:
            reading.notes.append(
                _(
                    "Row %(row)s: the report is dated before the latest report of the work "
                    "(%(date)s); it will be kept in the work's history and the latest stays "
                    "as it is."
                )
                % {"row": row.number, "date": current.reported_on.strftime("%d/%m/%Y")}
            )
    missing = [k for k, (uid, _v) in known.items() if k not in seen and uid in works]
    if missing:
        reading.notes.append(
            ngettext(
                "%(n)s work is not in the workbook; nothing changes for it (works are not "
                "removed through this form).",
                "%(n)s works are not in the workbook; nothing changes for them (works are not "
                "removed through this form).",
                len(missing),
            )
            % {"n": len(missing)}
        )
    if reading.items:
        reading.notes.append(
            _(
                "Each work changed gets a new progress report; its earlier reports stay in the "
                "work's history."
            )
        )
    return reading


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


def _who(report: ProgressReport) -> str:
    return report.reporter_name or _("someone")


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


def _check(sheet: str, item: Item, headers: dict[str, str]) -> list[CellError]:
    """The web form's rules on the new report, each refusal on its cell."""
    try:
        validate_report(item.line, item.data, item.disbursed, funding_of(item.line))
    except ApplicationErrors as exc:
        return [_error_cell(sheet, item, e, headers) for e in exc.errors]
    except ApplicationError as exc:
        return [_error_cell(sheet, item, exc, headers)]
    return []


def _header_of(name: str, envelope: list[EnvelopeLine]) -> str:
    for env in envelope:
        if name == _money_key(env):
            return f"{env.number}. {env.source.code}"
    if name in REPORTED:
        return field_label(name)
    return ""


def _error_cell(
    sheet: str, item: Item, error: ApplicationError, headers: dict[str, str]
) -> CellError:
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


def _number(value: Any) -> str:
    text = format_number_vi(Decimal(value or 0), 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _shown(name: str, value: Any, work: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if name == "status":
        return str(ProgressStatus(value).label)
    if name == "quantity_done":
        return f"{_number(value)} {work.unit.name}"
    if name.endswith("_mvnd") or name.startswith("disbursed_"):
        return money_text(Decimal(value))
    if isinstance(value, Decimal):
        return _number(value)
    return str(value)


def _change(
    work: Any,
    current: ProgressReport | None,
    values: dict[str, Any],
    envelope: list[EnvelopeLine],
    number: int,
) -> Change:
    """What the new report changes from the latest: status, quantity, money, the rest."""
    old = _state(_report_values(current, envelope), envelope)
    new = _state(values, envelope)
    if current is None:
        old = dict.fromkeys(old)
    order = [
        "reported_on",
        "status",
        "quantity_done",
        *(_money_key(e) for e in envelope),
        *[n for n in NUMBERS if n != "quantity_done"],
        "actual_start",
        "actual_finish",
        *TEXTS,
    ]
    fields = []
    for name in order:
        a, b = old.get(name), new.get(name)
        if current is not None and a == b:
            continue
        if current is None and (b is None or b == "" or (isinstance(b, Decimal) and not b)):
            continue
        label = _header_of(name, envelope)
        if name.startswith("disbursed_"):
            label = _("Disbursed from %(source)s") % {"source": label}
        fields.append((label, _shown(name, a, work), _shown(name, b, work)))
    return Change("add", number, f"{work.number}. {work.activity}", fields)


@transaction.atomic
def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    """One new report per changed work, all in one transaction, or none."""
    errors: list[ApplicationError] = []
    for item in reading.items:
        try:
            progress_report_create(
                actor=actor, line=item.line, data=item.data, disbursed=item.disbursed
            )
        except ApplicationErrors as exc:
            errors += exc.errors
        except ApplicationError as exc:
            errors.append(exc)
    if errors:
        raise ApplicationErrors(errors)
    return {"added": len(reading.items), "changed": 0, "deleted": 0}
