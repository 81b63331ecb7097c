"""The page that corrects a visit, and the list of a commune plan's boards."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...forms_supervision import (
    VisitForm,
)
from ...services.supervision import (
    boards_of,
    min_members,
    open_follow_ups,
    visit_update,
)
from ..common import monitoring_context, plan_or_404
from .helpers import (
    _call,
    _done,
    _edit_page,
    _status,
    _supervisor_work,
    _visit_or_404,
)


@login_required
def visit_view(request: HttpRequest, uid: Any, line_uid: Any, visit_uid: Any) -> HttpResponse:
    plan, line = _supervisor_work(request, uid, line_uid)
    visit = _visit_or_404(line, visit_uid)
    title = _("Visit of %(date)s to work %(number)s") % {
        "date": visit.visited_on.strftime("%d/%m/%Y"),
        "number": line.number,
    }
    status = 200
    if request.method != "POST":
        form = VisitForm(
            prefix="visit",
            initial={
                "visited_on": visit.visited_on,
                "items_checked": visit.items_checked,
                "findings": visit.findings,
                "recommendations": visit.recommendations,
                "follow_up": visit.follow_up,
                "version": visit.version,
            },
        )
    else:
        form = VisitForm(request.POST, prefix="visit")
        status = 400
        if form.is_valid():
            _visit, error = _call(
                form,
                lambda: visit_update(
                    actor=request.user,
                    visit=visit,
                    data=form.service_data(),
                    expected_version=form.cleaned_data.get("version"),
                ),
            )
            if error is None:
                return _done(plan, line, request, _("The record of the visit is saved."))
            status = _status(error)
    blocks = [
        {
            "id": "visit-form",
            "title": _("The visit"),
            "form": form,
            "action": reverse("monitoring:supervision_visit", args=[plan.uid, line.uid, visit.uid]),
            "button": _("Save the visit"),
        }
    ]
    return _edit_page(request, plan, line, title, blocks, status)


# --- the list of a commune plan's boards -----------------------------------------------------


@login_required
def supervision_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = monitoring_context(request, plan, "works")
    works = list(boards_of(plan))
    minimum = min_members(plan)
    without_board = 0
    for work in works:
        board = getattr(work, "supervision_board", None)
        without_board += board is None
        work.board = board  # type: ignore[attr-defined]
        work.short = board is not None and work.board_members < minimum  # type: ignore[attr-defined]
    context.update(
        {
            "works": works,
            "minimum": minimum,
            "without_board": without_board,
            "follow_ups": list(open_follow_ups(plan)),
        }
    )
    return render(request, "monitoring/supervision.html", context)
