"""Community supervision (F17): the section of a work's page (the board, its members, its
visits and the forms to record them), the pages that correct a board, a member or a visit, and
the list of a commune plan's boards with the follow-ups still open.

A refused form on the work's page re-renders that page with the form as typed and the
messages on its fields (the bound forms reach ``work_section`` through the request)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..choices import MemberOrganisation
from ..forms_supervision import (
    BoardForm,
    DissolveForm,
    FollowUpForm,
    LeaveForm,
    MemberForm,
    VisitForm,
)
from ..models import BoardMember, SupervisionBoard, SupervisionVisit
from ..services.common import is_monitored
from ..services.supervision import (
    board_dissolve,
    board_establish,
    board_for,
    board_update,
    boards_of,
    follow_up_mark_done,
    member_add,
    member_leave,
    member_remove,
    member_stamp,
    member_update,
    members_in_order,
    min_members,
    open_follow_ups,
    serving,
    visit_record,
    visit_update,
    work_villages,
)
from .common import monitoring_context, plan_or_404, work_or_404

SECTION = "monitoring/partials/supervision_section.html"
BOUND = "_supervision_forms"
"""Request attribute holding the forms of a refused post, for ``work_section``."""


def _is_work(line: CommuneLine) -> bool:
    return line.state == LineState.ACTIVE and line.decision == Decision.FUNDED


def may_supervise(request: HttpRequest, plan: CommunePlan) -> bool:
    """The user may keep the supervision records of the plan's works now."""
    return (
        plan.status != CommunePlanStatus.CLOSED
        and has_permission(request.user, Action.RECORD_SUPERVISION, plan.round.commune)
        and is_monitored(plan)
    )


def work_section(request: HttpRequest, line: CommuneLine) -> tuple[str, dict[str, Any]] | None:
    """The supervision board of the work, its members and visits, and for those who may record
    them the forms; None for a line that is not a work and has no board."""
    board = board_for(line)
    if board is None and not _is_work(line):
        return None
    plan = line.plan
    commune = plan.round.commune
    bound: dict[str, Any] = getattr(request, BOUND, {})
    may = _is_work(line) and may_supervise(request, plan)
    minimum = min_members(plan)
    context: dict[str, Any] = {
        "plan": plan,
        "line": line,
        "board": board,
        "may_supervise": may,
        "minimum": minimum,
    }
    if board is None:
        if may:
            context["establish_form"] = bound.get("establish") or BoardForm(prefix="board")
        return SECTION, context

    members = members_in_order(list(board.members.all()))
    current = serving(members)
    villages = work_villages(line)
    visits = list(board.visits.all())
    context.update(
        {
            "members": members,
            "current_count": len(current),
            "meets_minimum": len(current) >= minimum,
            "work_villages": villages,
            "no_local_resident": bool(villages)
            and not any(
                m.organisation == MemberOrganisation.RESIDENT and m.village in villages
                for m in current
            ),
            "visits": visits,
            "open_count": sum(1 for v in visits if v.follow_up and not v.follow_up_done),
        }
    )
    if may:
        if board.dissolved_on is None:
            context["member_form"] = bound.get("member") or MemberForm(
                prefix="member", commune=commune, adding=True
            )
        context["visit_form"] = bound.get("visit") or VisitForm(prefix="visit")
        refused = bound.get("follow_up")
        for visit in visits:
            if visit.follow_up and not visit.follow_up_done:
                form = (
                    refused[1]
                    if refused and refused[0] == visit.pk
                    else FollowUpForm(
                        prefix=f"followup-{visit.pk}", initial={"version": visit.version}
                    )
                )
                visit.follow_up_form = form  # type: ignore[attr-defined]
    return SECTION, context


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
    from ..forms import ReportForm
    from . import progress  # progress imports this module

    setattr(request, BOUND, bound)
    context = progress._work_context(request, plan, line)
    if context["may_report"]:
        context["form"] = ReportForm(funding=context["funding"])
    return render(request, "monitoring/work.html", context, status=status)


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
    except NotFoundError as exc:
        raise Http404 from exc
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


