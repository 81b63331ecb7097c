"""Approval of the commune plan: the workflow buttons, the resolution, comments, versions and
their differences, the feedback to each village (F13)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.models import Comment, Version
from kehoach.approvals.services import comment_add, comment_resolve, comments_of
from kehoach.approvals.workflow import FORBIDDEN, Reason
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.views.common import plan_context as village_plan_context
from kehoach.plans.views.common import plan_or_404 as village_plan_or_404

from ..choices import Decision
from ..forms import ApproveForm
from ..models import CommunePlan
from ..permissions import CONFIRMED_ACTIONS, can_transition, plan_offers
from ..services.workflow import commune_plan_approve, commune_plan_transition, undecided_lines
from ..versions import (
    field_label,
    latest_version,
    plan_snapshot,
    versions_diff,
    village_feedback,
)
from .common import local_url, plan_context, plan_or_404, service_action


def workflow_context(request: HttpRequest, plan: CommunePlan) -> dict[str, Any]:
    """The steps this user may take now (``plan_offers``: the services' own checks), and what
    blocks the others."""
    offers = plan_offers(request.user, plan)
    return {
        "offers": [o for o in offers if o.action != "approve"],
        "approve_offer": next((o for o in offers if o.action == "approve"), None),
        "confirmed_actions": CONFIRMED_ACTIONS,
        "undecided": undecided_lines(plan) if plan.status in ("draft", "approved") else [],
        "may_comment": has_permission(request.user, Action.COMMENT_PLAN, plan.round.commune),
    }


def _confirm_context(
    request: HttpRequest, plan: CommunePlan, action: str, reason: Reason | None
) -> dict[str, Any]:
    """What the confirmation page of a step shows: the plan in figures, what becomes
    irreversible, and why the step is refused now (``reason``) if it is."""
    context = plan_context(request, plan, "approval")
    lines = list(plan.lines.active().only("decision", "total_cost_mvnd", "external_support_mvnd"))
    funded = [x for x in lines if x.decision == Decision.FUNDED]
    context.update(
        {
            "action": action,
            "reason": reason,
            "line_count": len(lines),
            "funded_count": len(funded),
            "total_cost": sum((x.total_cost_mvnd for x in lines), Decimal(0)),
            "funded_support": sum((x.external_support_mvnd for x in funded), Decimal(0)),
            "version": latest_version(plan) if action == "publish" else None,
            "village_count": plan.round.plans.count() if action == "publish" else 0,
        }
    )
    return context


def _confirm_page(
    request: HttpRequest, plan: CommunePlan, action: str, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The confirmation page of ``action`` (404 for a user who may not take it at all)."""
    reason = can_transition(request.user, plan, action)
    if reason is not None and reason.code == FORBIDDEN:
        raise Http404
    context = _confirm_context(request, plan, action, reason)
    context.update(extra)
    return render(request, "synthesis/transition_confirm.html", context, status=status)


@login_required
def transition_view(request: HttpRequest, uid: Any, action: str) -> HttpResponse:
    """A step of the commune plan's workflow. Submitting and publishing are confirmed first:
    GET (and a POST without ``confirm``) shows what the step does and what becomes
    irreversible; the POST with ``confirm`` does it. Approving has its own page (the
    resolution)."""
    if action == "approve" and request.method != "POST":
        return redirect("synthesis:approve", uid=uid)
    unconfirmed = request.method != "POST" or request.POST.get("confirm") != "1"
    if action in CONFIRMED_ACTIONS and action != "approve" and unconfirmed:
        return _confirm_page(request, plan_or_404(request, uid), action)
    return _transition(request, uid, action)


@service_action
def _transition(request: HttpRequest, uid: Any, action: str) -> Any:
    plan = plan_or_404(request, uid)
    done = commune_plan_transition(
        actor=request.user, plan=plan, action=action, comment=request.POST.get("comment", "")
    )
    return (
        _("The commune plan is now “%(status)s”.") % {"status": done.get_status_display()},
        reverse("synthesis:approval", args=[plan.uid]),
    )


@login_required
def approve_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Approval with the council's resolution, on its own page that says what becomes
    irreversible: the POST approves only with ``confirm`` ticked; without it the page comes
    back with what was typed (a chosen scan must be chosen again) and nothing is done."""
    plan = plan_or_404(request, uid)
    if request.method != "POST":
        return _confirm_page(request, plan, "approve", form=ApproveForm())
    reason = can_transition(request.user, plan, "approve")
    if reason is not None and reason.code == FORBIDDEN:
        raise Http404
    form = ApproveForm(request.POST, request.FILES)
    if form.is_valid():
        if not form.cleaned_data.get("confirm"):
            form.add_error("confirm", _("Tick this box to confirm the approval."))
            if form.cleaned_data.get("scan"):
                form.add_error("scan", _("Choose the scanned resolution again."))
        else:
            try:
                commune_plan_approve(
                    actor=request.user,
                    plan=plan,
                    data=form.cleaned_data,
                    scan=form.cleaned_data.get("scan"),
                    comment=form.cleaned_data.get("comment") or "",
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The commune plan is approved."))
                return redirect("synthesis:approval", uid=plan.uid)
    return _confirm_page(request, plan, "approve", status=400, form=form)


@login_required
def approval_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """The approval page: state, the steps offered, versions, documents, plan comments. (A
    resolution posted here, as the page's form once did, goes to the approval page.)"""
    if request.method == "POST":
        return approve_view(request, uid)
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "approval")
    context.update(workflow_context(request, plan))
    status = 200
    context["published_version"] = latest_version(plan, published=True)
    context["versions"] = list(Version.objects.filter(plan_uid=plan.uid).order_by("-number"))
    context["threads"] = [c for c in comments_of(plan.uid) if c.line_uid is None]
    context["line_threads"] = [c for c in comments_of(plan.uid) if c.line_uid is not None]
    lines = {str(line.uid): line for line in plan.lines.all()}
    for thread in context["line_threads"]:
        thread.line = lines.get(str(thread.line_uid))
    return render(request, "synthesis/approval.html", context, status=status)


def _comment_target(plan: CommunePlan, request: HttpRequest) -> tuple[Any, Comment | None]:
    line_uid = request.POST.get("line") or None
    if line_uid and not plan.lines.filter(uid=line_uid).exists():
        raise NotFoundError()
    parent = None
    parent_id = request.POST.get("parent")
    if parent_id:
        parent = Comment.objects.filter(plan_uid=plan.uid, pk=parent_id).first()
        if parent is None:
            raise NotFoundError()
    return line_uid, parent


@login_required
@service_action
def comment_view(request: HttpRequest, uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    if not has_permission(request.user, Action.COMMENT_PLAN, plan.round.commune):
        raise NotFoundError()
    try:
        line_uid, parent = _comment_target(plan, request)
    except ValueError as exc:
        raise NotFoundError() from exc
    comment_add(
        actor=request.user,
        plan_uid=plan.uid,
        body=request.POST.get("body", ""),
        line_uid=line_uid,
        parent=parent,
    )
    back = reverse("synthesis:approval", args=[plan.uid])
    return _("Comment added."), local_url(request, request.POST.get("next"), back)


@login_required
@service_action
def comment_resolve_view(request: HttpRequest, uid: Any, comment_id: int) -> Any:
    plan = plan_or_404(request, uid)
    comment = Comment.objects.filter(plan_uid=plan.uid, pk=comment_id).first()
    if comment is None or not has_permission(request.user, Action.COMMENT_PLAN, plan.round.commune):
        raise NotFoundError()
    resolved = request.POST.get("resolved", "1") == "1"
    comment_resolve(actor=request.user, comment=comment, resolved=resolved)
    back = reverse("synthesis:approval", args=[plan.uid])
    text = _("Marked as resolved.") if resolved else _("Opened again.")
    return text, local_url(request, request.POST.get("next"), back)


def _version(plan: CommunePlan, number: Any) -> Version:
    """The plan's version of this number; 404 for a number that is not one of them (or not a
    number at all)."""
    text = str(number)
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise Http404
    version = Version.objects.filter(plan_uid=plan.uid, number=int(text)).first()
    if version is None:
        raise Http404
    return version


@login_required
def version_scan(request: HttpRequest, uid: Any, number: int) -> FileResponse:
    """The scanned resolution, always as a download (never shown as a page)."""
    plan = plan_or_404(request, uid)
    version = _version(plan, number)
    if not version.scan:
        raise Http404
    suffix = version.scan.name.rsplit(".", 1)[-1]
    name = f"nghi-quyet-{plan.round.commune.code}-{plan.round.plan_year}-v{version.number}.{suffix}"
    response = FileResponse(version.scan.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def diff_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """What changed between two versions (or a version and the plan as it is now)."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "approval")
    versions = list(Version.objects.filter(plan_uid=plan.uid).order_by("number"))
    choices = [(str(v.number), _("Version %(n)s") % {"n": v.number}) for v in versions]
    choices.append(("current", _("The plan as it is now")))
    default_old = str(versions[-1].number) if versions else "current"
    if len(versions) > 1 and plan.status not in ("draft", "returned", "submitted", "conference"):
        default_old = str(versions[-2].number)
    old_key = request.GET.get("old", default_old)
    new_key = request.GET.get("new", "current")

    def data_of(key: str) -> dict[str, Any]:
        if key == "current":
            return plan_snapshot(plan)
        return _version(plan, key).data

    diff = versions_diff(data_of(old_key), data_of(new_key))
    for change in diff.changed:
        change.labels = [(field_label(name), a, b) for name, a, b in change.fields]  # type: ignore[attr-defined]
    context.update(
        {
            "choices": choices,
            "old_key": old_key,
            "new_key": new_key,
            "diff": diff,
            "labels": dict(choices),
        }
    )
    return render(request, "synthesis/diff.html", context)


@login_required
def feedback_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """F13: the feedback notice of one village (the village plan's uid)."""
    plan = village_plan_or_404(request, uid)
    context = village_plan_context(request, plan, "feedback")
    version, fates, commune_plan = village_feedback(plan)
    if version is None:
        raise Http404
    context.update({"version": version, "fates": fates, "commune_plan": commune_plan})
    return render(request, "synthesis/feedback.html", context)
