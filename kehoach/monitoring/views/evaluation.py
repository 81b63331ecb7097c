"""The evaluation of the year (F15, F16 achieved): the page of a commune plan (every work planned
against achieved, the evaluation of the year, the targets with their achieved values), the
evaluation section of a work's page and its form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.core.errors import ApplicationError
from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..forms_evaluation import LineEvaluationForm, PlanEvaluationForm, TargetsAchievedForm
from ..permissions import can_evaluate
from ..services.common import is_monitored
from ..services.evaluation import (
    EvaluationSummary,
    WorkRow,
    evaluation_summary,
    line_evaluation_save,
    plan_evaluation_save,
    target_achievements_save,
    work_row,
)
from .common import monitoring_context, plan_or_404, work_or_404


def _may_write(request: HttpRequest, plan: CommunePlan) -> bool:
    return can_evaluate(request.user, plan) is None


def _plan_form(summary: EvaluationSummary) -> PlanEvaluationForm:
    evaluation = summary.evaluation
    if evaluation is None:
        return PlanEvaluationForm(initial={"version": 0})
    return PlanEvaluationForm(
        initial={
            "evaluated_on": evaluation.evaluated_on,
            "results": evaluation.results,
            "shortcomings": evaluation.shortcomings,
            "lessons": evaluation.lessons,
            "version": evaluation.version,
        }
    )


def _page(
    request: HttpRequest,
    plan: CommunePlan,
    *,
    plan_form: PlanEvaluationForm | None = None,
    targets_form: TargetsAchievedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = monitoring_context(request, plan, "evaluation")
    summary = evaluation_summary(plan)
    can_evaluate = _may_write(request, plan)
    context.update(
        {
            "summary": summary,
            "totals": summary.totals,
            "can_evaluate": can_evaluate,
            "to_complete": sum(1 for row in summary.rows if row.missing),
        }
    )
    # a form sent back with its errors is shown even if the plan can no longer be evaluated,
    # so that the refusal is read
    context["plan_form"] = plan_form or (_plan_form(summary) if can_evaluate else None)
    context["targets_form"] = targets_form or (
        TargetsAchievedForm(rows=summary.targets) if can_evaluate else None
    )
    return render(request, "monitoring/evaluation.html", context, status=status)


@login_required
def evaluation_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """The evaluation of the year of a commune plan."""
    return _page(request, plan_or_404(request, uid))


@login_required
def plan_evaluation_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Save the evaluation of the year (posted from the evaluation page)."""
    if request.method != "POST":
        raise Http404
    plan = plan_or_404(request, uid)
    if not has_permission(request.user, Action.EVALUATE_PLAN, plan.round.commune):
        raise Http404
    form = PlanEvaluationForm(request.POST)
    if form.is_valid():
        try:
            plan_evaluation_save(
                actor=request.user,
                plan=plan,
                data=form.data_for_service(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The evaluation of the year was saved."))
            return redirect(reverse("monitoring:evaluation", args=[plan.uid]) + "#year")
    return _page(request, plan, plan_form=form, status=400)


@login_required
def targets_achieved_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """Save the values achieved of the plan's targets (posted from the evaluation page)."""
    if request.method != "POST":
        raise Http404
    plan = plan_or_404(request, uid)
    if not has_permission(request.user, Action.EVALUATE_PLAN, plan.round.commune):
        raise Http404
    summary = evaluation_summary(plan)
    form = TargetsAchievedForm(request.POST, rows=summary.targets)
    if form.is_valid():
        try:
            changed = target_achievements_save(
                actor=request.user, plan=plan, rows=form.data_for_service()
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(count)s achieved values saved.") % {"count": changed})
            return redirect(reverse("monitoring:evaluation", args=[plan.uid]) + "#targets")
    return _page(request, plan, targets_form=form, status=400)


def _line_form(row: WorkRow) -> LineEvaluationForm:
    evaluation = row.evaluation
    if evaluation is None:
        return LineEvaluationForm(initial={"version": 0})
    initial: dict[str, Any] = {
        name: getattr(evaluation, name) for name in LineEvaluationForm.base_fields
    }
    initial["version"] = evaluation.version
    return LineEvaluationForm(initial=initial)


def _may_evaluate_work(request: HttpRequest, line: CommuneLine) -> bool:
    return can_evaluate(request.user, line.plan) is None


def work_section(request: HttpRequest, line: CommuneLine) -> tuple[str, dict[str, Any]] | None:
    """The evaluation part of a work's page: planned against achieved, the evaluation and, for
    the commune planner, its form. Nothing for a line that is not a funded work."""
    if not is_monitored(line.plan):
        return None
    row = work_row(line)
    if row is None:
        return None
    section: dict[str, Any] = {"row": row, "evaluation": row.evaluation}
    if _may_evaluate_work(request, line):
        section["form"] = _line_form(row)
    return "monitoring/partials/evaluation_work.html", section


@login_required
def work_evaluation_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """The evaluation form of one work on its own page; saving returns to the work's page."""
    plan = plan_or_404(request, uid)
    line = work_or_404(plan, line_uid)
    row = work_row(line)
    if row is None or not _may_evaluate_work(request, line):
        raise Http404
    form = _line_form(row)
    status = 200
    if request.method == "POST":
        form = LineEvaluationForm(request.POST)
        if form.is_valid():
            try:
                line_evaluation_save(
                    actor=request.user,
                    line=line,
                    data=form.data_for_service(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The evaluation of the work was saved."))
                return redirect(
                    reverse("monitoring:work", args=[plan.uid, line.uid]) + "#evaluation"
                )
        status = 400
    context = monitoring_context(request, plan, "evaluation")
    context.update(
        {"line": line, "section": {"row": row, "evaluation": row.evaluation, "form": form}}
    )
    return render(request, "monitoring/evaluation_work.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("cdp/<uuid:uid>/evaluation/", evaluation_view, name="evaluation"),
    path("cdp/<uuid:uid>/evaluation/year/", plan_evaluation_view, name="evaluation_year"),
    path("cdp/<uuid:uid>/evaluation/targets/", targets_achieved_view, name="evaluation_targets"),
    path(
        "cdp/<uuid:uid>/works/<uuid:line_uid>/evaluation/",
        work_evaluation_view,
        name="work_evaluation",
    ),
]
