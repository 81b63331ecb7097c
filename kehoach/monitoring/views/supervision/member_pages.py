"""The page that corrects a member, and a member leaving or removed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ...forms_supervision import (
    LeaveForm,
    MemberForm,
)
from ...models import BoardMember
from ...services.supervision import (
    member_leave,
    member_remove,
    member_stamp,
    member_update,
)
from .helpers import (
    _call,
    _done,
    _edit_page,
    _member_or_404,
    _status,
    _supervisor_work,
)


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
    except NotFoundError:
        raise  # the middleware answers 404
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:supervision_member", uid=plan.uid, line_uid=line.uid, pk=pk)
    return _done(
        plan, line, request, _("%(name)s is removed from the board.") % {"name": member.full_name}
    )
