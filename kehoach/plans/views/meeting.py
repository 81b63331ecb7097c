"""The meeting tab of a village plan (F8): the meeting record, quorum and participation, and
the attendance list edited in place (htmx; every action also works as a plain form)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.errors import ApplicationError

from ..forms import AttendeeForm, MeetingForm
from ..models import Attendee, VillageMeeting, VillagePlan
from ..permissions import PLAN_LOCKED
from ..services.attendance import (
    attendance_summary,
    attendee_add,
    attendee_delete,
    attendee_update,
)
from ..services.meeting import meeting_result, meeting_save
from .common import for_the_middleware, plan_context, plan_or_404, refuse_hidden
from .focus import focus_first_error, focus_first_field

ADD_PREFIX = "attendee"
EDIT_PREFIX = "edit"


def _is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _attendance_context(
    request: HttpRequest,
    plan: VillagePlan,
    meeting: VillageMeeting | None,
    *,
    attendee_form: AttendeeForm | None = None,
    editing: int | None = None,
    edit_form: AttendeeForm | None = None,
    flash: str = "",
    error: str = "",
    focus: str | int | None = None,
) -> dict[str, Any]:
    """``focus`` says where the keyboard focus goes once the section is swapped in: "add" (the
    add form, to add the next person), "list" (the list's heading) or a person's id (their row);
    a form that comes back with errors takes it to its first error whatever ``focus`` says."""
    context = plan_context(request, plan, "meeting")
    attendees = list(meeting.attendees.all()) if meeting is not None else []
    context.update(
        {
            "meeting": meeting,
            "attendees": attendees,
            "summary": attendance_summary(meeting, attendees) if meeting is not None else None,
            "attendee_form": attendee_form or AttendeeForm(prefix=ADD_PREFIX),
            "editing": editing,
            "edit_form": edit_form,
            "flash": flash,
            "attendance_error": error,
            "focus_attendee": focus if isinstance(focus, int) else None,
            "focus_list": focus == "list",
        }
    )
    if editing is not None and edit_form is None:
        person = next((a for a in attendees if a.pk == editing), None)
        if person is None:
            raise Http404
        context["edit_form"] = AttendeeForm(
            initial=AttendeeForm.initial_for(person), prefix=EDIT_PREFIX
        )
        focus_first_field(context["edit_form"])
    for form in (attendee_form, edit_form):
        if form is not None:
            focus_first_error(form)
    if focus == "add" and not (attendee_form and attendee_form.errors):
        focus_first_field(context["attendee_form"])
    return context


def _meeting_page(
    request: HttpRequest,
    plan: VillagePlan,
    *,
    form: MeetingForm | None = None,
    status: int = 200,
    **attendance: Any,
) -> HttpResponse:
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    context = _attendance_context(request, plan, meeting, **attendance)
    if form is None:
        initial: dict[str, Any] = {"version": meeting.version} if meeting else {}
        if meeting is None:
            info = getattr(plan, "basic_info", None) if hasattr(plan, "basic_info") else None
            if info is not None and info.total_households:
                initial["households_total"] = info.total_households
        form = MeetingForm(instance=meeting, initial=initial)
    context.update(
        {
            "form": form,
            "result": meeting_result(meeting, plan.round.profile) if meeting else None,
        }
    )
    return render(request, "plans/meeting.html", context, status=status)


def _attendance_response(
    request: HttpRequest, plan: VillagePlan, *, status: int = 200, **attendance: Any
) -> HttpResponse:
    """The attendance section alone (htmx swaps it in place), or the whole meeting page."""
    if not _is_htmx(request):
        return _meeting_page(request, plan, status=status, **attendance)
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    context = _attendance_context(request, plan, meeting, **attendance)
    # htmx swaps only successful responses: a refusal is shown inside the section.
    return render(request, "plans/partials/attendance.html", context)


def _done(request: HttpRequest, plan: VillagePlan, flash: str, *, focus: str | int) -> HttpResponse:
    if _is_htmx(request):
        return _attendance_response(request, plan, flash=flash, focus=focus)
    messages.success(request, flash)
    return redirect(reverse("plans:meeting", args=[plan.uid]) + "#attendance")


def _require_may_edit(request: HttpRequest, plan: VillagePlan) -> dict[str, Any]:
    """The tab's context; a user who may not edit the plan at all gets a 404."""
    context = plan_context(request, plan, "meeting")
    refuse_hidden(context)
    return context


@login_required
def meeting_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    if request.method != "POST":
        return _meeting_page(request, plan)
    _require_may_edit(request, plan)
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    form = MeetingForm(request.POST, instance=meeting)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            meeting_save(
                actor=request.user,
                plan=plan,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            for_the_middleware(exc)
            form.add_service_error(exc)
        else:
            messages.success(request, _("The village meeting is recorded."))
            return redirect("plans:meeting", uid=plan.uid)
    focus_first_error(form)
    return _meeting_page(request, plan, form=form, status=400)


@login_required
def attendance_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """The attendance section as it is (the "cancel" of an in-place edit)."""
    plan = plan_or_404(request, uid)
    if not _is_htmx(request):
        return redirect(reverse("plans:meeting", args=[plan.uid]) + "#attendance")
    row = request.GET.get("row", "")
    return _attendance_response(request, plan, focus=int(row) if row.isdigit() else None)


@login_required
@require_POST
def attendee_create_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    _require_may_edit(request, plan)
    form = AttendeeForm(request.POST, prefix=ADD_PREFIX)
    if form.is_valid():
        try:
            person = attendee_add(actor=request.user, plan=plan, data=form.service_data())
        except ApplicationError as exc:
            for_the_middleware(exc)
            if exc.code in (PLAN_LOCKED, "meeting_missing", "commune_plan_frozen"):
                return _attendance_response(request, plan, status=400, error=exc.message)
            form.add_service_error(exc)
        else:
            return _done(
                request,
                plan,
                _("%(name)s is added to the attendance list.") % {"name": person.full_name},
                focus="add",
            )
    return _attendance_response(request, plan, status=400, attendee_form=form)


def _attendee_or_404(plan: VillagePlan, pk: int) -> Attendee:
    person = (
        Attendee.objects.filter(meeting__plan=plan, pk=pk)
        .select_related("meeting__plan__village", "meeting__plan__round")
        .first()
    )
    if person is None:
        raise Http404
    return person


@login_required
def attendee_edit_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    person = _attendee_or_404(plan, pk)
    reason = _require_may_edit(request, plan)["edit_refusal"]
    if reason is not None:  # locked or frozen: said in the section
        return _attendance_response(request, plan, status=400, error=reason.message)
    if request.method != "POST":
        return _attendance_response(request, plan, editing=person.pk)
    form = AttendeeForm(request.POST, prefix=EDIT_PREFIX)
    status = 400
    if form.is_valid():
        try:
            attendee_update(
                actor=request.user,
                attendee=person,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            for_the_middleware(exc)
            if exc.code in (PLAN_LOCKED, "attendee_gone", "commune_plan_frozen"):
                return _attendance_response(request, plan, status=400, error=exc.message)
            if exc.code == "conflict":
                status = 409
            form.add_service_error(exc)
        else:
            return _done(
                request,
                plan,
                _("The row of %(name)s is saved.") % {"name": person.full_name},
                focus=person.pk,
            )
    return _attendance_response(request, plan, status=status, editing=person.pk, edit_form=form)


@login_required
@require_POST
def attendee_delete_view(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    plan = plan_or_404(request, uid)
    person = _attendee_or_404(plan, pk)
    _require_may_edit(request, plan)
    try:
        attendee_delete(actor=request.user, attendee=person)
    except ApplicationError as exc:  # shown in the attendance section, as the others
        for_the_middleware(exc)
        return _attendance_response(request, plan, status=400, error=exc.message)
    return _done(
        request,
        plan,
        _("%(name)s is removed from the attendance list.") % {"name": person.full_name},
        focus="list",
    )


urlpatterns = [
    path("plans/<uuid:uid>/meeting/", meeting_view, name="meeting"),
    path("plans/<uuid:uid>/meeting/attendees/", attendance_view, name="attendance"),
    path("plans/<uuid:uid>/meeting/attendees/new/", attendee_create_view, name="attendee_create"),
    path(
        "plans/<uuid:uid>/meeting/attendees/<int:pk>/edit/",
        attendee_edit_view,
        name="attendee_edit",
    ),
    path(
        "plans/<uuid:uid>/meeting/attendees/<int:pk>/delete/",
        attendee_delete_view,
        name="attendee_delete",
    ),
]
