"""The commune's five-year plan pages: the plan (lines with their years and sources, merge,
split, undo, decisions, the resource frame against the lines, the workflow), the split and
frame-line forms, the approval with the resolution, the history and the feedback to a village.
Thin: each finds what the user may see, calls one service and maps its refusal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.history import plan_history
from kehoach.approvals.models import Version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import FORBIDDEN
from kehoach.geo.choices import Level
from kehoach.geo.selectors import unit_get_for_user
from kehoach.synthesis.choices import CommunePlanStatus, LineState
from kehoach.synthesis.forms import ApproveForm, DecisionForm, MergeForm
from kehoach.synthesis.views.common import service_action

from ..models import (
    MediumTermCommuneLine,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermOperation,
    MediumTermRound,
)
from ..selectors import plan_get_for_user, round_get_for_user, rounds_of
from ..selectors_commune import (
    commune_lines,
    frame_grid,
    pending_sources,
    undecided_lines,
    village_feedback,
    village_plans_of,
)
from ..services.commune import commune_line_decide, commune_plan_for
from ..services.commune_operations import (
    commune_line_split,
    commune_lines_merge,
    commune_operation_undo,
    last_operation,
)
from ..services.commune_synthesis import commune_plan_synthesise
from ..services.commune_workflow import (
    commune_five_year_approve,
    commune_five_year_transition,
    latest_version,
)
from ..services.frame import frame_line_delete, frame_line_save
from ..workflow_commune import can_edit_commune_plan, can_transition, plan_offers
from .common import ancestors_of
from .commune_forms import MAX_PARTS, FrameLineForm, SplitForm

FEEDBACK_STATES = (CommunePlanStatus.PUBLISHED,)
"""A village reads the commune's decisions once the plan is published; the commune sees them
while it decides."""


def _round(request: HttpRequest, uid: Any) -> MediumTermRound:
    return round_get_for_user(user=request.user, uid=uid)  # missing or forbidden: 404


def _plan(request: HttpRequest, uid: Any) -> MediumTermCommunePlan:
    """The commune five-year plan of a period the user may see (created when first needed)."""
    round_ = _round(request, uid)
    plan = MediumTermCommunePlan.objects.filter(round=round_).first()
    if plan is None:
        if not has_permission(request.user, Action.EDIT_COMMUNE_PLAN, round_.commune):
            raise NotFoundError()
        plan = commune_plan_for(round_)
    plan.round = round_
    return plan


def _version(request: HttpRequest, name: str = "version") -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def _line(plan: MediumTermCommunePlan, uid: Any) -> MediumTermCommuneLine:
    line = MediumTermCommuneLine.objects.filter(plan=plan, uid=uid).first()
    if line is None:
        raise NotFoundError()
    line.plan = plan
    return line


def _context(request: HttpRequest, plan: MediumTermCommunePlan, tab: str) -> dict[str, Any]:
    round_ = plan.round
    refusal = can_edit_commune_plan(request.user, plan)
    return {
        "plan": plan,
        "round": round_,
        "unit": round_.commune,
        "ancestors": ancestors_of(request, round_.commune),
        "years": round_.years,
        "tab": tab,
        "can_edit": refusal is None,
        "may_edit": refusal is None or refusal.code != FORBIDDEN,
    }


@login_required
def commune_plans_view(request: HttpRequest, code: str) -> HttpResponse:
    """The commune's five-year periods, each with its commune five-year plan and its state."""
    commune = unit_get_for_user(user=request.user, code=code)
    if commune.level != Level.COMMUNE:
        raise Http404
    rounds = list(rounds_of(commune).select_related("commune_plan"))
    labels = dict(CommunePlanStatus.choices)
    for round_ in rounds:
        plan = getattr(round_, "commune_plan", None)
        round_.commune_plan_status = plan.status if plan else ""  # type: ignore[attr-defined]
        round_.commune_plan_label = labels.get(plan.status) if plan else ""  # type: ignore[attr-defined]
    context = {
        "rounds": rounds,
        "unit": commune,
        "ancestors": ancestors_of(request, commune),
    }
    return render(request, "midterm/commune_list.html", context)


