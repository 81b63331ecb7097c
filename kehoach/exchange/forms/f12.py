"""F12 — the financial plan: the funded lines with their support by envelope line (one column
per line of the envelope) and the community's contribution. Back in, changed amounts are
decisions by hand ("funded", with the amounts; emptied amounts: "in the plan without funding"),
checked by ``synthesis.services.funding.check_line_fundings`` like on the line's page
(eligibility, counterpart, what is left of each envelope line) without writing anything, and
applied by the batch writer ``line_fundings_apply`` with the real user, all or nothing — the
changes the check kept (``keep``/``restore``/``write``), without reading the workbook again."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError
from kehoach.core.validation import Problem
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine
from kehoach.synthesis.permissions import draft_reason
from kehoach.synthesis.reports import line_contribution_parts
from kehoach.synthesis.selectors import envelope_lines, lines_with_sources
from kehoach.synthesis.services.funding import (
    FundingChange,
    FundingContext,
    check_line_fundings,
    line_fundings_apply,
)

from ..layouts import Column, FormLayout, layout_for
from ..reading import Book as Upload
from ..writing import Book, Table, build
from . import kept as keeping
from .base import (
    CellError,
    Change,
    ReadingBase,
    RowValues,
    heading,
    line_key,
    plan_meta,
    read_table,
    shown,
    source_columns,
)
from .base.matching import LineIndex, foreign_note
from .base.sources import envelope_label, foreign_source_columns

FORM = "F12"
NUMBER_COLUMN = Column("number", "STT", 6, "value")
"""Read from a workbook made elsewhere when its layout has no number column: the number tells
lines of the same name apart."""
DEFAULT_REASON = "Bố trí vốn theo kế hoạch tài chính (F12)"
INSTRUCTIONS = [
    "Hướng dẫn biểu kế hoạch tài chính (F12)",
    "1. Mỗi dòng là một dòng của kế hoạch xã; mỗi cột “Hỗ trợ theo nguồn vốn” là một dòng của "
    "khung nguồn lực.",
    "2. Sửa số vốn của một dòng: ghi số tiền lấy từ từng dòng khung; tổng phải bằng số “Hỗ trợ "
    "cần”. Xóa hết số vốn của một dòng: dòng chuyển sang “chưa có vốn”.",
    "3. Mỗi thay đổi là một quyết định trực tiếp của xã, cần lý do (cột Lý do).",
    "4. Hệ thống kiểm tra mỗi khoản như trên trang web: nguồn vốn có được chi cho dòng đó không, "
    "tỷ lệ đối ứng, và phần còn lại của khung nguồn lực.",
]


def _envelope(plan: CommunePlan) -> list[EnvelopeLine]:
    return envelope_lines(plan.round)


def _key(line: EnvelopeLine) -> str:
    return f"env{line.number}"


def _columns(layout: FormLayout, envelope: list[EnvelopeLine]) -> list[Column]:
    return source_columns(layout, envelope, _key)


def _foreign_columns(layout: FormLayout) -> list[Column]:
    """The layout's columns as a workbook made elsewhere is read: the line's name required
    (rows are matched to the plan's lines by it), the row number as written ("1", "1.1",
    "a"), the sector from the heading rows ("I. GIAO THÔNG") when there is no such column."""
    columns = []
    for column in layout.columns:
        if column.key == "activity":
            column = replace(column, required=True)
        elif column.key == "number":
            column = replace(column, kind="value")
        elif column.key == "sector":
            column = replace(column, heading=True)
        columns.append(column)
    if not any(c.key == "number" for c in columns):
        columns.insert(0, NUMBER_COLUMN)
    return columns


def export(
    plan: CommunePlan,
    layout: FormLayout | None = None,
    *,
    actor: Any = None,
) -> bytes:
    layout = layout or layout_for(FORM, plan.round.profile)
    envelope = _envelope(plan)
    lines = list(lines_with_sources(plan))
    rows = []
    for line in lines:
        parts = line_contribution_parts(line)  # the page's rule: never unsplit as cash
        row: dict[str, Any] = {
            "number": line.number,
            "sector": line.sector.name,
            "activity": line.activity,
            "total_cost_mvnd": line.total_cost_mvnd,
            "external_support_mvnd": line.external_support_mvnd,
            "contribution_cash_mvnd": parts.cash,
            "contribution_labour_mvnd": parts.labour,
            "contribution_materials_mvnd": parts.materials,
            "contribution_unsplit_mvnd": parts.unsplit,
            "decision_reason": line.decision_reason if line.decision == Decision.FUNDED else "",
        }
        by_env = {f.envelope_line_id: f.amount_mvnd for f in line.funding.all()}
        for env in envelope:
            row[f"env{env.number}"] = by_env.get(env.pk)
        rows.append(row)
    keys = [line_key(x.number) for x in lines]
    book = Book(
        form=FORM,
        layout=layout,
        heading=heading(plan.round.commune, plan.round.plan_year, FORM, "Kế hoạch tài chính"),
        tables=[
            Table(
                name=FORM,
                columns=_columns(layout, envelope),
                rows=rows,
                keys=keys,
                blank_rows=0,
                title=layout.title.format(year=plan.round.plan_year),
            )
        ],
        lists={},
        meta={
            "plan": str(plan.uid),
            "unit": plan.round.commune.code,
            "year": plan.round.plan_year,
            "envelope": ",".join(f"{e.uid}:{e.version}" for e in envelope),
            "lines": {k: (str(x.uid), x.version) for k, x in zip(keys, lines, strict=True)},
        },
        instructions=INSTRUCTIONS,
    )
    return build(book)


@dataclass
class Item:
    line: CommuneLine
    decision: str
    reason: str
    funding: dict[EnvelopeLine, Decimal]
    row: int
    letters: dict[str, str]


@dataclass
class Reading(ReadingBase):
    items: list[Item] = field(default_factory=list)


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    """The changed funding of each row. A kehoach workbook's rows are found by their hidden
    keys, its source columns checked against the envelope it was made from; a workbook made
    elsewhere has its rows matched by the line's name (``LineIndex``) and its money columns
    by the sources (and sectors) their headers name (``foreign_source_columns``)."""
    meta = plan_meta(upload, FORM, plan)
    envelope = _envelope(plan)
    if meta and meta.get("envelope", "") != ",".join(f"{e.uid}:{e.version}" for e in envelope):
        raise ApplicationError(
            "envelope_changed",
            _(
                "The resource envelope changed after this workbook was downloaded, so its columns "
                "no longer match; download the form again."
            ),
        )
    layout = layouts[0]
    sheet = upload.data_sheet(FORM)
    header_errors: list[CellError] = []
    if meta:
        columns = _columns(layout, envelope)
    else:
        columns, header_errors = foreign_source_columns(
            upload, sheet, _foreign_columns(layout), envelope, _key,
            year=plan.round.plan_year, form=FORM,
        )  # fmt: skip
    table = read_table(upload, sheet, columns, {})
    reading = Reading(
        layout=layout, skipped=table.skipped, encoding=table.encoding, unread=table.unread
    )
    reading.errors = list(table.errors)
    reading.errors[:0] = header_errors
    found = lines_with_sources(plan)
    if meta:
        lines = {str(x.uid): x for x in found}
        known = meta.get("lines", {})
        for row in table.rows:
            entry = known.get(row.key)
            line = lines.get(entry[0]) if entry else None
            if line is not None:
                _add_item(reading, row, line, envelope, envelope)
    else:
        reading.notes.append(foreign_note())
        given = [env for env in envelope if _key(env) in table.present]
        if not given and not header_errors:
            raise ApplicationError(
                "sources_missing",
                _(
                    "Sheet “%(sheet)s”: no column names a line of the resource envelope. Title "
                    "each money column with its source as the envelope has it (and its sector "
                    "when the envelope has several lines of the source): %(lines)s."
                )
                % {"sheet": sheet, "lines": "; ".join(f"“{_label(e)}”" for e in envelope)},
            )
        absent = [env for env in envelope if env not in given]
        if absent and given:
            reading.notes.append(
                _(
                    "The workbook has no column for the envelope lines %(lines)s: what the "
                    "lines draw on them stays as it is."
                )
                % {"lines": "; ".join(f"“{_label(e)}”" for e in absent)}
            )
        index = LineIndex(found, name=lambda x: x.activity, number=lambda x: x.number)
        activity = layout.column("activity")
        for row in table.rows:
            hit = index.find(row.number, row.values.get("activity"), row.values.get("number"))
            if hit.line is None:
                reading.errors.append(
                    CellError(
                        sheet,
                        row.number,
                        row.letters.get("activity", "A"),
                        activity.header if activity else _("Activity"),
                        row.values.get("activity"),
                        hit.problem,
                    )
                )
                continue
            _add_item(reading, row, hit.line, envelope, given)
    if not reading.errors and actor is not None:
        # every change in order, as the confirmation will apply them; nothing is written
        locked = draft_reason(plan)
        if locked is not None:
            reading.errors.append(CellError(sheet, 0, "", "", None, locked.message))
            return reading
        context = FundingContext.of(plan, found)
        changes = [_change(item) for item in reading.items]
        for item, problems in zip(
            reading.items, check_line_fundings(context, changes), strict=True
        ):
            for problem in problems:
                reading.errors.append(_error_cell(sheet, item, problem, envelope))
    return reading


def _label(env: EnvelopeLine) -> str:
    return envelope_label(env)


def _add_item(
    reading: Reading,
    row: RowValues,
    line: CommuneLine,
    envelope: list[EnvelopeLine],
    given: list[EnvelopeLine],
) -> None:
    """The row's funding as a change of ``line`` when it differs from the line's: the amounts
    of the envelope lines the workbook has a column for (``given``), the others kept."""
    current = {f.envelope_line_id: f.amount_mvnd for f in line.funding.all()}
    funding = {}
    for env in envelope:
        amount = row.values.get(_key(env)) if env in given else current.get(env.pk)
        if amount:
            funding[env] = Decimal(amount)
    if {e.pk: a for e, a in funding.items()} == {k: v for k, v in current.items() if v}:
        return
    reason = row.values.get("decision_reason") or DEFAULT_REASON
    decision = Decision.FUNDED if funding else Decision.UNFUNDED
    item = Item(line, decision, reason, funding, row.number, row.letters)
    reading.items.append(item)
    old = "; ".join(f"{e.source.code} {shown(current[e.pk])}" for e in envelope if e.pk in current)
    new = "; ".join(f"{e.source.code} {shown(a)}" for e, a in funding.items())
    reading.preview.append(
        Change(
            "change",
            row.number,
            f"{line.number}. {line.activity}",
            [
                (_("Funding"), old or "—", new or "—"),
                (
                    _("Commune decision"),
                    line.get_decision_display(),
                    str(Decision(decision).label),
                ),
            ],
        )
    )


def _error_cell(
    sheet: str, item: Item, error: ApplicationError | Problem, envelope: list[EnvelopeLine]
) -> CellError:
    """The cell a refusal is about: the amount of an envelope line, or the reason."""
    name = error.where.field or ""
    letter, header = "", _("Funding")
    if name.startswith("funding_"):
        for env in envelope:
            if name == f"funding_{env.uid}":
                letter = item.letters.get(f"env{env.number}", "")
                header = f"{env.number}. {env.source.code}"
    elif name == "reason":
        letter, header = item.letters.get("decision_reason", ""), _("Reason")
    return CellError(sheet, item.row, letter, header, None, error.detail or error.message)


def _change(item: Item) -> FundingChange:
    return FundingChange(item.line, item.decision, item.reason, item.funding)


def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    """Every change at once through the batch writer, with the real user: all or nothing."""
    return write(actor, plan, [_change(i) for i in reading.items])


KEPT_VERSION = 1


def keep(reading: Reading) -> dict[str, Any]:
    """The changed rows as JSON: ``[pk, decision, reason, [[envelope line pk, amount]…]]``."""
    return {
        "v": KEPT_VERSION,
        "items": [
            [
                item.line.pk,
                item.decision,
                item.reason,
                [[env.pk, str(amount)] for env, amount in item.funding.items()],
            ]
            for item in reading.items
        ],
    }


def restore(plan: CommunePlan, kept: dict[str, Any]) -> list[FundingChange]:
    """The kept rows as the writer's decisions, the amounts on the envelope's lines as they
    are now (one deleted since refuses the confirmation); the writer locks each line."""
    kept = keeping.opened(kept, KEPT_VERSION)
    envelope = {env.pk: env for env in _envelope(plan)}
    changes = []
    for pk, decision, reason, funding in kept["items"]:
        if any(env_pk not in envelope for env_pk, _amount in funding):
            raise keeping.gone()
        amounts = {envelope[env_pk]: Decimal(amount) for env_pk, amount in funding}
        changes.append(FundingChange(CommuneLine(pk=pk, plan=plan), decision, reason, amounts))
    return changes


def write(actor: Any, plan: CommunePlan, changes: list[FundingChange]) -> dict[str, int]:
    """The decisions at once with the real user (the writer judges the changed lines again
    against the envelope as it is under its locks)."""
    line_fundings_apply(actor=actor, plan=plan, changes=changes)
    return {"added": 0, "changed": len(changes), "deleted": 0}
