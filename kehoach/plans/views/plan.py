"""The village plan page: proposals edited in place (htmx), the live checklist, the workflow
buttons, carry-over and the plan's history (the meeting tab is in ``views.meeting``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.history import plan_history
from kehoach.core.errors import ApplicationError, NotFoundError

from ..choices import PlanStatus
from ..forms import AcceptMeetingForm, CommentForm, LineForm
from ..models import ProposalLine, VillageMeeting, VillagePlan
from ..panels import plan_panels
from ..selectors import lines_by_sector, plan_lines
from ..services.carry_over import carry_over, carry_over_candidates, carry_over_preview
from ..services.checks import plan_checks
from ..services.lines import (
    ConflictError,
    proposal_line_create,
    proposal_line_delete,
    proposal_line_restore,
    proposal_line_update,
)
from ..services.meeting import meeting_result
from ..services.workflow import VILLAGE_PLAN_WORKFLOW, plan_accept_meeting, plan_transition
from .common import plan_context, plan_or_404


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
        "groups": groups,
        "grand": grand,
        "checks": plan_checks(plan, lines, meeting),
        "meeting": meeting,
        "meeting_result": meeting_result(meeting, plan.round.profile) if meeting else None,
    }


def _page_context(request: HttpRequest, plan: VillagePlan) -> dict[str, Any]:
    context = plan_context(request, plan, "proposals")
    context.update(_proposals_context(request, plan))
    context["transitions"] = VILLAGE_PLAN_WORKFLOW.available(
        plan.status, request.user, plan.village
    )
    context["comment_form"] = CommentForm()
    # R9 override: only a recorded meeting that falls short can be accepted (R11).
    result = context["meeting_result"]
    context["may_accept_meeting"] = (
        plan.status == PlanStatus.DRAFT
        and result is not None
        and not (result.quorate and result.approved)
        and has_permission(request.user, Action.ACCEPT_MEETING, plan.village)
    )
    context["accept_form"] = AcceptMeetingForm()
    context["panels"] = plan_panels(request, plan)
    if context["can_edit"]:
        context["create_form"] = _line_form(plan)
        context["carry_over_count"] = len(carry_over_candidates(plan))
    return context


def _render_proposals(
    request: HttpRequest, plan: VillagePlan, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The proposals block (table, totals) plus the checklist, swapped in place by htmx."""
    context = plan_context(request, plan, "proposals")
    context.update(_proposals_context(request, plan))
    context.update(extra)
    return render(request, "plans/partials/proposals_swap.html", context, status=status)


@login_required
def plan_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return render(request, "plans/plan.html", _page_context(request, plan))


@login_required
def line_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    form = _line_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = proposal_line_create(actor=request.user, plan=plan, data=form.service_data())
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if _is_htmx(request):
                return _render_proposals(
                    request,
                    plan,
                    create_form=_line_form(plan),
                    flash=_("Line %(number)s added.") % {"number": line.number},
                )
            messages.success(request, _("Line %(number)s added.") % {"number": line.number})
            return redirect("plans:plan", uid=plan.uid)
    if request.method == "POST" and _is_htmx(request):
        context = plan_context(request, plan, "proposals")
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
    return render(request, "plans/partials/line_row.html", {**context, "line": line})