@login_required
def commune_plan_view(request: HttpRequest, uid: UUID) -> HttpResponse:
    """The commune five-year plan page."""
    round_ = _round(request, uid)
    plan = MediumTermCommunePlan.objects.filter(round=round_).first()
    if plan is None:
        if not has_permission(request.user, Action.EDIT_COMMUNE_PLAN, round_.commune):
            context = {
                "round": round_,
                "unit": round_.commune,
                "ancestors": ancestors_of(request, round_.commune),
            }
            return render(request, "midterm/commune_not_started.html", context)
        plan = commune_plan_for(round_)
    plan.round = round_
    context = _context(request, plan, "plan")
    lines = commune_lines(plan)
    frame = list(plan.frame.select_related("source", "sector"))
    active = [line for line in lines if line.state == LineState.ACTIVE]
    for line in active:
        line.share_pct = line.share * 100  # type: ignore[attr-defined]
        for item in line.sources.all():
            item.share_pct = item.share * 100  # type: ignore[attr-defined]
    offers = plan_offers(request.user, plan)
    operation = last_operation(plan) if context["can_edit"] else None
    context.update(
        {
            "lines": active,
            "other_lines": [line for line in lines if line.state != LineState.ACTIVE],
            "grid": frame_grid(plan, active, frame),
            "pending": pending_sources(plan) if plan.is_editable else None,
            "undecided": undecided_lines(plan) if plan.is_editable else [],
            "operation": operation,
            "offers": [o for o in offers if o.action != "approve"],
            "approve_offer": next((o for o in offers if o.action == "approve"), None),
            "merge_form": MergeForm(),
            "decision_form": DecisionForm(envelope_lines=[]),
            "frame_form": FrameLineForm(round_=round_) if context["can_edit"] else None,
            "village_plans": village_plans_of(plan),
            "versions": list(Version.objects.filter(plan_uid=plan.uid).order_by("-number")),
        }
    )
    return render(request, "midterm/commune_plan.html", context)


def _back(plan: MediumTermCommunePlan, anchor: str = "") -> str:
    return reverse("midterm:commune_plan", args=[plan.round.uid]) + anchor


@login_required
@service_action
def commune_synthesise_view(request: HttpRequest, uid: UUID) -> Any:
    round_ = _round(request, uid)
    report = commune_plan_synthesise(actor=request.user, round_=round_)
    text = _(
        "Synthesis of %(plans)s five-year village plans: %(new)s new, %(withdrawn)s withdrawn, "
        "%(back)s sent again, %(unchanged)s unchanged."
    ) % {
        "plans": report.plans,
        "new": report.new,
        "withdrawn": report.withdrawn,
        "back": report.back,
        "unchanged": report.unchanged,
    }
    if report.not_submitted:
        text += " " + _("Not submitted yet: %(villages)s.") % {
            "villages": ", ".join(report.not_submitted)
        }
    return text, reverse("midterm:commune_plan", args=[round_.uid])


@login_required
@service_action
def commune_merge_view(request: HttpRequest, uid: UUID) -> Any:
    plan = _plan(request, uid)
    chosen = request.POST.getlist("lines")
    lines = list(MediumTermCommuneLine.objects.filter(plan=plan, uid__in=_uids(chosen)))
    if len(lines) != len(set(chosen)):
        raise NotFoundError()
    versions = {str(x.uid): v for x in lines if (v := _version(request, f"v_{x.uid}")) is not None}
    form = MergeForm(request.POST)
    form.is_valid()
    merged = commune_lines_merge(
        actor=request.user,
        plan=plan,
        lines=lines,
        activity=form.cleaned_data.get("activity") or "",
        location=form.cleaned_data.get("location") or "",
        expected_versions=versions,
    )
    return (
        _("Lines merged into line %(number)s.") % {"number": merged.number},
        _back(plan, f"#line-{merged.number}"),
    )


