"""The five-year village plan page (F7): its activities with a quantity and cost per year,
adding and editing them, delete with undo, dropping a year, the meeting, the workflow and the
history. Refusals the page cannot show beside a form go to ``core.refusals``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.approvals.history import plan_history
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import FORBIDDEN
from kehoach.plans.choices import PlanStatus
from kehoach.plans.forms import CommentForm

from ..choices import YearStatus
from ..forms import MediumTermLineForm, MeetingChoiceForm, YearStatusForm
from ..models import MediumTermLine, MediumTermLineYear, MediumTermPlan
from ..permissions import can_edit_lines, can_review_years
from ..selectors import plan_lines, plan_open_returns, year_totals
from ..selectors_drawing import year_statuses
from ..services.lines import (
    delete_medium_term_line,
    restore_medium_term_line,
    save_medium_term_line,
    set_year_status,
)
from ..services.workflow import (
    CONFIRMED_ACTIONS,
    can_transition,
    link_meeting,
    medium_term_plan_checks,
    medium_term_plan_transition,
    meeting_choices,
    plan_offers,
)
from .common import plan_context, plan_or_404


def _line_form(plan: MediumTermPlan, *args: Any, **kwargs: Any) -> MediumTermLineForm:
    return MediumTermLineForm(*args, years=plan.round.years, **kwargs)


def _line_or_404(plan: MediumTermPlan, line_uid: Any, *, alive: bool = True) -> MediumTermLine:
    rows = MediumTermLine.objects.filter(plan=plan, uid=line_uid)
    if alive:
        rows = rows.alive()
    line = rows.select_related("sector", "unit", "proposed_source").first()
    if line is None:
        raise Http404
    line.plan = plan
    return line


def _rows(lines: list[MediumTermLine], years: list[int]) -> list[dict[str, Any]]:
    """Each line with its years in the period's order (None: not planned that year), each year
    with ``shown_status``: what became of it, read from the yearly plans (D96)."""
    every = [item for line in lines for item in line.years.all()]
    statuses = year_statuses(every)
    for item in every:
        setattr(item, "shown_status", YearStatus(statuses.get(item.pk, item.status)))  # noqa: B010
    out = []
    for line in lines:
        by_year = {item.year: item for item in line.years.all()}
        out.append(
            {
                "line": line,
                "years": [by_year.get(year) for year in years],
                "total": sum((item.cost_mvnd for item in by_year.values()), start=0),
            }
        )
    return out


def _page_context(request: HttpRequest, plan: MediumTermPlan) -> dict[str, Any]:
    context = plan_context(request, plan, "lines")
    lines = plan_lines(plan)
    years = context["years"]
    context.update(
        {
            "rows": _rows(lines, years),
            "totals": year_totals(lines, years),
            "checks": medium_term_plan_checks(plan, lines),
            "offers": plan_offers(request.user, plan),
            "comment_form": CommentForm(),
            "returns": plan_open_returns(plan),
            "year_status_form": YearStatusForm(),
            "dropped": YearStatus.DROPPED,
            "planned": YearStatus.PLANNED,
            "can_review": can_review_years(request.user, plan) is None,
            "colspan": 9 + 3 * len(years) + int(context["can_edit"]),
        }
    )
    if context["can_edit"]:
        context["create_form"] = context.get("create_form") or _line_form(plan)
        meetings = meeting_choices(plan)
        context["meeting_form"] = MeetingChoiceForm(
            meetings=meetings, initial={"meeting": plan.meeting_id or ""}
        )
        context["has_meetings"] = bool(meetings)
    return context


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@login_required
def plan_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = _page_context(request, plan)
    deleted = _uuid_or_none(request.GET.get("deleted", ""))
    if deleted is not None and context["can_edit"]:
        context["deleted"] = (
            MediumTermLine.objects.filter(plan=plan, uid=deleted).exclude(deleted_at=None).first()
        )
    return render(request, "midterm/plan.html", context)


def _forbid_unless_may_edit(request: HttpRequest, plan: MediumTermPlan) -> None:
    refusal = can_edit_lines(request.user, plan)
    if refusal is not None and refusal.code == FORBIDDEN:
        refusal.raise_error()


@login_required
def line_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    _forbid_unless_may_edit(request, plan)
    form = _line_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        values, years = form.service_data()
        try:
            line = save_medium_term_line(request.user, plan, values, years)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Line %(number)s added.") % {"number": line.number})
            return redirect("midterm:plan", uid=plan.uid)
    context = _page_context(request, plan)
    context["create_form"] = form
    return render(
        request, "midterm/plan.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
def line_edit_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """Edit an activity; a form opened before someone else saved the line is refused (409)
    with the message, the values typed kept and the current version taken for a new try."""
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    refusal = can_edit_lines(request.user, plan)
    if refusal is not None:
        if refusal.code == FORBIDDEN:
            raise Http404
        messages.error(request, refusal.message)
        return redirect("midterm:plan", uid=plan.uid)
    conflict = None
    status = 200
    if request.method == "POST":
        form = _line_form(plan, request.POST)
        if form.is_valid():
            values, years = form.service_data()
            try:
                save_medium_term_line(
                    request.user,
                    plan,
                    values,
                    years,
                    line=line,
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except ApplicationError as exc:
                if exc.code == "conflict":
                    conflict = exc.message
                    data = request.POST.copy()
                    current = MediumTermLine.objects.filter(pk=line.pk).first()
                    data["version"] = str(current.version if current else line.version)
                    form = _line_form(plan, data)
                    form.is_valid()
                else:
                    form.add_service_error(exc)
            else:
                messages.success(request, _("Line %(number)s saved.") % {"number": line.number})
                return redirect("midterm:plan", uid=plan.uid)
        status = 409 if conflict else 400
    else:
        form = _line_form(plan, initial=MediumTermLineForm.initial_for(line))
    context = plan_context(request, plan, "lines")
    context.update({"line": line, "form": form, "conflict": conflict})
    return render(request, "midterm/line_edit.html", context, status=status)


@login_required
@require_POST
def line_delete_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    delete_medium_term_line(request.user, line)  # a refusal: core.refusals answers
    messages.success(request, _("Line %(number)s deleted.") % {"number": line.number})
    return redirect(reverse("midterm:plan", kwargs={"uid": plan.uid}) + f"?deleted={line.uid}")


@login_required
@require_POST
def line_restore_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid, alive=False)
    restore_medium_term_line(request.user, line)
    messages.success(request, _("Line %(number)s restored.") % {"number": line.number})
    return redirect("midterm:plan", uid=plan.uid)


@login_required
@require_POST
def year_status_view(request: HttpRequest, uid: Any, line_uid: Any, year: int) -> HttpResponse:
    """Drop a year of an activity with a reason, or plan it again."""
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    item = MediumTermLineYear.objects.filter(line=line, year=year).first()
    if item is None:
        raise Http404
    item.line = line
    form = YearStatusForm(request.POST)
    set_year_status(
        request.user, item, form.data.get("status", ""), form.data.get("reason", "")
    )  # a refusal (no reason, locked plan): core.refusals shows it where the user is
    messages.success(
        request,
        _("Line %(number)s, year %(year)s: saved.") % {"number": line.number, "year": year},
    )
    return redirect("midterm:plan", uid=plan.uid)


@login_required
@require_POST
def meeting_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Choose the village meeting that reviewed the plan (or none)."""
    plan = plan_or_404(request, uid)
    _forbid_unless_may_edit(request, plan)
    choices = {str(m.pk): m for m in meeting_choices(plan)}
    chosen = request.POST.get("meeting", "")
    if chosen and chosen not in choices:
        messages.error(request, _("Choose a meeting from the list."))
        return redirect("midterm:plan", uid=plan.uid)
    link_meeting(request.user, plan, choices.get(chosen))
    messages.success(request, _("The village meeting of the plan is saved."))
    return redirect("midterm:plan", uid=plan.uid)


