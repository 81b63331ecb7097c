"""F7 in: an upload read against a five-year plan, every line checked by the rules of the web
page (``midterm.services.lines.check_medium_term_line``) with each problem named on its cell,
a year's status changed by hand (planned ↔ dropped, with the reason), the preview, and the
changes applied at once with the real user by the one writer of five-year lines
(``save_medium_term_line``, ``set_year_status``) in one transaction.

The file's year groups ("Năm 2027" over Khối lượng, Kinh phí, Tình trạng) are found by their
headers like any column, one group per year of the period; a programme's own titles for them
are the synonyms of the form (``synonyms.json``, "{year}" standing for the year)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.bounds.kinds import NOTE_TEXT
from kehoach.core.errors import ApplicationError
from kehoach.core.validation import Problem, errors
from kehoach.midterm.choices import SET_BY_HAND, YearStatus
from kehoach.midterm.models import MediumTermLine, MediumTermLineYear, MediumTermPlan
from kehoach.midterm.selectors_drawing import year_statuses
from kehoach.midterm.services.lines import (
    YearValues,
    check_medium_term_line,
    save_medium_term_line,
    set_year_status,
)

from ... import cells
from ...layouts import Column, FormLayout
from ...reading import Book as Upload
from ...reading import Header, find_header
from ...reading.synonyms import synonyms_for
from ..base import CellError, Change, ReadingBase, RowValues, compare, header_specs, read_meta
from ..base import read_table as read_rows
from ..base import shown as shown_value
from .common import (
    FORM,
    LINE_KEYS,
    STATUS_LABELS,
    YEAR_PARTS,
    form_lists,
    period_columns,
    split_year_key,
    year_key,
)

YEAR_FIELDS = {"q": "year_quantity", "c": "year_cost_mvnd"}
"""``Where.field`` of a year's problem (``year_field``: ``q_2027``) → the year column."""


@dataclass
class StatusChange:
    year: int
    status: str
    reason: str


@dataclass
class LineChange:
    """One row that changes the plan: a new line (``line`` None) or a line changed; ``values``
    and ``years`` None when only statuses change."""

    row: int
    line: MediumTermLine | None
    version: int | None
    values: dict[str, Any] | None
    years: dict[int, YearValues] | None
    statuses: list[StatusChange] = field(default_factory=list)


