"""F10 — the commune scoring: every active line with one column per criterion of the round's
process profile (the layout's ``criteria`` column spread, like F12's sources), its score and
its rank. The computed criteria are locked (their points, for reference); the criteria the
commune judges are open cells. The score is a live formula (Σ weight × points / Σ weights, as
kehoach computes it) so the planner sees it move while typing offline; the rank is the one at
download. Back in, each changed score is checked by ``synthesis.services.scoring.scores_clean``
and saved by ``line_scores_set`` with the line's version at download — the validators and the
writer of the scoring grid. A separate form rather than F9 columns: F9 already has 17 columns,
the criteria (nine by default, a province may add more) would double it, and F10 is the
scoring form of the method."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from kehoach.core.cells_out import Formula
from kehoach.core.errors import ApplicationError, ApplicationErrors
from kehoach.core.numbers import format_number_vi
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.services.lines import lines_with_sources
from kehoach.synthesis.services.scoring import (
    Criterion,
    criteria_of,
    line_scores,
    line_scores_set,
    scores_clean,
)

from ..layouts import Column, FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from .base import (
    CellError,
    CellErrors,
    Change,
    ReadingBase,
    heading,
    line_key,
    plan_meta,
    read_table,
    shown,
)

FORM = "F10"
LANGUAGE = "vi"
"""The criteria are named in Vietnamese in the workbook whatever the page's language: the
headers are read back by their text."""
INSTRUCTIONS = [
    "Hướng dẫn biểu chấm điểm, xếp hạng các hoạt động của xã (F10)",
    "1. Mỗi dòng là một dòng của kế hoạch xã; mỗi cột trong nhóm “Điểm theo tiêu chí” là một "
    "tiêu chí của quy trình, tiêu đề ghi số thứ tự, tên tiêu chí và trọng số (×1, ×2...).",
    "2. Các ô nền vàng là tiêu chí do xã chấm: ghi điểm từ 0 đến 5 (được ghi số lẻ, ví dụ 3,5); "
    "để trống là chưa chấm (tính 0 điểm); xóa điểm đã có thì để trống ô.",
    "3. Các cột bị khóa là tiêu chí hệ thống tự tính từ số liệu của dòng (thứ tự ưu tiên của "
    "thôn, số thôn cùng đề xuất, số người hưởng lợi, chi phí, tỷ lệ đóng góp); không sửa được.",
    "4. Cột “Điểm” do Excel tự tính lại khi bạn gõ (trung bình có trọng số, từ 0 đến 5). Cột "
    "“Thứ hạng” là thứ hạng lúc tải biểu về; kehoach xếp hạng lại khi tải biểu lên.",
    "5. Không thêm, không xóa dòng ở biểu này. Muốn đặt thứ hạng khác với thứ hạng theo điểm, "
    "dùng trang của dòng trên kehoach (phải ghi lý do).",
    "6. Nếu sau khi tải biểu về, một dòng đã được sửa trên kehoach, điểm mới của dòng đó bị từ "
    "chối: hãy tải biểu mới về và chấm lại dòng đó.",
]


def _weight(criterion: Criterion) -> str:
    text = format_number_vi(criterion.weight, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _signature(criteria: list[Criterion]) -> str:
    """What the columns of a downloaded workbook were made from: a change of the profile's
    criteria or weights makes an old workbook's columns wrong."""
    return ",".join(f"{c.code}:{c.weight}" for c in criteria)