@login_required
def transition_view(request: HttpRequest, uid: Any, action: str) -> HttpResponse:
    """A step of the workflow; submitting is confirmed on a page of its own first."""
    plan = plan_or_404(request, uid)
    confirmed = action in CONFIRMED_ACTIONS
    if request.method != "POST" and not confirmed:
        return HttpResponseNotAllowed(["POST"])
    if confirmed and (request.method != "POST" or request.POST.get("confirm") != "1"):
        reason = can_transition(request.user, plan, action)
        if reason is not None and reason.code == FORBIDDEN:
            raise Http404
        context = plan_context(request, plan, "lines")
        lines = plan_lines(plan)
        context.update(
            {
                "action": action,
                "reason": reason,
                "totals": year_totals(lines, context["years"]),
                "line_count": len(lines),
            }
        )
        return render(request, "midterm/transition_confirm.html", context)
    comment = request.POST.get("comment", "")
    try:
        plan = medium_term_plan_transition(request.user, plan, action, comment)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        for text in exc.message.splitlines():
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("The plan is now “%(status)s”.") % {"status": plan.get_status_display()},
        )
    return redirect("midterm:plan", uid=plan.uid)


@login_required
def history_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "history")
    context["events"] = plan_history(plan.uid, dict(PlanStatus.choices))
    return render(request, "midterm/history.html", context)