def _uids(values: list[str]) -> list[UUID]:
    try:
        return [UUID(value) for value in values]
    except ValueError as exc:
        raise NotFoundError() from exc


@login_required
def commune_split_view(request: HttpRequest, uid: UUID, line_uid: UUID) -> HttpResponse:
    """Split a line into parts (GET: the form; POST: the split, or the form with what is
    wrong and nothing changed)."""
    plan = _plan(request, uid)
    line = _line(plan, line_uid)
    if not has_permission(request.user, Action.EDIT_COMMUNE_PLAN, plan.round.commune):
        raise Http404
    try:
        count = int(request.GET.get("parts") or request.POST.get("parts") or 2)
    except ValueError:
        count = 2
    status = 200
    if request.method == "POST":
        form = SplitForm(request.POST, parts=count)
        if form.is_valid():
            try:
                parts = commune_line_split(
                    actor=request.user,
                    line=line,
                    parts=form.part_list(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Line %(number)s is split into lines %(parts)s.")
                    % {
                        "number": line.number,
                        "parts": ", ".join(str(p.number) for p in parts),
                    },
                )
                return redirect(_back(plan))
        status = 400
    else:
        form = SplitForm(initial={"version": line.version}, parts=count)
    context = _context(request, plan, "plan")
    context.update({"line": line, "form": form, "part_choices": range(2, MAX_PARTS + 1)})
    return render(request, "midterm/commune_split.html", context, status=status)


@login_required
@service_action
def commune_undo_view(request: HttpRequest, uid: UUID) -> Any:
    plan = _plan(request, uid)
    given = request.POST.get("operation", "")
    operation = None
    if given:
        operation = MediumTermOperation.objects.filter(
            plan=plan, pk=int(given) if given.isdigit() else 0
        ).first()
        if operation is None:
            raise NotFoundError()
    done = commune_operation_undo(
        actor=request.user,
        plan=plan,
        operation=operation,
        expected_version=_version(request),
    )
    text = _("The merge is undone.") if done.kind == done.Kind.MERGE else _("The split is undone.")
    return text, _back(plan)


@login_required
@service_action
def commune_decide_view(request: HttpRequest, uid: UUID, line_uid: UUID) -> Any:
    plan = _plan(request, uid)
    line = _line(plan, line_uid)
    done = commune_line_decide(
        actor=request.user,
        line=line,
        decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""),
        expected_version=_version(request),
    )
    return (
        _("Line %(number)s: %(decision)s.")
        % {"number": done.number, "decision": done.get_decision_display()},
        _back(plan, f"#line-{done.number}"),
    )


