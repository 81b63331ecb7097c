"""F6 in: an upload read against a plan, every line checked by the pure validator of the web
form (``check_proposal_line``), R3/R4 as warnings or, when the profile says so
(``plan_rules_in_import``), as errors (``sector_rules``), the preview with the values computed
from their parts and the sectors taken from heading rows noted once each."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.core.validation import Problem, errors
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import (
    LINE_FIELDS,
    LineChange,
    RuleState,
    check_proposal_line,
    field_label,
    line_context,
    line_values,
    proposal_lines_apply,
    sector_rules,
)

from ...layouts import FormLayout
from ...reading import Book as Upload
from ...reading import find_header
from ...reading.synonyms import synonyms_for
from ..base import (
    CellError,
    Change,
    ReadingBase,
    RowValues,
    compare,
    header_specs,
    read_meta,
    read_table,
)
from .exporting import FORM, _lists
from .preview import NOTE_ROWS, PARTS, _added_fields, _computed, _derived_notes, _rows_text

PREVIEW_DETAILS = 20
"""New lines shown with every value they fill in the preview; further ones by name only (the
preview of a 20,000-line workbook stays readable, quick and under the page budget)."""

__all__ = [
    "NOTE_ROWS",
    "PARTS",
    "PREVIEW_DETAILS",
    "Reading",
    "_added_fields",
    "_computed",
    "_derived_notes",
    "_rows_text",
    "apply",
    "read",
]
SPLIT = ["contribution_cash_mvnd", "contribution_labour_mvnd", "contribution_materials_mvnd"]


LINE_NAMES = frozenset(LINE_FIELDS)


@dataclass
class Reading(ReadingBase):
    """An upload read against a plan: the changes it asks for (each add and change with its
    clean values, complete), what is wrong in it and the plan-level rules it would break."""

    changes: list[LineChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = FORM


def _data(row: RowValues, present: set[str], new: bool) -> dict[str, Any]:
    """The line's values from a row. A blank cell of a new line takes the default (no source,
    community-run, 0 …); of an existing line it clears the value."""
    if new:
        return {  # a catalog entry is never compared with "" (a model's __eq__ is slow)
            k: v
            for k, v in row.values.items()
            if v is not None and k in LINE_NAMES and (v.__class__ is not str or v != "")
        }
    data = {k: v for k, v in row.values.items() if k in LINE_NAMES}
    for name in ("contribution_mvnd", "external_support_mvnd"):
        if name in present and data.get(name) is None:
            data[name] = Decimal(0)
    return data


def _cell_error(
    sheet: str, row: RowValues, error: ApplicationError | Problem, layout: FormLayout
) -> CellError:
    field_name = error.where.field or ""
    letter = row.letters.get(field_name, "")
    column = layout.column(field_name)
    header = column.header if column else field_label(field_name) if field_name else ""
    return CellError(
        sheet,
        row.number,
        letter or "",
        header,
        row.values.get(field_name) if field_name else None,
        error.detail or error.message,
    )


def read(
    plan: VillagePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = read_meta(upload)
    if meta:
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
                    "This workbook was downloaded for another village plan (unit %(unit)s, "
                    "year %(year)s); download the form of this plan and copy your lines into it."
                )
                % {"unit": meta.get("unit") or "?", "year": meta.get("year") or "?"},
            )
    chosen = _layout(upload, meta, layouts)
    choices = _lists(plan)
    sheet = upload.data_sheet(FORM)
    table = read_table(upload, sheet, chosen.columns, choices, form=FORM)
    reading = Reading(
        layout=chosen,
        skipped=table.skipped,
        encoding=table.encoding,
        unread=table.unread,
        sheet=sheet,
    )
    reading.errors = table.errors
    wrong_rows = {e.row for e in table.errors}
    sector_column = chosen.column("sector")
    wrong_headings = (
        {e.row for e in table.errors if e.header == sector_column.header}
        if sector_column is not None and sector_column.heading
        else set()
    )
    context = line_context(plan.round)
    lines = {
        str(line.uid): line
        for line in ProposalLine.objects.alive()
        .filter(plan=plan)
        .select_related("sector", "unit", "proposed_source")
    }
    known = meta.get("lines", {}) if meta else {}
    seen: dict[str, int] = {}
    labels = {name: field_label(name) for name in LINE_FIELDS}
    highest = max((line.number for line in lines.values()), default=0)
    added = 0
    for row in table.rows:
        if row.key:
            if row.key in seen:
                reading.errors.append(
                    CellError(
                        sheet,
                        row.number,
                        row.letters.get("__key", ""),
                        _("Line key"),
                        row.key,
                        _(
                            "the same line key as row %(row)s: a row was copied; clear the key "
                            "of the new row (its hidden last cell)."
                        )
                        % {"row": seen[row.key]},
                    )
                )
                continue
            seen[row.key] = row.number
        entry = known.get(row.key) if row.key else None
        line = lines.get(entry[0]) if entry else None
        if row.key and line is None:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("__key", ""),
                    _("Line key"),
                    row.key,
                    _(
                        "this line is not in the plan any more (deleted in kehoach); clear its key "
                        "to add it again as a new line."
                    ),
                )
            )
            continue
        data = _data(row, table.present, new=line is None)
        if (
            line is not None
            and "contribution_mvnd" in data
            and not (set(SPLIT) & table.present)
            and Decimal(data["contribution_mvnd"] or 0) != line.contribution_mvnd
        ):
            for name in SPLIT:
                data[name] = Decimal(0)
            reading.notes.append(
                _(
                    "Row %(row)s: the contribution changed and this layout has no cash/labour/"
                    "materials columns, so the split of line %(number)s is cleared."
                )
                % {"row": row.number, "number": line.number}
            )
        where = Where(sheet=sheet, row=row.number)
        number = line.number if line else highest + added + 1
        base = line_values(line) if line else {}
        if row.number in wrong_rows:
            continue
        if line is None and data.get("sector") is None:
            # no sector column and no heading above: say so (a wrong heading is named already)
            if not any(h < row.number for h in wrong_headings):
                reading.errors.append(_no_sector(sheet, row, chosen))
            continue
        values, problems = check_proposal_line(context, number, {**base, **data} if base else data)
        if problems:
            reading.errors += [_cell_error(sheet, row, p, chosen) for p in errors(problems)]
            continue
        if line is None:
            added += 1
            reading.changes.append(LineChange(data=values, where=where))
            reading.preview.append(
                Change(
                    "add",
                    row.number,
                    f"{number}. {values['activity']}",
                    _added_fields(values, labels, _computed(row))
                    if added <= PREVIEW_DETAILS
                    else [],
                )
            )
            continue
        differences = compare(base, values, labels, LINE_FIELDS)
        if differences and entry and entry[1] is not None and line.version != entry[1]:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", ""),
                    labels["activity"],
                    row.values.get("activity"),
                    _changed_since(line),
                )
            )
            continue
        if differences:
            reading.changes.append(
                LineChange(data=values, line=line, version=entry[1] if entry else None, where=where)
            )
            reading.preview.append(
                Change("change", row.number, f"{line.number}. {line.activity}", differences)
            )
    if meta:
        present_keys = set(seen)
        for key, (uid, version) in known.items():
            line = lines.get(uid)
            if key not in present_keys and line is not None:
                if version is not None and line.version != version:
                    reading.errors.append(CellError(sheet, 0, "", "", None, _changed_since(line)))
                    continue
                reading.changes.append(LineChange(data={}, line=line, version=version, delete=True))
                reading.preview.append(
                    Change("remove", None, f"{line.number}. {line.activity}", [])
                )
    reading.notes.extend(_derived_notes(table.rows, chosen))
    if not reading.errors:
        failing = [s for s in _plan_rules(context, lines, reading) if not s.ok]
        if plan.round.profile.policy.plan_rules_refuse_import:
            reading.errors += _plan_rule_errors(sheet, failing, table.rows, reading, chosen)
        else:
            reading.warnings = [state.message for state in failing]
    return reading


def _no_sector(sheet: str, row: RowValues, layout: FormLayout) -> CellError:
    column = layout.column("activity")
    return CellError(
        sheet,
        row.number,
        row.letters.get("sector") or row.letters.get("activity", ""),
        column.header if column else field_label("activity"),
        row.values.get("activity"),
        _(
            "this line has no sector: fill in its sector, or put a heading row with the sector "
            "(for example “I. NÔNG NGHIỆP”) above it."
        ),
    )


def _plan_rule_errors(
    sheet: str,
    failing: list[RuleState],
    rows: list[RowValues],
    reading: Reading,
    layout: FormLayout,
) -> list[CellError]:
    """R3/R4 refusing the upload (the profile's ``plan_rules_in_import`` is "error"): each
    named on the priority cell (else the sector cell) of the first row of its sector."""
    first: dict[Any, int] = {}
    for change in reading.changes:
        sector = change.data.get("sector")
        code = getattr(sector, "code", sector)
        if code is not None and change.where is not None and change.where.row:
            first.setdefault(code, change.where.row)
    by_number = {row.number: row for row in rows}
    found = []
    for state in failing:
        parts = state.code.split(":")
        number = first.get(parts[1]) if len(parts) > 1 else None
        row = by_number.get(number) if number else None
        key = "priority" if row is not None and row.letters.get("priority") else "sector"
        column = layout.column(key)
        found.append(
            CellError(
                sheet,
                number or 0,
                row.letters.get(key, "") if row is not None else "",
                column.header if column else field_label(key),
                row.values.get(key) if row is not None else None,
                state.message,
            )
        )
    return found


def _plan_rules(context: Any, lines: dict[str, ProposalLine], reading: Reading) -> list[RuleState]:
    """R3 and R4 over the plan's lines as they would be after the upload (warnings: they
    block only the submit; errors when the profile says so)."""
    after: dict[int, dict[str, Any]] = {line.pk: line_values(line) for line in lines.values()}
    for line in lines.values():
        after[line.pk]["number"] = line.number
    highest = max((line.number for line in lines.values()), default=0)
    adds = []
    for change in reading.changes:
        if change.line is None:
            highest += 1
            adds.append({**change.data, "number": highest})
        elif change.delete:
            after.pop(change.line.pk, None)
        else:
            after[change.line.pk] = {**change.data, "number": change.line.number}
    return sector_rules(context, [*after.values(), *adds])


def _changed_since(line: ProposalLine) -> str:
    return _(
        "line %(number)s “%(activity)s” was changed in kehoach after this workbook was "
        "downloaded; download the form again and make your changes there, so that the other "
        "change is not lost."
    ) % {"number": line.number, "activity": line.activity}


def _layout(upload: Upload, meta: dict[str, Any], layouts: list[FormLayout]) -> FormLayout:
    if meta.get("layout"):
        for layout in layouts:
            if layout.code == meta["layout"]:
                return layout
    sheet = upload.sheet(upload.data_sheet(FORM))
    best: tuple[int, FormLayout] | None = None

    def synonyms() -> dict[str, list[str]]:
        return synonyms_for(FORM)

    for layout in layouts:
        try:
            header = find_header(sheet, header_specs(layout.columns), synonyms=synonyms)
        except ApplicationError:
            continue
        score = len(header.columns)
        if best is None or score > best[0]:
            best = (score, layout)
    if best is None:
        # refuse with the message of the official layout (it lists the missing columns)
        find_header(sheet, header_specs(layouts[0].columns), synonyms=synonyms)
        raise ApplicationError("layout_unknown", _("The columns of this workbook are not known."))
    return best[1]


def apply(actor: Any, plan: VillagePlan, reading: Reading) -> dict[str, int]:
    counts = proposal_lines_apply(actor=actor, plan=plan, changes=reading.changes, validated=True)
    return {k: counts[k] for k in ("added", "changed", "deleted")}