@login_required
def line_edit_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    context = plan_context(request, plan, "proposals")
    if not context["can_edit"]:
        if not context["may_edit"]:
            raise Http404
        messages.error(request, _("The plan is locked and cannot be changed."))
        return redirect("plans:plan", uid=plan.uid)
    conflict = None
    if request.method == "POST":
        form = _line_form(plan, request.POST)
        if form.is_valid():
            try:
                proposal_line_update(
                    actor=request.user,
                    line=line,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except NotFoundError as exc:
                raise Http404 from exc
            except ConflictError as exc:
                conflict = exc
                data = request.POST.copy()
                data["version"] = str(exc.line.version)  # saving again is a deliberate choice
                form = _line_form(plan, data)
                form.is_valid()
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                flash = _("Line %(number)s saved.") % {"number": line.number}
                if _is_htmx(request):
                    return _render_proposals(request, plan, flash=flash)
                messages.success(request, flash)
                return redirect("plans:plan", uid=plan.uid)
    else:
        initial = {
            field: getattr(line, field) for field in LineForm.base_fields if field != "version"
        }
        initial["sector"] = line.sector_id
        initial["unit"] = line.unit_id
        initial["proposed_source"] = line.proposed_source_id
        initial["priority"] = line.priority or ""
        initial["version"] = line.version
        form = _line_form(plan, initial=initial)
    status = 200 if request.method == "GET" else (409 if conflict else 400)
    template = "plans/partials/line_edit_row.html" if _is_htmx(request) else "plans/line_edit.html"
    if _is_htmx(request):
        status = 200  # htmx swaps only successful responses; the row carries the messages
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
    try:
        proposal_line_delete(actor=request.user, line=line)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("plans:plan", uid=plan.uid)
    if _is_htmx(request):
        return _render_proposals(request, plan, deleted=line)
    messages.success(request, _("Line %(number)s deleted.") % {"number": line.number})
    return redirect(reverse("plans:plan", kwargs={"uid": plan.uid}) + f"?deleted={line.uid}")


@login_required
@require_POST
def line_restore_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid, alive=False)
    try:
        proposal_line_restore(actor=request.user, line=line)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("plans:plan", uid=plan.uid)
    flash = _("Line %(number)s restored.") % {"number": line.number}
    if _is_htmx(request):
        return _render_proposals(request, plan, flash=flash)
    messages.success(request, flash)
    return redirect("plans:plan", uid=plan.uid)


@login_required
@require_POST
def transition_view(request: HttpRequest, uid: Any, action: str) -> HttpResponse:
    plan = plan_or_404(request, uid)
    form = CommentForm(request.POST)
    comment = form.data.get("comment", "") if form.is_bound else ""
    try:
        plan = plan_transition(actor=request.user, plan=plan, action=action, comment=comment)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        for line in exc.message.splitlines():
            messages.error(request, line)
    else:
        messages.success(
            request,
            _("The plan is now “%(status)s”.") % {"status": plan.get_status_display()},
        )
    return redirect("plans:plan", uid=plan.uid)


@login_required
@require_POST
def accept_meeting_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    form = AcceptMeetingForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        plan_accept_meeting(actor=request.user, plan=plan, reason=reason)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The meeting is accepted; the plan can be submitted."))
    return redirect("plans:plan", uid=plan.uid)


@login_required
def history_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "history")
    context["events"] = plan_history(plan.uid, dict(PlanStatus.choices))
    return render(request, "plans/history.html", context)


@login_required
def carry_over_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Last year's unfunded or deferred proposals, each with what carrying it over does (a
    source no longer in use left empty) or why it cannot be carried; then the carry-over."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "proposals")
    if not context["may_edit"]:
        raise Http404
    errors: list[str] = []
    chosen: set[str] | None = None
    if request.method == "POST":
        chosen = set(request.POST.getlist("lines"))
        try:
            done = carry_over(
                actor=request.user, plan=plan, line_uids=request.POST.getlist("lines")
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            errors = [item.message for item in getattr(exc, "errors", None) or [exc]]
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s proposal carried over from last year.",
                    "%(count)s proposals carried over from last year.",
                    len(done.lines),
                )
                % {"count": len(done.lines)},
            )
            for note in done.notes:
                messages.warning(request, note)
            return redirect("plans:plan", uid=plan.uid)
    candidates = carry_over_preview(plan)
    context.update(
        {
            "candidates": candidates,
            "errors": errors,
            "chosen": chosen,
            "can_carry": context["can_edit"] and any(c.ok for c in candidates),
        }
    )
    return render(request, "plans/carry_over.html", context, status=400 if errors else 200)