@dataclass
class Reading(ReadingBase):
    changes: list[LineChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = FORM


def _labels() -> dict[str, str]:
    return {
        name: str(getattr(MediumTermLine._meta.get_field(name), "verbose_name", name)).capitalize()
        for name in LINE_KEYS
    }


def _synonyms(years: list[int]) -> dict[str, list[str]]:
    """The form's synonyms with the year groups' written once per year ("{year}")."""
    found = synonyms_for(FORM)
    out = {k: v for k, v in found.items() if k not in YEAR_PARTS}
    for part in YEAR_PARTS:
        for year in years:
            out[year_key(part, year)] = [
                t.replace("{year}", str(year)) for t in found.get(part, [])
            ]
    return out


def _recognise(
    upload: Upload, sheet: str, meta: dict[str, Any], layouts: list[FormLayout], years: list[int]
) -> tuple[FormLayout, list[Column]]:
    """The layout the file is in (the one it names, else the one whose headers it has most)
    and its columns as the file titles them: a column found by a synonym is read under the
    file's own header."""
    synonyms = _synonyms(years)
    candidates = layouts
    if meta.get("layout"):
        named = [layout for layout in layouts if layout.code == meta["layout"]]
        candidates = named or layouts
    best: tuple[int, FormLayout, list[Column], Header] | None = None
    data = upload.sheet(sheet)
    for layout in candidates:
        columns = period_columns(layout, years)
        try:
            header = find_header(data, header_specs(columns), synonyms=synonyms)
        except ApplicationError:
            continue
        if best is None or len(header.columns) > best[0]:
            best = (len(header.columns), layout, columns, header)
    if best is None:  # refuse with the message of the official layout: it names what is missing
        columns = period_columns(candidates[0], years)
        find_header(data, header_specs(columns), synonyms=synonyms)
        raise ApplicationError("layout_unknown", _("The columns of this workbook are not known."))
    _score, layout, columns, header = best
    own = {c.key: {label.casefold() for label in c.labels} for c in columns}
    named_columns = []
    for column in columns:
        position = header.columns.get(column.key)
        text = header.texts.get(position, "") if position is not None else ""
        if text and text.casefold() not in own[column.key] and text.count(" > ") <= 1:
            parent, _sep, child = text.rpartition(" > ")
            column = dataclasses.replace(column, parent=parent, header=child)
        named_columns.append(column)
    return layout, named_columns


def _check_meta(plan: MediumTermPlan, meta: dict[str, Any]) -> None:
    if not meta:
        return
    if meta.get("form") != FORM:
        raise ApplicationError(
            "wrong_form",
            _("This workbook is the form %(found)s, not %(form)s; upload it on its own page.")
            % {"found": meta.get("form") or "?", "form": FORM},
        )
    if meta.get("plan") != str(plan.uid):
        raise ApplicationError(
            "wrong_plan",
            _(
                "This workbook was downloaded for another five-year plan (unit %(unit)s, "
                "period from %(year)s); download the form of this plan and copy your lines "
                "into it."
            )
            % {"unit": meta.get("unit") or "?", "year": meta.get("first_year") or "?"},
        )
    period = (str(plan.round.first_year), str(plan.round.last_year))
    if (meta.get("first_year"), meta.get("last_year")) != period:
        raise ApplicationError(
            "period_changed",
            _(
                "The period of this plan is now %(first)s–%(last)s, not the one this workbook "
                "was downloaded for; download the form again."
            )
            % {"first": period[0], "last": period[1]},
        )


class _Row:
    """Reading one row: its cells, where each key is, the errors found on it."""

    def __init__(self, reading: Reading, row: RowValues, columns: dict[str, Column]) -> None:
        self.reading, self.row, self.columns = reading, row, columns

    def error(self, key: str, message: str, value: Any = None) -> None:
        column = self.columns.get(key)
        letter = self.row.letters.get(key, "") or self.row.letters.get("activity", "")
        if column is not None:
            header = f"{column.parent} > {column.header}" if column.parent else column.header
        else:
            header = _("Line key") if key == "__key" else _labels().get(key, key)
        self.reading.errors.append(
            CellError(
                self.reading.sheet,
                self.row.number,
                letter,
                header,
                self.row.values.get(key) if value is None else value,
                message,
            )
        )

    def problem(self, problem: Problem) -> None:
        name = problem.where.field or ""
        prefix, _sep, year = name.partition("_")
        key = name
        if name not in LINE_KEYS and prefix in YEAR_FIELDS and year.isdigit():
            key = year_key(YEAR_FIELDS[prefix], int(year))
        if key not in self.row.letters:
            key = "activity"
        self.error(key, problem.detail or problem.message)


def _changed_since(line: MediumTermLine) -> str:
    return _(
        "line %(number)s “%(activity)s” was changed in kehoach after this workbook was "
        "downloaded; download the form again and make your changes there, so that the other "
        "change is not lost."
    ) % {"number": line.number, "activity": line.activity}


def _label(status: Any) -> str:
    return STATUS_LABELS.get(str(status), str(status)) if status else "—"


def read(
    plan: MediumTermPlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = read_meta(upload)
    _check_meta(plan, meta)
    years = plan.round.years
    sheet = upload.data_sheet(FORM)
    layout, columns = _recognise(upload, sheet, meta, layouts, years)
    choices = form_lists(plan)
    table = read_rows(upload, sheet, columns, choices, form=FORM)
    reading = Reading(
        layout=layout,
        skipped=table.skipped,
        encoding=table.encoding,
        unread=table.unread,
        sheet=sheet,
    )
    reading.errors = table.errors
    wrong_rows = {e.row for e in table.errors}
    by_key = {c.key: c for c in columns}
    lines = {
        str(line.uid): line
        for line in MediumTermLine.objects.alive()
        .filter(plan=plan)
        .select_related("sector", "unit", "proposed_source")
    }
    saved_years: dict[int, dict[int, MediumTermLineYear]] = {}
    for item in MediumTermLineYear.objects.filter(line__in=[x.pk for x in lines.values()]):
        saved_years.setdefault(item.line_id, {})[item.year] = item
    derived = year_statuses([y for found in saved_years.values() for y in found.values()])
    known = meta.get("lines", {}) if meta else {}
    seen: dict[str, int] = {}
    labels = _labels()
    for row in table.rows:
        cell = _Row(reading, row, by_key)
        if row.key:
            if row.key in seen:
                cell.error(
                    "__key",
                    _(
                        "the same line key as row %(row)s: a row was copied; clear the key of "
                        "the new row (its hidden last cell)."
                    )
                    % {"row": seen[row.key]},
                    row.key,
                )
                continue
            seen[row.key] = row.number
        entry = known.get(row.key) if row.key else None
        line = lines.get(entry[0]) if entry else None
        if row.key and line is None:
            cell.error(
                "__key",
                _(
                    "this line is not in the plan any more (deleted in kehoach); clear its key "
                    "to add it again as a new line."
                ),
                row.key,
            )
            continue
        if row.number in wrong_rows:
            continue
        _read_row(reading, cell, plan, line, entry, table.present, saved_years, derived, labels)
    if meta:
        for key, (uid, _version) in known.items():
            line = lines.get(uid)
            if key not in seen and line is not None:
                reading.notes.append(
                    _(
                        "Line %(number)s “%(activity)s” is not in the workbook; it stays in the "
                        "plan (delete it on the plan's page if it must go)."
                    )
                    % {"number": line.number, "activity": line.activity}
                )
    return reading


def _read_row(
    reading: Reading,
    cell: _Row,
    plan: MediumTermPlan,
    line: MediumTermLine | None,
    entry: Any,
    present: set[str],
    saved_years: dict[int, dict[int, MediumTermLineYear]],
    derived: dict[int, Any],
    labels: dict[str, str],
) -> None:
    row = cell.row
    saved = saved_years.get(line.pk, {}) if line is not None else {}
    base = {name: getattr(line, name) for name in LINE_KEYS} if line is not None else {}
    given = {
        k: v
        for k, v in row.values.items()
        if k in LINE_KEYS and (line is not None or not cells.is_empty(v))
    }
    if line is not None:
        for name in ("contribution_mvnd", "external_support_mvnd"):
            if name in present and given.get(name) is None:
                given[name] = Decimal(0)
    values = {**base, **given}
    years: dict[int, YearValues] = {
        year: YearValues(item.quantity, item.cost_mvnd) for year, item in saved.items()
    }
    for year in plan.round.years:
        q_key, c_key = year_key("year_quantity", year), year_key("year_cost_mvnd", year)
        if q_key not in present and c_key not in present:
            continue  # the file has no columns for this year: it stays as saved
        quantity = row.values.get(q_key) if q_key in present else years.get(year, _EMPTY).quantity
        cost = row.values.get(c_key) if c_key in present else years.get(year, _EMPTY).cost_mvnd
        if quantity is None and cost is None:
            years.pop(year, None)
        else:
            years[year] = YearValues(quantity, cost)
    problems = errors(check_medium_term_line(plan, values, years, line=line))
    if problems:
        for problem in problems:
            cell.problem(problem)
        return
    statuses = _statuses(cell, line, saved, derived, years)
    if statuses is None:
        return
    label = f"{line.number}. {line.activity}" if line else str(values.get("activity") or "")
    if line is None:
        reading.changes.append(LineChange(row.number, None, None, values, years, statuses))
        fields = compare({}, values, labels, LINE_KEYS)
        fields += _year_fields({}, years, statuses, {})
        reading.preview.append(Change("add", row.number, label, fields))
        return
    fields = compare(base, values, labels, LINE_KEYS)
    before = {year: YearValues(item.quantity, item.cost_mvnd) for year, item in saved.items()}
    shown_before = {y: _label(derived.get(item.pk, item.status)) for y, item in saved.items()}
    year_fields = _year_fields(before, years, statuses, shown_before)
    if not fields and not year_fields:
        return
    version = entry[1] if entry else None
    if version is not None and line.version != version:
        cell.error("activity", _changed_since(line))
        return
    same = (
        not fields
        and all(before.get(y) is not None and _same(before[y], v) for y, v in years.items())
        and set(before) == set(years)
    )
    reading.changes.append(
        LineChange(
            row.number,
            line,
            version,
            None if same else values,
            None if same else years,
            statuses,
        )
    )
    reading.preview.append(Change("change", row.number, label, fields + year_fields))


_EMPTY = YearValues(None, None)


def _same(one: YearValues, other: YearValues) -> bool:
    return Decimal(one.quantity or 0) == Decimal(other.quantity or 0) and Decimal(
        one.cost_mvnd or 0
    ) == Decimal(other.cost_mvnd or 0)


def _year_fields(
    before: dict[int, YearValues],
    after: dict[int, YearValues],
    statuses: list[StatusChange],
    shown_before: dict[int, str],
) -> list[tuple[str, str, str]]:
    """The preview's lines for the years: quantity, cost and status that change."""
    out = []
    changed = {s.year: s for s in statuses}
    for year in sorted({*before, *after}):
        old, new = before.get(year, _EMPTY), after.get(year, _EMPTY)
        both = (year in before) != (year in after)  # a year added or emptied: both values
        if both or Decimal(old.quantity or 0) != Decimal(new.quantity or 0):
            out.append(
                (
                    _("Year %(year)s, quantity") % {"year": year},
                    shown_value(old.quantity),
                    shown_value(new.quantity),
                )
            )
        if both or Decimal(old.cost_mvnd or 0) != Decimal(new.cost_mvnd or 0):
            out.append(
                (
                    _("Year %(year)s, cost") % {"year": year},
                    shown_value(old.cost_mvnd),
                    shown_value(new.cost_mvnd),
                )
            )
        if year in changed:
            status = changed[year]
            text = _label(status.status)
            if status.reason:
                text = f"{text} ({status.reason})"
            out.append(
                (
                    _("Year %(year)s, status") % {"year": year},
                    shown_before.get(year) or _label(YearStatus.PLANNED),
                    text,
                )
            )
    return out


def _statuses(
    cell: _Row,
    line: MediumTermLine | None,
    saved: dict[int, MediumTermLineYear],
    derived: dict[int, Any],
    years: dict[int, YearValues],
) -> list[StatusChange] | None:
    """The years whose status the row changes by hand (planned ↔ dropped); None when a status
    cell is wrong (its error is added)."""
    row = cell.row
    reason = cells.text(row.values.get("dropped_reason") or "").strip()
    out: list[StatusChange] = []
    wrong = False
    for key, wanted in row.values.items():
        found = split_year_key(key)
        if found is None or found[0] != "year_status" or wanted is None:
            continue
        year = found[1]
        item = saved.get(year)
        current = str(derived.get(item.pk, item.status)) if item is not None else ""
        wanted = str(wanted)
        if current and current not in SET_BY_HAND:
            if wanted != current:
                cell.error(
                    key,
                    _(
                        "“%(status)s” follows from the yearly plan the year was drawn into and "
                        "cannot be changed here; write it back as it was."
                    )
                    % {"status": _label(current)},
                )
                wrong = True
            continue
        if wanted not in SET_BY_HAND:
            cell.error(
                key,
                _(
                    "only “%(planned)s” or “%(dropped)s” can be chosen; the other statuses follow "
                    "from the yearly plans."
                )
                % {
                    "planned": _label(YearStatus.PLANNED),
                    "dropped": _label(YearStatus.DROPPED),
                },
            )
            wrong = True
            continue
        if wanted == (current or YearStatus.PLANNED):
            continue
        if year not in years:
            cell.error(
                key,
                _("the year %(year)s has no quantity and cost: there is nothing to drop.")
                % {"year": year},
            )
            wrong = True
            continue
        if wanted == YearStatus.DROPPED:
            if not reason:
                cell.error(
                    "dropped_reason" if "dropped_reason" in row.letters else key,
                    _(
                        "say why the year %(year)s is dropped: write the reason in the column "
                        "“Lý do bỏ”."
                    )
                    % {"year": year},
                )
                wrong = True
                continue
            if len(reason) > NOTE_TEXT:
                cell.error(
                    "dropped_reason",
                    _("the reason is too long: at most %(max)s characters.") % {"max": NOTE_TEXT},
                )
                wrong = True
                continue
        out.append(StatusChange(year, wanted, reason if wanted == YearStatus.DROPPED else ""))
    return None if wrong else out


@transaction.atomic
def apply(actor: Any, plan: MediumTermPlan, reading: Reading) -> dict[str, int]:
    """Every change of a checked upload, all or nothing: each line through the one writer
    (which locks the plan, checks it is a draft and the line's version), then each status
    changed by hand."""
    counts = {"added": 0, "changed": 0, "deleted": 0}
    for change in reading.changes:
        line = change.line
        if change.values is not None and change.years is not None:
            line = save_medium_term_line(
                actor,
                plan,
                change.values,
                change.years,
                line=change.line,
                expected_version=change.version,
            )
        assert line is not None
        if change.statuses:
            saved = {y.year: y for y in MediumTermLineYear.objects.filter(line=line)}
            for status in change.statuses:
                item = saved[status.year]
                item.line = line
                set_year_status(actor, item, status.status, status.reason)
        counts["added" if change.line is None else "changed"] += 1
    return counts
