"""The scoring tab (F10): every active line × the profile's criteria in one grid.

The computed criteria are shown; the criteria the commune judges are inputs. Each row is a
plain form (``r<line number>``, its inputs joined to it by their ``form`` attribute) posted to
this page, so the grid works without JavaScript: the row is saved or, when a value is wrong,
the page comes back with the typed values kept and a message beside each wrong cell.
``static/js/scoring.js`` turns it into a spreadsheet: each cell is saved as it is left (an
htmx POST with ``cell``), and the answer is a fragment of out-of-band swaps: the cell's
message, the row's new version and score, every line's rank, a status line. Both ways go
through ``services.scoring.line_scores_set`` with the row's version, one writer for the grid,
the line's page and the F10 workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.numbers import format_number_vi

from ..models import CommuneLine, CommunePlan
from ..selectors import lines_with_sources
from ..services.scoring import (
    Criterion,
    LineScore,
    criteria_of,
    line_scores,
    line_scores_set,
    lines_for_scoring,
)
from .common import is_htmx, plan_context, plan_or_404
from .line import villages_of

ORDERS = ("number", "rank")


def score_text(value: Any) -> str:
    """A stored score as the planner types it: 4 → "4", 4.5 → "4,5"; empty when not scored."""
    if value is None or value == "":
        return ""
    text = format_number_vi(Decimal(str(value)), 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


@dataclass
class Cell:
    criterion: Criterion
    points: Decimal
    basis: str
    value: str = ""
    """What the input shows: the stored score, or what was typed when the row was refused."""
    saved: str = ""
    error: str = ""


@dataclass
class Row:
    score: LineScore
    line: CommuneLine
    villages: list[Any]
    cells: list[Cell] = field(default_factory=list)
    error: str = ""
    """A refusal of the whole row (someone else changed the line, the plan is locked)."""


def _rows(
    lines: list[CommuneLine],
    scores: dict[int, LineScore],
    order: str,
    *,
    typed_line: CommuneLine | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_error: str = "",
) -> list[Row]:
    ordered = (
        sorted(lines, key=lambda x: scores[x.pk].rank) if order == "rank" else list(lines)
    )  # "number": the order of the synthesis (F9) and of the workbooks
    rows = []
    for line in ordered:
        score = scores[line.pk]
        stored = line.manual_scores or {}
        mine = typed_line is not None and line.pk == typed_line.pk
        row = Row(score=score, line=line, villages=villages_of(line))
        for point in score.points:
            code = point.criterion.code
            saved = score_text(stored.get(code))
            value = (typed or {}).get(code, saved) if mine else saved
            error = (errors or {}).get(code, "") if mine else ""
            row.cells.append(Cell(point.criterion, point.points, point.basis, value, saved, error))
        if mine:
            row.error = row_error
        rows.append(row)
    return rows


def _order(request: HttpRequest, can_edit: bool) -> str:
    order = request.GET.get("order", "")
    if order in ORDERS:
        return order
    return "number" if can_edit else "rank"


def _page(
    request: HttpRequest,
    plan: CommunePlan,
    lines: list[CommuneLine],
    *,
    status: int = 200,
    page_error: str = "",
    **typed: Any,
) -> HttpResponse:
    context = plan_context(request, plan, "scoring")
    scores = line_scores(plan, lines)
    order = _order(request, context["can_edit"])
    context.update(
        {
            "criteria": criteria_of(plan),
            "rows": _rows(lines, scores, order, **typed),
            "order": order,
            "page_error": page_error,
        }
    )
    return render(request, "synthesis/scoring.html", context, status=status)


@login_required
def scoring_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """F10: the grid (GET); a row or, from the script, a cell saved (POST)."""
    plan = plan_or_404(request, uid)
    if request.method != "POST":
        return _page(request, plan, lines_with_sources(plan))
    number = request.POST.get("line", "")
    known = number.isascii() and number.isdigit() and len(number) <= 9
    line = plan.lines.active().filter(number=int(number)).first() if known else None
    if line is None:
        raise Http404
    manual = [c for c in criteria_of(plan) if not c.automatic]
    cell = request.POST.get("cell", "")
    if cell and cell not in {c.code for c in manual}:
        raise Http404
    codes = [cell] if cell else [c.code for c in manual if f"s_{c.code}" in request.POST]
    typed = {code: request.POST.get(f"s_{code}", "").strip() for code in codes}
    errors: dict[str, ApplicationError] = {}
    row_error = ""
    try:
        line_scores_set(
            actor=request.user,
            line=line,
            scores=typed,
            expected_version=_version(request.POST.get("version")),
        )
    except NotFoundError:
        raise  # the 404 page (middleware), not a form error
    except ApplicationError as exc:  # the typed values are kept, each message by its cell
        for item in getattr(exc, "errors", None) or [exc]:
            code = (item.where.field or "").removeprefix("score_")
            if code in typed:
                errors[code] = item
            else:
                row_error = item.message
    if cell and is_htmx(request):
        return _cell_answer(request, plan, line, cell, errors.get(cell), row_error)
    if not errors and not row_error:
        messages.success(request, _("Scores of line %(number)s saved.") % {"number": line.number})
        return redirect(f"{request.get_full_path()}#row-{line.number}")
    page_error = row_error or _(
        "The scores of line %(number)s were not saved: correct the marked cells and save the "
        "row again."
    ) % {"number": line.number}
    return _page(
        request,
        plan,
        lines_with_sources(plan),
        status=400,
        page_error=page_error,
        typed_line=line,
        typed=typed,
        errors={code: item.detail or item.message for code, item in errors.items()},
        row_error=row_error,
    )


def _version(raw: str | None) -> int | None:
    """The row's version as posted; a value that is not one never matches (conflict)."""
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1


def _cell_answer(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    code: str,
    error: ApplicationError | None,
    row_error: str,
) -> HttpResponse:
    """The answer to a cell saved from the script: out-of-band swaps only (the cell's
    message, and when saved the row's version and score and every rank), from the lines as
    they are now."""
    lines = lines_for_scoring(plan)
    scores = line_scores(plan, lines)
    line = next(x for x in lines if x.pk == line.pk)
    score = scores[line.pk]
    criterion = next(p.criterion for p in score.points if p.criterion.code == code)
    saved = score_text((line.manual_scores or {}).get(code))
    if row_error:
        state, note, status = "refused", _("Not saved."), row_error
    elif error:
        state, note = "invalid", error.detail or error.message
        status = _("Line %(number)s: %(problem)s Not saved.") % {
            "number": line.number,
            "problem": error.message,
        }
    else:
        state, note = "saved", ""
        values = {
            "number": line.number,
            "criterion": criterion.name,
            "value": saved,
            "score": format_number_vi(score.score, 2),
            "rank": score.rank,
        }
        status = (
            _("Line %(number)s, %(criterion)s: %(value)s saved. Score %(score)s, rank %(rank)s.")
            if saved
            else _("Line %(number)s, %(criterion)s: score removed. Score %(score)s, rank %(rank)s.")
        ) % values
    return render(
        request,
        "synthesis/partials/scoring_cell.html",
        {
            "line": line,
            "code": code,
            "state": state,
            "note": note,
            "saved": saved,
            "score": score,
            "ranks": scores.values() if state == "saved" else [],
            "status": status,
            "status_ok": state == "saved",
            "conflict": bool(row_error),
            "reload_url": request.get_full_path(),
        },
    )
