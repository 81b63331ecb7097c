"""The village plan page: proposals edited in place (htmx), the live checklist, the workflow
buttons, carry-over and the plan's history (the meeting tab is in ``views.meeting``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError
from kehoach.core.reasons import FORBIDDEN

from ..forms import AcceptMeetingForm, CommentForm, LineForm
from ..models import ProposalLine, VillageMeeting, VillagePlan
from ..panels import plan_panels
from ..permissions import can_edit_lines
from ..selectors import lines_by_sector, plan_lines, plan_open_returns
from ..services.carry_over import (
    carry_over_candidates,
)
from ..services.checks import plan_checks
from ..services.lines import (
    ConflictError,
    proposal_line_create,
    proposal_line_delete,
    proposal_line_restore,
    proposal_line_update,
)
from ..services.meeting import meeting_result
from ..services.workflow import (
    can_accept_meeting,
    plan_offers,
)
from .common import plan_context, plan_or_404
from .focus import focus_first_error, focus_first_field


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _line_form(plan: VillagePlan, *args: Any, **kwargs: Any) -> LineForm:
    profile = plan.round.profile
    return LineForm(
        *args,
        plan_year=plan.round.plan_year,
        min_priority=profile.min_priority,
        max_priority=profile.max_priority,
        **kwargs,
    )


def _line_or_404(plan: VillagePlan, line_uid: Any, *, alive: bool = True) -> ProposalLine:
    qs = ProposalLine.objects.filter(plan=plan, uid=line_uid)
    if alive:
        qs = qs.alive()
    line = qs.select_related("sector", "unit", "proposed_source").first()
    if line is None:
        raise Http404
    return line


def _proposals_context(request: HttpRequest, plan: VillagePlan) -> dict[str, Any]:
    lines = plan_lines(plan)
    groups, grand = lines_by_sector(lines)
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    return {
        "lines": lines,
        "groups": groups,
        "grand": grand,
        "checks": plan_checks(plan, lines, meeting),
        "meeting": meeting,
        "meeting_result": meeting_result(meeting, plan.round.profile) if meeting else None,
    }


def _page_context(request: HttpRequest, plan: VillagePlan) -> dict[str, Any]:
    context = plan_context(request, plan, "proposals")
    context.update(_proposals_context(request, plan))
    # the steps offered: each shown as a button only when the service would take it
    context["offers"] = plan_offers(request.user, plan)
    context["comment_form"] = CommentForm()
    context["returns"] = plan_open_returns(plan)
    # R9 override: offered for a recorded meeting that falls short (R11), when allowed now.
    result = context["meeting_result"]
    context["may_accept_meeting"] = (
        result is not None
        and not (result.quorate and result.approved)
        and can_accept_meeting(request.user, plan) is None
    )
    context["accept_form"] = AcceptMeetingForm()
    context["panels"] = plan_panels(request, plan)
    if context["can_edit"]:
        context["create_form"] = _line_form(plan)
        context["carry_over_count"] = len(carry_over_candidates(plan))
    return context


def _render_swap(
    request: HttpRequest, plan: VillagePlan, template: str, **extra: Any
) -> HttpResponse:
    """An htmx answer: ``template`` says what it swaps (its own target first, then what it
    refreshes out of band: the table, the totals, the checklist, the message)."""
    context = plan_context(request, plan, "proposals")
    context.update(_proposals_context(request, plan))
    context.update(extra)
    return render(request, template, context)


def _render_table(request: HttpRequest, plan: VillagePlan, **extra: Any) -> HttpResponse:
    """The whole table in place of a row (``HX-Retarget``): for a saved line that moves."""
    response = _render_swap(request, plan, "plans/partials/proposals_swap.html", **extra)
    response["HX-Retarget"] = "#proposals"
    response["HX-Reswap"] = "innerHTML"
    return response


def _render_saved(
    request: HttpRequest, plan: VillagePlan, line: ProposalLine, *, moved: bool, flash: str
) -> HttpResponse:
    """A line saved in place: its row is replaced, and the totals of its sector and of the
    plan, the checklist and the message are refreshed out of band. A line whose sector or
    priority changed moves (lines are grouped by sector and ordered by priority within it), so
    the whole table is replaced instead: the row's own place would be the wrong one."""
    if moved:
        return _render_table(request, plan, flash=flash, focus_line=line.uid)
    context = plan_context(request, plan, "proposals")
    context.update(_proposals_context(request, plan))
    saved = next((x for x in context["lines"] if x.uid == line.uid), None)
    group = next((g for g in context["groups"] if g.sector.pk == line.sector_id), None)
    if saved is None or group is None:  # deleted meanwhile by someone else
        return _render_table(request, plan, flash=flash)
    context.update({"line": saved, "g": group, "flash": flash, "focus_line": line.uid})
    return render(request, "plans/partials/line_saved.html", context)


