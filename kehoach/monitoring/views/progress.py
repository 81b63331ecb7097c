"""The implementation tab of a commune plan: its works with their latest progress, a work's
page (``work.py``: progress history, photos, supervision, evaluation) and the progress report
form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError

from ..forms import ReportForm
from ..selectors import works_with_progress
from ..services.progress import progress_report_create
from .common import monitoring_context, plan_or_404, work_or_404
from .work import TEMPLATE, work_context, work_page


@login_required
def works_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = monitoring_context(request, plan, "works")
    works = works_with_progress(plan)
    context["works"] = works
    context["delayed_count"] = sum(1 for w in works if w.delayed)
    return render(request, "monitoring/works.html", context)


@login_required
def work_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return work_page(request, plan, work_or_404(plan, line_uid))


@login_required
def report_create_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan = plan_or_404(request, uid)
    line = work_or_404(plan, line_uid)
    context = work_context(request, plan, line)
    if not context["may_report"]:
        raise Http404
    form = ReportForm(request.POST, funding=context["funding"])
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("disbursed_")}
        try:
            progress_report_create(
                actor=request.user, line=line, data=data, disbursed=form.disbursed()
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The progress report was saved."))
            return redirect("monitoring:work", uid=plan.uid, line_uid=line.uid)
    context["form"] = form
    return render(request, TEMPLATE, context, status=400)
