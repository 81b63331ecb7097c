"""The forms posted from a work's page: establish the board, add a member, record a visit,
mark a follow-up done."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ...forms_supervision import (
    BoardForm,
    FollowUpForm,
    MemberForm,
    VisitForm,
)
from ...services.supervision import (
    board_establish,
    follow_up_mark_done,
    member_add,
    visit_record,
)
from .helpers import (
    _board_or_404,
    _call,
    _done,
    _refused,
    _supervisor_work,
    _visit_or_404,
    _work_page,
)

# --- posts from the work's page --------------------------------------------------------------


@login_required
def board_establish_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    form = BoardForm(request.POST, prefix="board")
    if form.is_valid():
        _board, error = _call(
            form, lambda: board_establish(actor=request.user, line=line, data=form.service_data())
        )
        if error is None:
            return _done(plan, line, request, _("The supervision board is recorded."))
        return _refused(request, plan, line, error, establish=form)
    return _work_page(request, plan, line, 400, establish=form)


@login_required
def member_add_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    form = MemberForm(request.POST, prefix="member", commune=plan.round.commune, adding=True)
    if form.is_valid():
        member, error = _call(
            form, lambda: member_add(actor=request.user, board=board, data=form.service_data())
        )
        if error is None:
            return _done(
                plan,
                line,
                request,
                _("%(name)s is added to the board.") % {"name": member.full_name},
            )
        return _refused(request, plan, line, error, member=form)
    return _work_page(request, plan, line, 400, member=form)


@login_required
def visit_add_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    form = VisitForm(request.POST, prefix="visit")
    if form.is_valid():
        _visit, error = _call(
            form, lambda: visit_record(actor=request.user, board=board, data=form.service_data())
        )
        if error is None:
            return _done(plan, line, request, _("The visit is recorded."))
        return _refused(request, plan, line, error, visit=form)
    return _work_page(request, plan, line, 400, visit=form)


@login_required
def follow_up_done_view(
    request: HttpRequest, uid: Any, line_uid: Any, visit_uid: Any
) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    visit = _visit_or_404(line, visit_uid)
    form = FollowUpForm(request.POST, prefix=f"followup-{visit.pk}")
    if form.is_valid():
        _visit, error = _call(
            form,
            lambda: follow_up_mark_done(
                actor=request.user,
                visit=visit,
                done_on=form.cleaned_data["follow_up_on"],
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if error is None:
            return _done(plan, line, request, _("The follow-up is marked done."))
        return _refused(request, plan, line, error, follow_up=(visit.pk, form))
    return _work_page(request, plan, line, 400, follow_up=(visit.pk, form))