def _forbid_unless_may_edit(request: HttpRequest, plan: VillagePlan) -> None:
    """A user who may not edit the plan at all gets the page of a missing one (a locked or
    frozen plan is refused by the service, beside the form)."""
    refusal = can_edit_lines(request.user, plan)
    if refusal is not None and refusal.code == FORBIDDEN:
        refusal.raise_error()


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
        # back from a delete made without htmx: the message with its undo, as htmx shows it
        context["deleted"] = (
            ProposalLine.objects.filter(plan=plan, uid=deleted).exclude(deleted_at=None).first()
        )
    return render(request, "plans/plan.html", context)


@login_required
def line_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Add a line. With htmx the add form is the target: refused, the form comes back with the
    errors beside the fields and the values as typed; saved, an empty form comes back and the
    table (with its totals), the checklist and the message are refreshed out of band."""
    plan = plan_or_404(request, uid)
    form = _line_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        _forbid_unless_may_edit(request, plan)
        try:
            line = proposal_line_create(actor=request.user, plan=plan, data=form.service_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            flash = _("Line %(number)s added.") % {"number": line.number}
            if _is_htmx(request):
                return _render_swap(
                    request,
                    plan,
                    "plans/partials/line_created.html",
                    create_form=_line_form(plan),
                    flash=flash,
                    focus_line=line.uid,
                )
            messages.success(request, flash)
            return redirect("plans:plan", uid=plan.uid)
    focus_first_error(form)
    if request.method == "POST" and _is_htmx(request):
        context = plan_context(request, plan, "proposals")
        # 200: htmx swaps only successful answers; the form carries its errors
        return render(
            request, "plans/partials/line_create_form.html", {**context, "create_form": form}
        )
    context = _page_context(request, plan)
    context["create_form"] = form
    return render(
        request, "plans/plan.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
def line_row(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """One line shown read-only (the "cancel" of an in-place edit)."""
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    context = plan_context(request, plan, "proposals")
    return render(
        request, "plans/partials/line_row.html", {**context, "line": line, "focus_line": line.uid}
    )


def _edit_form(plan: VillagePlan, line: ProposalLine, *args: Any, **kwargs: Any) -> LineForm:
    """The form of a line edited in place, with ids of its own: the add form below the table
    and other rows open at the same time keep theirs (a label names one field only)."""
    return _line_form(plan, *args, auto_id=f"edit-{line.number}-%s", **kwargs)


@login_required
def line_edit_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """Edit a line. With htmx the line's row is the target: opened, the row becomes the form;
    refused, the form comes back with its errors; saved, see ``_render_saved``."""
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    context = plan_context(request, plan, "proposals")
    refusal = can_edit_lines(request.user, plan)
    if refusal is not None:
        if refusal.code == FORBIDDEN:
            raise Http404
        messages.error(request, _("The plan is locked and cannot be changed."))
        return redirect("plans:plan", uid=plan.uid)
    conflict = None
    if request.method == "POST":
        form = _edit_form(plan, line, request.POST)
        if form.is_valid():
            place = (line.sector_id, line.priority)
            try:
                saved = proposal_line_update(
                    actor=request.user,
                    line=line,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except ConflictError as exc:
                conflict = exc
                data = request.POST.copy()
                data["version"] = str(exc.line.version)  # saving again is a deliberate choice
                form = _edit_form(plan, line, data)
                form.is_valid()
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                flash = _("Line %(number)s saved.") % {"number": line.number}
                if _is_htmx(request):
                    moved = (saved.sector_id, saved.priority) != place
                    return _render_saved(request, plan, saved, moved=moved, flash=flash)
                messages.success(request, flash)
                return redirect("plans:plan", uid=plan.uid)
        focus_first_error(form)
    else:
        initial = {
            field: getattr(line, field) for field in LineForm.base_fields if field != "version"
        }
        initial["sector"] = line.sector_id
        initial["unit"] = line.unit_id
        initial["proposed_source"] = line.proposed_source_id
        initial["priority"] = line.priority or ""
        initial["version"] = line.version
        form = _edit_form(plan, line, initial=initial)
        focus_first_field(form)
    status = 200 if request.method == "GET" else (409 if conflict else 400)
    template = "plans/partials/line_edit_row.html" if _is_htmx(request) else "plans/line_edit.html"
    if _is_htmx(request) and not conflict:
        status = 200  # htmx swaps only successful answers (and 409); the row carries the errors
    return render(
        request,
        template,
        {**context, "line": line, "form": form, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def line_delete_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    proposal_line_delete(actor=request.user, line=line)  # a refusal: core.refusals answers
    if _is_htmx(request):
        return _render_swap(request, plan, "plans/partials/proposals_swap.html", deleted=line)
    messages.success(request, _("Line %(number)s deleted.") % {"number": line.number})
    return redirect(reverse("plans:plan", kwargs={"uid": plan.uid}) + f"?deleted={line.uid}")


@login_required
@require_POST
def line_restore_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid, alive=False)
    proposal_line_restore(actor=request.user, line=line)  # a refusal: core.refusals answers
    flash = _("Line %(number)s restored.") % {"number": line.number}
    if _is_htmx(request):
        return _render_swap(
            request, plan, "plans/partials/proposals_swap.html", flash=flash, focus_line=line.uid
        )
    messages.success(request, flash)
    return redirect("plans:plan", uid=plan.uid)