@login_required
def commune_frame_line_view(
    request: HttpRequest, uid: UUID, frame_uid: UUID | None = None
) -> HttpResponse:
    """Add a line to the resource frame (POST without ``frame_uid``) or change one (GET: the
    form; POST: the change); a refused form comes back with what was typed."""
    plan = _plan(request, uid)
    line: MediumTermFrameLine | None = None
    if frame_uid is not None:
        line = MediumTermFrameLine.objects.filter(plan=plan, uid=frame_uid).first()
        if line is None:
            raise Http404
    if not has_permission(request.user, Action.EDIT_COMMUNE_PLAN, plan.round.commune):
        raise Http404
    status = 200
    if request.method == "POST":
        form = FrameLineForm(request.POST, round_=plan.round)
        if form.is_valid():
            try:
                frame_line_save(
                    actor=request.user,
                    plan=plan,
                    line=line,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The resource frame is saved."))
                return redirect(_back(plan, "#frame"))
        status = 400
    elif line is None:
        return redirect(_back(plan, "#frame"))
    else:
        form = FrameLineForm(
            initial={
                "source": line.source_id,
                "sector": line.sector_id,
                "year": line.year,
                "amount_mvnd": line.amount_mvnd,
                "notes": line.notes,
                "version": line.version,
            },
            round_=plan.round,
        )
    context = _context(request, plan, "plan")
    context.update({"frame_line": line, "form": form})
    return render(request, "midterm/commune_frame_line.html", context, status=status)


@login_required
@service_action
def commune_frame_delete_view(request: HttpRequest, uid: UUID, frame_uid: UUID) -> Any:
    plan = _plan(request, uid)
    line = MediumTermFrameLine.objects.filter(plan=plan, uid=frame_uid).first()
    if line is None:
        raise NotFoundError()
    line.plan = plan
    frame_line_delete(actor=request.user, line=line, expected_version=_version(request))
    return _("The line of the resource frame is deleted."), _back(plan, "#frame")


@login_required
@service_action
def commune_transition_view(request: HttpRequest, uid: UUID, action: str) -> Any:
    plan = _plan(request, uid)
    done = commune_five_year_transition(
        actor=request.user, plan=plan, action=action, comment=request.POST.get("comment", "")
    )
    return (
        _("The commune five-year plan is now “%(status)s”.")
        % {"status": done.get_status_display()},
        _back(plan, "#workflow"),
    )


@login_required
def commune_approve_view(request: HttpRequest, uid: UUID) -> HttpResponse:
    """Approval with the council's resolution, on its own page that says what becomes
    irreversible; approves only with ``confirm`` ticked."""
    plan = _plan(request, uid)
    reason = can_transition(request.user, plan, "approve")
    if reason is not None and reason.code == FORBIDDEN:
        raise Http404
    status = 200
    if request.method == "POST":
        form = ApproveForm(request.POST, request.FILES)
        if form.is_valid():
            if not form.cleaned_data.get("confirm"):
                form.add_error("confirm", _("Tick this box to confirm the approval."))
                if form.cleaned_data.get("scan"):
                    form.add_error("scan", _("Choose the scanned resolution again."))
            else:
                try:
                    commune_five_year_approve(
                        actor=request.user,
                        plan=plan,
                        data=form.cleaned_data,
                        scan=form.cleaned_data.get("scan"),
                        comment=form.cleaned_data.get("comment") or "",
                    )
                except ApplicationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, _("The commune five-year plan is approved."))
                    return redirect(_back(plan, "#workflow"))
        status = 400
    else:
        form = ApproveForm()
    context = _context(request, plan, "plan")
    context.update(
        {
            "form": form,
            "reason": reason,
            "line_count": plan.lines.filter(state=LineState.ACTIVE).count(),
        }
    )
    return render(request, "midterm/commune_approve.html", context, status=status)


@login_required
def commune_history_view(request: HttpRequest, uid: UUID) -> HttpResponse:
    plan = _plan(request, uid)
    context = _context(request, plan, "history")
    context["events"] = plan_history(plan.uid, dict(CommunePlanStatus.choices))
    return render(request, "midterm/commune_history.html", context)


@login_required
def commune_feedback_view(request: HttpRequest, uid: UUID) -> HttpResponse:
    """The feedback to one village (``uid``: its five-year plan): each of its activities with
    the decision and reason of the commune line(s) it reached. The village reads it once the
    commune plan is published; the commune while it decides."""
    village_plan = plan_get_for_user(user=request.user, uid=uid)
    round_ = village_plan.round
    plan = MediumTermCommunePlan.objects.filter(round=round_).first()
    commune_side = has_permission(request.user, Action.EDIT_COMMUNE_PLAN, round_.commune) or (
        has_permission(request.user, Action.APPROVE_COMMUNE_PLAN, round_.commune)
    )
    shown = plan is not None and (commune_side or plan.status in FEEDBACK_STATES)
    context = {
        "village_plan": village_plan,
        "round": round_,
        "plan": plan,
        "unit": village_plan.village,
        "ancestors": ancestors_of(request, village_plan.village),
        "years": round_.years,
        "shown": shown,
        "rows": village_feedback(plan, village_plan) if shown and plan is not None else [],
        "published": latest_version(plan, published=True) if plan is not None else None,
    }
    return render(request, "midterm/commune_feedback.html", context)