# --- the pages that correct a board, a member, a visit ---------------------------------------


def _board_blocks(
    plan: CommunePlan,
    line: CommuneLine,
    board: SupervisionBoard,
    form: BoardForm,
    dissolve: DissolveForm | None,
) -> list[dict[str, Any]]:
    blocks = [
        {
            "id": "board-form",
            "title": _("The board"),
            "form": form,
            "action": reverse("monitoring:supervision_board", args=[plan.uid, line.uid]),
            "button": _("Save the board"),
        }
    ]
    if board.dissolved_on is None:
        blocks.append(
            {
                "id": "dissolve-form",
                "title": _("Dissolve the board"),
                "help": _(
                    "When the board has done its task (the work is handed over), record the "
                    "date it was dissolved. It cannot be before its last visit."
                ),
                "form": dissolve,
                "action": reverse("monitoring:supervision_dissolve", args=[plan.uid, line.uid]),
                "button": _("Dissolve the board"),
                "danger": True,
            }
        )
    return blocks


def _board_initial(board: SupervisionBoard) -> dict[str, Any]:
    return {
        "established_on": board.established_on,
        "decision_ref": board.decision_ref,
        "notes": board.notes,
        "version": board.version,
    }


@login_required
def board_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    title = _("Supervision board of work %(number)s") % {"number": line.number}
    dissolve = DissolveForm(prefix="dissolve", initial={"version": board.version})
    if request.method != "POST":
        form = BoardForm(prefix="board", initial=_board_initial(board))
        blocks = _board_blocks(plan, line, board, form, dissolve)
        return _edit_page(request, plan, line, title, blocks)
    form = BoardForm(request.POST, prefix="board")
    status = 400
    if form.is_valid():
        _board, error = _call(
            form,
            lambda: board_update(
                actor=request.user,
                board=board,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if error is None:
            return _done(plan, line, request, _("The supervision board is saved."))
        status = _status(error)
    blocks = _board_blocks(plan, line, board, form, dissolve)
    return _edit_page(request, plan, line, title, blocks, status)


@login_required
def board_dissolve_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    form = DissolveForm(request.POST, prefix="dissolve")
    status = 400
    if form.is_valid():
        _board, error = _call(
            form,
            lambda: board_dissolve(
                actor=request.user,
                board=board,
                dissolved_on=form.cleaned_data["dissolved_on"],
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if error is None:
            return _done(plan, line, request, _("The board is recorded as dissolved."))
        status = _status(error)
    title = _("Supervision board of work %(number)s") % {"number": line.number}
    edit = BoardForm(prefix="board", initial=_board_initial(board))
    blocks = _board_blocks(plan, line, board, edit, form)
    return _edit_page(request, plan, line, title, blocks, status)


def _member_blocks(
    plan: CommunePlan,
    line: CommuneLine,
    member: BoardMember,
    form: MemberForm,
    leave: LeaveForm,
    has_visits: bool,
) -> list[dict[str, Any]]:
    args = [plan.uid, line.uid, member.pk]
    blocks: list[dict[str, Any]] = [
        {
            "id": "member-form",
            "title": _("The member"),
            "form": form,
            "action": reverse("monitoring:supervision_member", args=args),
            "button": _("Save the member"),
        }
    ]
    if member.left_on is None:
        blocks.append(
            {
                "id": "leave-form",
                "title": _("The member leaves the board"),
                "help": _(
                    "The member stays in the board's list with the date they left, so the "
                    "board's composition at each visit can still be read."
                ),
                "form": leave,
                "action": reverse("monitoring:supervision_member_leave", args=args),
                "button": _("Record that the member left"),
            }
        )
    if not has_visits:
        blocks.append(
            {
                "id": "remove-form",
                "title": _("Entered by mistake?"),
                "help": _(
                    "While the board has no visit recorded, a member entered by mistake can be "
                    "removed from the list."
                ),
                "action": reverse("monitoring:supervision_member_remove", args=args),
                "button": _("Remove from the board"),
                "danger": True,
            }
        )
    return blocks


def _member_page(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    member: BoardMember,
    *,
    form: MemberForm | None = None,
    leave: LeaveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    stamp = member_stamp(member)
    form = form or MemberForm(
        prefix="member",
        commune=plan.round.commune,
        adding=False,
        initial=MemberForm.initial_for(member, stamp),
    )
    leave = leave or LeaveForm(prefix="leave", initial={"stamp": stamp})
    has_visits = member.board.visits.exists()
    title = _("%(name)s, member of the supervision board of work %(number)s") % {
        "name": member.full_name,
        "number": line.number,
    }
    blocks = _member_blocks(plan, line, member, form, leave, has_visits)
    return _edit_page(request, plan, line, title, blocks, status)


@login_required
def member_view(request: HttpRequest, uid: Any, line_uid: Any, pk: int) -> HttpResponse:
    plan, line = _supervisor_work(request, uid, line_uid)
    member = _member_or_404(line, pk)
    if request.method != "POST":
        return _member_page(request, plan, line, member)
    form = MemberForm(request.POST, prefix="member", commune=plan.round.commune, adding=False)
    status = 400
    if form.is_valid():
        saved, error = _call(
            form,
            lambda: member_update(
                actor=request.user,
                member=member,
                data=form.service_data(),
                expected_stamp=form.cleaned_data.get("stamp") or None,
            ),
        )
        if error is None:
            return _done(
                plan, line, request, _("The row of %(name)s is saved.") % {"name": saved.full_name}
            )
        status = _status(error)
    return _member_page(request, plan, line, member, form=form, status=status)


@login_required
def member_leave_view(request: HttpRequest, uid: Any, line_uid: Any, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    member = _member_or_404(line, pk)
    form = LeaveForm(request.POST, prefix="leave")
    status = 400
    if form.is_valid():
        saved, error = _call(
            form,
            lambda: member_leave(
                actor=request.user,
                member=member,
                left_on=form.cleaned_data["left_on"],
                expected_stamp=form.cleaned_data.get("stamp") or None,
            ),
        )
        if error is None:
            return _done(
                plan,
                line,
                request,
                _("%(name)s left the board on %(date)s.")
                % {"name": saved.full_name, "date": saved.left_on.strftime("%d/%m/%Y")},
            )
        status = _status(error)
    return _member_page(request, plan, line, member, leave=form, status=status)


@login_required
def member_remove_view(request: HttpRequest, uid: Any, line_uid: Any, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    member = _member_or_404(line, pk)
    try:
        member_remove(actor=request.user, member=member)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:supervision_member", uid=plan.uid, line_uid=line.uid, pk=pk)
    return _done(
        plan, line, request, _("%(name)s is removed from the board.") % {"name": member.full_name}
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


WORK = "cdp/<uuid:uid>/works/<uuid:line_uid>/supervision"

urlpatterns: list[URLPattern] = [
    path("cdp/<uuid:uid>/supervision/", supervision_view, name="supervision"),
    path(f"{WORK}/establish/", board_establish_view, name="supervision_establish"),
    path(f"{WORK}/board/", board_view, name="supervision_board"),
    path(f"{WORK}/dissolve/", board_dissolve_view, name="supervision_dissolve"),
    path(f"{WORK}/members/", member_add_view, name="supervision_member_add"),
    path(f"{WORK}/members/<int:pk>/", member_view, name="supervision_member"),
    path(f"{WORK}/members/<int:pk>/leave/", member_leave_view, name="supervision_member_leave"),
    path(f"{WORK}/members/<int:pk>/remove/", member_remove_view, name="supervision_member_remove"),
    path(f"{WORK}/visits/", visit_add_view, name="supervision_visit_add"),
    path(f"{WORK}/visits/<uuid:visit_uid>/", visit_view, name="supervision_visit"),
    path(
        f"{WORK}/visits/<uuid:visit_uid>/follow-up/",
        follow_up_done_view,
        name="supervision_follow_up",
    ),
]
