"""F10: reading a workbook back — each changed row's scores checked by ``scores_clean`` (pure:
nothing written), a row changed on the web since the download refused, the preview of the
scores, score and rank each change moves."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.selectors import lines_with_sources
from kehoach.synthesis.services.scoring import (
    Criterion,
    criteria_of,
    line_scores,
    scores_clean,
)

from ...layouts import FormLayout
from ...reading import Book as Upload
from ..base import (
    CellError,
    CellErrors,
    Change,
    ReadingBase,
    plan_meta,
    read_table,
    shown,
)
from ..base.matching import LineIndex, foreign_note
from .common import FORM, LANGUAGE, _columns, _digest, _digests, _foreign_columns, _signature


@dataclass
class Item:
    line: CommuneLine
    version: int | None
    scores: dict[str, int | float | None]
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


def _layout(meta: dict[str, Any], layouts: list[FormLayout]) -> FormLayout:
    return next((x for x in layouts if x.code == meta.get("layout")), layouts[0])


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    criteria = criteria_of(plan, LANGUAGE)
    if meta and meta.get("criteria", "") != _signature(criteria):
        raise ApplicationError(
            "criteria_changed",
            _(
                "The scoring criteria or their weights changed after this workbook was "
                "downloaded, so its columns no longer match; download the form again."
            ),
        )
    layout = _layout(meta, layouts)
    sheet = upload.data_sheet(FORM)
    judged = [c for c in criteria if not c.automatic]
    # the judged criteria are read as typed: the scoring service's own check says what is wrong
    columns = (
        [
            dataclasses.replace(c, kind="value")
            for c in _columns(layout, criteria)
            if c.key in ("number", "activity") or c.key in {f"c_{x.code}" for x in judged}
        ]
        if meta
        else _foreign_columns(layout, criteria)
    )
    table = read_table(upload, sheet, columns, {})
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = CellErrors(table.errors)
    lines = lines_with_sources(plan)
    by_uid = {str(x.uid): x for x in lines}
    before = line_scores(plan, lines)
    headers = {c.key: c.header for c in columns}
    known = meta.get("lines", {})
    downloaded = _digests(meta)
    seen: dict[str, int] = {}
    changed: list[CommuneLine] = []
    index = None if meta else _foreign_index(reading, table, lines, criteria)
    for row in table.rows:
        line: CommuneLine | None
        entry: tuple[str, int | None] | None
        if index is not None:  # a workbook made elsewhere: the line its name (or number) gives
            found = index.find(row.number, row.values.get("activity"), row.values.get("number"))
            if found.line is None:
                reading.errors.append(_no_line(sheet, row, found.problem))
                continue
            line, entry = found.line, (str(found.line.uid), None)
        else:
            entry = known.get(row.key)
            line = by_uid.get(entry[0]) if entry else None
        if line is None:
            reading.errors.append(_no_line(sheet, row))
            continue
        if index is None and row.key in seen:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", "A"),
                    _("Line"),
                    row.values.get("activity"),
                    _("this line is already on row %(row)s; keep one row per line.")
                    % {"row": seen[row.key]},
                )
            )
            continue
        seen[row.key] = row.number
        typed = {
            c.code: row.values.get(f"c_{c.code}") for c in judged if f"c_{c.code}" in table.present
        }
        if index is not None:  # an empty cell of a workbook made elsewhere changes nothing
            typed = {code: value for code, value in typed.items() if value not in (None, "")}
        cleaned, problems = scores_clean(criteria, typed)
        for problem in problems:
            key = f"c_{(problem.where.field or '').removeprefix('score_')}"
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get(key, ""),
                    headers.get(key, ""),
                    row.values.get(key),
                    problem.detail or problem.message,
                )
            )
        if problems:
            continue
        stored = line.manual_scores or {}
        scores = {code: v for code, v in cleaned.items() if stored.get(code) != v}
        if not scores:
            continue
        if index is None and downloaded.get(row.key) == _digest(cleaned, judged):
            reading.notes.append(
                _(
                    "Row %(row)s: line %(number)s was scored in kehoach after this workbook was "
                    "downloaded and its row was not changed; the scores in kehoach are kept."
                )
                % {"row": row.number, "number": line.number}
            )
            continue
        if entry[1] is not None and entry[1] != line.version:
            key = f"c_{next(iter(scores))}"
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get(key, ""),
                    headers.get(key, ""),
                    row.values.get(key),
                    _(
                        "line %(number)s was changed in kehoach after this workbook was "
                        "downloaded; download the form again and score this line in it."
                    )
                    % {"number": line.number},
                )
            )
            continue
        reading.items.append(Item(line, entry[1], scores, row.number, row.letters))
        changed.append(line)
    _preview(plan, reading, lines, before, criteria)
    missing = len([k for k in known if k not in seen] if index is None else index.unmatched())
    if missing:
        reading.notes.append(
            _(
                "%(n)s lines are not in the workbook; nothing changes for them (lines are not "
                "removed through this form)."
            )
            % {"n": missing}
        )
    return reading


def _foreign_index(
    reading: Reading, table: Any, lines: list[CommuneLine], criteria: list[Criterion]
) -> LineIndex[CommuneLine]:
    """For a workbook made elsewhere: the note that says so, the computed criteria whose
    columns are not read, and the plan's lines to find each row's line by its name and
    number. Refused when no column of a criterion the commune scores is found."""
    present = [c for c in criteria if f"c_{c.code}" in table.present]
    if not any(not c.automatic for c in present):
        raise ApplicationError(
            "criteria_not_found",
            _(
                "No column of this workbook is titled by a criterion the commune scores. Title "
                "each score column with the criterion's name: %(names)s."
            )
            % {"names": "; ".join(f"“{c.name}”" for c in criteria if not c.automatic)},
        )
    reading.notes.append(foreign_note())
    computed = [c.name for c in present if c.automatic]
    if computed:
        reading.notes.append(
            _(
                "The columns of the criteria kehoach computes from each line's data are not "
                "read: %(names)s."
            )
            % {"names": "; ".join(f"“{name}”" for name in computed)}
        )
    return LineIndex(
        sorted(lines, key=lambda x: x.number), name=lambda x: x.activity, number=lambda x: x.number
    )


def _no_line(sheet: str, row: Any, problem: str = "") -> CellError:
    return CellError(
        sheet,
        row.number,
        row.letters.get("activity", "A"),
        _("Line"),
        row.values.get("activity"),
        problem
        or _(
            "lines cannot be added here; a commune sector's proposal is added on the commune "
            "plan's page."
        )
        if not row.key
        else _("this line is no longer in the commune plan; download the form again."),
    )


def _preview(
    plan: CommunePlan,
    reading: Reading,
    lines: list[CommuneLine],
    before: dict[int, Any],
    criteria: list[Criterion],
) -> None:
    """Each changed line: its scores, its score and its rank before and after. The lines are
    this reading's own copies: the new scores are set on them to compute, never saved."""
    if reading.errors or not reading.items:
        return
    names = {c.code: c.name for c in criteria}
    old = {item.line.pk: dict(item.line.manual_scores or {}) for item in reading.items}
    for item in reading.items:
        manual = dict(item.line.manual_scores or {})
        for code, value in item.scores.items():
            if value is None:
                manual.pop(code, None)
            else:
                manual[code] = value
        item.line.manual_scores = manual
    after = line_scores(plan, lines)
    for item in reading.items:
        line = item.line
        fields = [
            (names[code], _score(old[line.pk].get(code)), _score(value))
            for code, value in item.scores.items()
        ]
        fields.append((_("Score"), shown(before[line.pk].score), shown(after[line.pk].score)))
        if before[line.pk].rank != after[line.pk].rank:
            fields.append((_("Rank"), str(before[line.pk].rank), str(after[line.pk].rank)))
        reading.preview.append(
            Change("change", item.row, f"{line.number}. {line.activity}", fields)
        )
    moved = sum(
        1 for line in lines if line.pk not in old and before[line.pk].rank != after[line.pk].rank
    )
    if moved:
        reading.notes.append(
            _("The rank of %(n)s other lines changes with these scores.") % {"n": moved}
        )
    for item in reading.items:  # back as stored: the service reads the line again anyway
        item.line.manual_scores = old[item.line.pk]


def _score(value: Any) -> str:
    return shown(Decimal(str(value))) if value is not None else "—"
