"""The village plan's steps besides its proposals: the workflow (submit is confirmed on a page
of its own), accepting a meeting that missed its targets, the history, and carry-over of last
year's proposals and works."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kehoach.approvals.history import plan_history
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import FORBIDDEN

from ..choices import PlanStatus
from ..forms import AcceptMeetingForm, CommentForm
from ..selectors import lines_by_sector, plan_lines
from ..services.carry_over import carry_over, carry_over_preview, previous_plan
from ..services.workflow import (
    CONFIRMED_ACTIONS,
    can_transition,
    plan_accept_meeting,
    plan_transition,
)
from .common import plan_context, plan_or_404


@login_required
def transition_view(request: HttpRequest, uid: Any, action: str) -> HttpResponse:
    """A step of the plan's workflow. Submitting is confirmed first: GET (and a POST without
    ``confirm``) shows what it does and what it locks; the POST with ``confirm`` does it."""
    plan = plan_or_404(request, uid)
    confirmed = action in CONFIRMED_ACTIONS
    if request.method != "POST" and not confirmed:
        return HttpResponseNotAllowed(["POST"])
    if confirmed and (request.method != "POST" or request.POST.get("confirm") != "1"):
        reason = can_transition(request.user, plan, action)
        if reason is not None and reason.code == FORBIDDEN:
            raise Http404
        context = plan_context(request, plan, "proposals")
        lines = plan_lines(plan)
        _groups, grand = lines_by_sector(lines)
        context.update(
            {"action": action, "reason": reason, "grand": grand, "line_count": len(lines)}
        )
        return render(request, "plans/transition_confirm.html", context)
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
    """Last year's unfunded and deferred proposals and unfinished works, each with why it is
    offered and what carrying it over does (a source no longer in use left empty) or why it
    cannot be carried; nothing ticked in advance; then the carry-over of exactly the ticked."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "proposals")
    if not context["may_edit"]:
        raise Http404
    errors: list[str] = []
    chosen: set[str] = set()
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
    before = previous_plan(plan)
    context.update(
        {
            "candidates": candidates,
            "previous_year": before.round.plan_year if before else None,
            "errors": errors,
            "chosen": chosen,
            "can_carry": context["can_edit"] and any(c.ok for c in candidates),
        }
    )
    return render(request, "plans/carry_over.html", context, status=400 if errors else 200)
