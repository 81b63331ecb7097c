"""A work's page: its progress history, the progress report form, and the sections of photos,
supervision and evaluation. The endpoints that post from the page (a report, a photo, a
board's record) show it again through ``work_page`` when they refuse a form; the sections do
not import it back (no import cycle between the views)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehoach.synthesis.models import CommuneLine, CommunePlan

from ..forms import ReportForm
from ..selectors import is_delayed
from ..services.progress import funding_of, percent_done, progress_history
from . import evaluation, photo_section, supervision_section
from .common import monitoring_context

TEMPLATE = "monitoring/work.html"


def work_context(
    request: HttpRequest, plan: CommunePlan, line: CommuneLine, photo_form: Any = None
) -> dict[str, Any]:
    """The page's context; ``photo_form`` is a refused upload shown again with its errors."""
    context = monitoring_context(request, plan, "works")
    history = list(progress_history(line))
    latest = next((r for r in history if r.is_latest), None)
    context.update(
        {
            "line": line,
            "history": history,
            "latest": latest,
            "percent": percent_done(line, latest),
            "delayed": is_delayed(line, latest),
            "funding": funding_of(line),
            "sections": [
                section
                for section in (
                    photo_section.work_section(request, line, form=photo_form),
                    supervision_section.work_section(request, line),
                    evaluation.work_section(request, line),
                )
                if section is not None
            ],
        }
    )
    return context


def work_page(
    request: HttpRequest,
    plan: CommunePlan,
    line: CommuneLine,
    *,
    status: int = 200,
    report_form: ReportForm | None = None,
    photo_form: Any = None,
) -> HttpResponse:
    """The work's page, with the report form (empty unless a refused one is given) for those
    who may report."""
    context = work_context(request, plan, line, photo_form=photo_form)
    if report_form is not None:
        context["form"] = report_form
    elif context["may_report"]:
        context["form"] = ReportForm(funding=context["funding"])
    return render(request, TEMPLATE, context, status=status)