def _digest(scores: dict[str, Any], judged: list[Criterion]) -> str:
    """A short fingerprint of a line's judged scores: the workbook keeps the one of each line
    at download, so that a row left as it was is never taken for a change, even when the
    line was scored on the web meanwhile."""
    items = sorted(
        (c.code, str(Decimal(str(scores[c.code])).normalize()))
        for c in judged
        if scores.get(c.code) is not None
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()[:10]


def _digests(meta: dict[str, Any]) -> dict[str, str]:
    found = {}
    for item in str(meta.get("scores", "")).split(";"):
        key, _colon, value = item.partition(":")
        if key and value:
            found[key] = value
    return found


def _columns(layout: FormLayout, criteria: list[Criterion]) -> list[Column]:
    """The layout's columns with its ``criteria`` column spread into one per criterion."""
    columns: list[Column] = []
    for column in layout.columns:
        if column.kind != "criteria":
            columns.append(column)
            continue
        for number, criterion in enumerate(criteria, start=1):
            columns.append(
                Column(
                    f"c_{criterion.code}",
                    f"{number}. {criterion.name} (×{_weight(criterion)})",
                    column.width,
                    "decimal",
                    parent=column.header,
                    locked=criterion.automatic,
                )
            )
    return columns


def _score_formula(columns: list[Column], criteria: list[Criterion], row: int) -> Formula | None:
    """Σ weight × points / Σ weights, rounded to two decimals as kehoach rounds it."""
    keys = [c.key for c in columns]
    terms = []
    for criterion in criteria:
        key = f"c_{criterion.code}"
        if key not in keys or not criterion.weight:
            continue
        cell = f"{get_column_letter(keys.index(key) + 1)}{row}"
        terms.append(f"{criterion.weight}*MIN(5,MAX(0,N({cell})))")
    if not terms:
        return None
    total = sum((c.weight for c in criteria), Decimal(0)) or Decimal(1)
    return Formula(f"=ROUND(({'+'.join(terms)})/{total},2)")


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    criteria = criteria_of(plan, LANGUAGE)
    judged = [c for c in criteria if not c.automatic]
    columns = _columns(layout, criteria)
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    head = heading(plan.round.commune, plan.round.plan_year, FORM, "Chấm điểm, xếp hạng của xã")
    # as ``writing.build`` lays it out: the heading lines, a blank row, the title, the money
    # unit, a blank row, two header rows and the column numbers
    first_row = len(head) + 8
    rows = []
    for offset, line in enumerate(lines):
        score = scores[line.pk]
        villages = sorted(
            {s.village_line.plan.village.name for s in line.sources.all() if not s.withdrawn}
        )
        row: dict[str, Any] = {
            "number": line.number,
            "sector": line.sector.name,
            "activity": line.activity,
            "villages": line.organisation or ", ".join(villages),
            "village_priority": line.village_priority,
            "score": _score_formula(columns, criteria, first_row + offset) or score.score,
            "rank": score.rank,
        }
        manual = line.manual_scores or {}
        for point in score.points:
            code = point.criterion.code
            row[f"c_{code}"] = point.points if point.criterion.automatic else manual.get(code)
        rows.append(row)
    keys = [line_key(line.number) for line in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=head,
        tables=[
            Table(
                name=FORM,
                columns=columns,
                rows=rows,
                keys=keys,
                blank_rows=0,
                totals=False,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "criteria": _signature(criteria),
            "scores": ";".join(
                f"{k}:{_digest(x.manual_scores or {}, judged)}"
                for k, x in zip(keys, lines, strict=True)
            ),
            "lines": {k: (str(x.uid), x.version) for k, x in zip(keys, lines, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


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
    meta = plan_meta(upload, FORM, plan, required=True)
    criteria = criteria_of(plan, LANGUAGE)
    if meta.get("criteria", "") != _signature(criteria):
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
    columns = [
        dataclasses.replace(c, kind="value")
        for c in _columns(layout, criteria)
        if c.key in ("number", "activity") or c.key in {f"c_{x.code}" for x in judged}
    ]
    table = read_table(upload, sheet, columns, {})
    reading = Reading(layout=layout, skipped=table.skipped, encoding=table.encoding)
    reading.errors = CellErrors(table.errors)
    lines = lines_with_sources(plan)
    by_uid = {str(x.uid): x for x in lines}
    before = line_scores(plan, lines)
    headers = {c.key: c.header for c in columns}
    known = meta.get("lines", {})
    downloaded = _digests(meta)
    seen: dict[str, int] = {}
    changed: list[CommuneLine] = []
    for row in table.rows:
        entry = known.get(row.key)
        line = by_uid.get(entry[0]) if entry else None
        if line is None:
            reading.errors.append(_no_line(sheet, row))
            continue
        if row.key in seen:
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
        if downloaded.get(row.key) == _digest(cleaned, judged):
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
    missing = len([k for k in known if k not in seen])
    if missing:
        reading.notes.append(
            _(
                "%(n)s lines are not in the workbook; nothing changes for them (lines are not "
                "removed through this form)."
            )
            % {"n": missing}
        )
    return reading


def _no_line(sheet: str, row: Any) -> CellError:
    return CellError(
        sheet,
        row.number,
        row.letters.get("activity", "A"),
        _("Line"),
        row.values.get("activity"),
        _(
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


@transaction.atomic
def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    errors: list[ApplicationError] = []
    for item in reading.items:
        try:
            line_scores_set(
                actor=actor, line=item.line, scores=item.scores, expected_version=item.version
            )
        except ApplicationError as exc:
            errors += getattr(exc, "errors", None) or [exc]
    if errors:
        raise ApplicationErrors(errors)
    return {"added": 0, "changed": len(reading.items), "deleted": 0}
