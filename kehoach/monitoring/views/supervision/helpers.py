"""What the supervision views share: the work and the record a URL names, the answers
after a write or a refusal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ...models import BoardMember, SupervisionBoard, SupervisionVisit
from ..common import monitoring_context, plan_or_404, work_or_404
from ..supervision_section import BOUND
from ..work import work_page

# --- helpers ---------------------------------------------------------------------------------


def _supervisor_work(request: HttpRequest, uid: Any, line_uid: Any) -> tuple[Any, Any]:
    """The plan and work of a post, 404 for whoever may not record supervision."""
    plan = plan_or_404(request, uid)
    line = work_or_404(plan, line_uid)
    if not has_permission(request.user, Action.RECORD_SUPERVISION, plan.round.commune):
        raise Http404
    return plan, line


def _board_or_404(line: CommuneLine) -> SupervisionBoard:
    board = SupervisionBoard.objects.filter(line=line).select_related("line").first()
    if board is None:
        raise Http404
    return board


def _member_or_404(line: CommuneLine, pk: int) -> BoardMember:
    member = (
        BoardMember.objects.filter(board__line=line, pk=pk)
        .select_related("board__line", "village")
        .first()
    )
    if member is None:
        raise Http404
    return member


def _visit_or_404(line: CommuneLine, visit_uid: Any) -> SupervisionVisit:
    visit = (
        SupervisionVisit.objects.filter(board__line=line, uid=visit_uid)
        .select_related("board__line")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def _work_url(plan: CommunePlan, line: CommuneLine) -> str:
    return reverse("monitoring:work", args=[plan.uid, line.uid]) + "#supervision"


def _done(plan: CommunePlan, line: CommuneLine, request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(_work_url(plan, line))


def _status(error: ApplicationError) -> int:
    return 409 if error.code == "conflict" else 400


def _work_page(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    status: int,
    **bound: Any,
) -> HttpResponse:
    """The work's page again, with the refused form as typed."""
    setattr(request, BOUND, bound)
    return work_page(request, plan, line, status=status)


def _refused(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    error: ApplicationError,
    **bound: Any,
) -> HttpResponse:
    """A refusal about a field comes back on the form as typed; one about the board as a
    whole (it exists already, it was dissolved, someone saved in between) as a message on the
    work's page as it is now, where the form it came from may no longer be offered."""
    items = getattr(error, "errors", None) or [error]
    if any(item.where.field for item in items):
        return _work_page(request, plan, line, _status(error), **bound)
    for item in items:
        messages.error(request, item.message)
    return redirect(_work_url(plan, line))


def _call(form: Any, call: Any) -> tuple[Any, ApplicationError | None]:
    """Run a service call; a refusal goes on the form, "not found" becomes 404."""
    try:
        return call(), None
    except ApplicationError as exc:
        form.add_service_error(exc)
        return None, exc


def _edit_page(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    title: str,
    blocks: list[dict[str, Any]],
    status: int = 200,
) -> HttpResponse:
    context = monitoring_context(request, plan, "works")
    context.update({"line": line, "title": title, "blocks": blocks})
    return render(request, "monitoring/supervision_edit.html", context, status=status)
