"""F9 — the commune synthesis: every active line with its villages, score, rank, funding and
decision. Back in, the commune may change a line's name, location and notes and decide on it
(in the plan without funding, deferred, rejected — with a reason); funding itself is decided
on the financial plan (F12) or on the line's page. Applied through the synthesis services; the
confirmation gives the changes the check kept (``keep``/``restore``/``write``) to the writer
``commune_lines_apply`` without reading the workbook again."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.validation import Problem, problem_of
from kehoach.plans.services.lines import line_context
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.permissions import draft_reason
from kehoach.synthesis.selectors import lines_with_sources
from kehoach.synthesis.services.lines.validators import (
    validate_commune_line,
    validate_line_decision,
)
from kehoach.synthesis.services.lines.writer import CommuneLineChange, commune_lines_apply
from kehoach.synthesis.services.scoring import line_scores

from ..layouts import FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from . import kept as keeping
from .base import (
    CellError,
    Change,
    ReadingBase,
    heading,
    line_key,
    plan_meta,
    read_table,
)
from .base.matching import LineIndex, foreign_note
from .f9_foreign import (
    _decisions,
    _decisions_as_written,
    _foreign_columns,
    _foreign_text,
)

FORM = "F9"
TEXT_COLUMNS = ("activity", "location", "notes", "decision_reason")
INSTRUCTIONS = [
    "Hướng dẫn biểu tổng hợp kế hoạch xã (F9)",
    "1. Mỗi dòng là một dòng của kế hoạch xã, lấy từ đề xuất của các thôn (hoặc của ban ngành, "
    "đoàn thể xã). Số tiền, khối lượng lấy từ kế hoạch thôn nên được khóa.",
    "2. Có thể sửa tên hoạt động, địa điểm, ghi chú, và quyết định của xã: “Đưa vào kế hoạch, "
    "chưa có vốn”, “Hoãn lại”, “Không được chấp nhận” — bắt buộc ghi lý do (thôn sẽ đọc).",
    "3. Bố trí vốn cho một dòng: dùng biểu kế hoạch tài chính (F12) hoặc trang của dòng.",
    "4. Không thêm, không xóa dòng ở biểu này.",
]


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    decisions = _decisions()
    rows = []
    for line in lines:
        villages = sorted(
            {s.village_line.plan.village.name for s in line.sources.all() if not s.withdrawn}
        )
        rows.append(
            {
                "number": line.number,
                "sector": line.sector.name,
                "activity": line.activity,
                "location": line.location,
                "villages": line.organisation or ", ".join(villages),
                "village_priority": line.village_priority,
                "unit": line.unit.name,
                "quantity": line.quantity,
                "total_cost_mvnd": line.total_cost_mvnd,
                "contribution_mvnd": line.contribution_mvnd,
                "external_support_mvnd": line.external_support_mvnd,
                "score": scores[line.pk].score,
                "rank": scores[line.pk].rank,
                "funded_mvnd": sum((f.amount_mvnd for f in line.funding.all()), Decimal(0)),
                "decision": decisions.label_of(line.decision) or None,
                "decision_reason": line.decision_reason,
                "notes": line.notes,
            }
        )
    keys = [line_key(line.number) for line in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(
            plan.round.commune, plan.round.plan_year, FORM, "Biểu tổng hợp kế hoạch xã"
        ),
        tables=[
            Table(
                name=FORM,
                columns=layout.columns,
                rows=rows,
                keys=keys,
                blank_rows=0,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={"decisions": decisions.labels},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "lines": {k: (str(x.uid), x.version) for k, x in zip(keys, lines, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


@dataclass
class Item:
    line: CommuneLine
    version: int | None
    text: dict[str, Any]
    decision: str | None
    reason: str
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    if meta:
        table = read_table(upload, sheet, layout.columns, {"decisions": _decisions()})
    else:
        table = read_table(
            upload, sheet, _foreign_columns(layout), {"decisions": _decisions_as_written()}
        )
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = list(table.errors)
    active = list(plan.lines.active().order_by("number"))
    lines = {str(x.uid): x for x in active}
    known = meta.get("lines", {})
    index = LineIndex(active, name=lambda x: x.activity, number=lambda x: x.number)
    if not meta:
        reading.notes.append(foreign_note())
    seen = set()
    for row in table.rows:
        version: int | None = None  # a workbook made elsewhere: no version to check
        if meta:
            entry = known.get(row.key)
            line = lines.get(entry[0]) if entry else None
            version = entry[1] if entry else None
        else:
            found = index.find(row.number, row.values.get("activity"), row.values.get("number"))
            line = found.line
            if line is None:
                reading.errors.append(
                    CellError(
                        sheet,
                        row.number,
                        row.letters.get("activity", "A"),
                        _("Line"),
                        row.values.get("activity"),
                        found.problem,
                    )
                )
                continue
        if line is None:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("activity", "A"),
                    _("Line"),
                    row.values.get("activity"),
                    _(
                        "lines cannot be added here; a commune sector's proposal is added on "
                        "the commune plan's page."
                    )
                    if not row.key
                    else _("this line is no longer in the commune plan; download the form again."),
                )
            )
            continue
        seen.add(row.key)
        text = {k: row.values[k] for k in ("activity", "location", "notes") if k in row.values}
        if meta:
            text = {k: v or "" for k, v in text.items() if (v or "") != getattr(line, k)}
        else:
            text = _foreign_text(line, text)
        decision = row.values.get("decision")
        reason = row.values.get("decision_reason") or ""
        if not meta and not reason and decision == line.decision:
            reason = line.decision_reason  # an empty cell changes nothing
        changed_decision = decision not in (None, line.decision) or (
            decision is not None and reason != line.decision_reason
        )
        if decision == Decision.FUNDED and line.decision != Decision.FUNDED:
            reading.errors.append(
                CellError(
                    sheet,
                    row.number,
                    row.letters.get("decision", ""),
                    _("Commune decision"),
                    row.values.get("decision"),
                    _(
                        "funding is decided on the financial plan (F12) or on the line's "
                        "page, where the amounts from each source are given."
                    ),
                )
            )
            continue
        if decision == Decision.FUNDED and reason != line.decision_reason:
            changed_decision = False
            reading.notes.append(
                _("Row %(row)s: the reason of a funded line is kept as decided.")
                % {"row": row.number}
            )
        if not text and not changed_decision:
            continue
        item = Item(
            line,
            version,
            text,
            decision if changed_decision else None,
            reason,
            row.number,
            row.letters,
        )
        reading.items.append(item)
        fields = [(_label(k), getattr(line, k) or "—", v or "—") for k, v in text.items()]
        if item.decision:
            fields.append(
                (_("Commune decision"), line.get_decision_display(), Decision(item.decision).label)
            )
            fields.append((_("Reason"), line.decision_reason or "—", reason or "—"))
        reading.preview.append(
            Change("change", row.number, f"{line.number}. {line.activity}", fields)
        )
    missing = [k for k in known if k not in seen] if meta else index.unmatched()
    if missing:
        reading.notes.append(
            _(
                "%(n)s lines are not in the workbook; nothing changes for them (lines are not "
                "removed through this form)."
            )
            % {"n": len(missing)}
        )
    if not reading.errors:
        _check(plan, reading, sheet)
    return reading


def _label(name: str) -> str:
    return str(getattr(CommuneLine._meta.get_field(name), "verbose_name", name)).capitalize()


def _problems(plan: CommunePlan, item: Item, context: Any) -> list[Problem]:
    """What the writer would refuse in this row: the plan no longer a draft, a text, then the
    decision (the first problem of a row, as the line's page says it)."""
    locked = draft_reason(plan)
    if locked is not None:
        return [problem_of(locked.error)]
    if item.text:
        found = validate_commune_line(context, item.line.number, item.text, item.line)
        if found:
            return found
    if item.decision:
        return validate_line_decision(item.line, item.decision, item.reason)
    return []


def _check(plan: CommunePlan, reading: Reading, sheet: str) -> None:
    """Every row's problems, found by the validators: nothing is written."""
    context = line_context(plan.round)
    for item in reading.items:
        for problem in _problems(plan, item, context):
            name = problem.where.field or ""
            column = {"reason": "decision_reason"}.get(name, name)
            header = _label(column) if column in TEXT_COLUMNS else ""
            reading.errors.append(
                CellError(
                    sheet,
                    item.row,
                    item.letters.get(column, ""),
                    header,
                    None,
                    problem.detail or problem.message,
                )
            )


def _change(item: Item) -> CommuneLineChange:
    # a row that only decides is not refused for a newer version (as on the line's page)
    return CommuneLineChange(
        "change",
        item.line,
        data=item.text,
        version=item.version if item.text else None,
        decision=item.decision,
        reason=item.reason,
    )


@transaction.atomic
def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    return write(actor, plan, [_change(i) for i in reading.items])


KEPT_VERSION = 1


def keep(reading: Reading) -> dict[str, Any]:
    """The changed rows as JSON: ``[pk, version, texts, decision, reason]`` each (the version
    only when a text changes, as ``_change`` gives it to the writer)."""
    return {
        "v": KEPT_VERSION,
        "items": [
            [item.line.pk, c.version, c.data, c.decision, c.reason]
            for item, c in ((item, _change(item)) for item in reading.items)
        ],
    }


def restore(plan: CommunePlan, kept: dict[str, Any]) -> list[CommuneLineChange]:
    """The kept rows as the writer's changes; it locks each line and checks its version."""
    kept = keeping.opened(kept, KEPT_VERSION)
    return [
        CommuneLineChange(
            "change",
            CommuneLine(pk=pk, plan=plan),
            data=data,
            version=version,
            decision=decision,
            reason=reason,
        )
        for pk, version, data, decision, reason in kept["items"]
    ]


@transaction.atomic
def write(actor: Any, plan: CommunePlan, changes: list[CommuneLineChange]) -> dict[str, int]:
    """Every change at once through the writer of commune lines, with the real user (it
    judges the changed rows again as it locks them)."""
    commune_lines_apply(actor=actor, plan=plan, changes=changes)
    return {"added": 0, "changed": len(changes), "deleted": 0}
