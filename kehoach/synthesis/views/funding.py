"""Allocation (both procedures side by side), the financial plan (F12) and targets (F16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.numbers import format_number_vi

from ..choices import AllocationMode, DecisionOrigin
from ..models import AllocationRun
from ..reports import financial_plan
from ..selectors import envelope_use, lines_with_sources, runs_to_compare, targets_table
from ..services.common import envelope_for
from ..services.funding import allocation_apply, allocation_run
from ..services.targets import VALUE_FIELDS, targets_save
from .common import plan_context, plan_or_404, service_action


def _comparison(plan: Any, runs: dict[str, AllocationRun | None]) -> list[dict[str, Any]]:
    """One row per line of the plan with each run's result beside it."""
    lines = lines_with_sources(plan)
    results: dict[str, dict[int, Any]] = {}
    for mode, run in runs.items():
        results[mode] = {}
        if run is None:
            continue
        for stored in run.results.all():
            results[mode][stored.line_id] = stored
    envelope = {str(row["line"].uid): row["line"] for row in envelope_use(envelope_for(plan.round))}
    rows = []
    for line in lines:
        row: dict[str, Any] = {
            "line": line,
            "manual": line.decision_origin == DecisionOrigin.MANUAL,
        }
        for mode in AllocationMode.values:
            result = results.get(mode, {}).get(line.pk)
            if result is not None:
                result.sources = [
                    (envelope.get(key), Decimal(amount)) for key, amount in result.draws.items()
                ]
            row[mode] = result
        greedy, optimal = row.get(AllocationMode.GREEDY), row.get(AllocationMode.OPTIMAL)
        row["differs"] = bool(greedy and optimal and greedy.funded != optimal.funded)
        rows.append(row)
    return rows


@login_required
def allocation_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "allocation")
    runs = runs_to_compare(plan)
    context["runs"] = runs
    context["greedy"] = runs.get(AllocationMode.GREEDY)
    context["optimal"] = runs.get(AllocationMode.OPTIMAL)
    context["rows"] = _comparison(plan, runs)
    context["stale"] = any(
        r is not None and r.data_version != plan.data_version for r in runs.values()
    )
    return render(request, "synthesis/allocation.html", context)


@login_required
@service_action
def allocation_run_view(request: HttpRequest, uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    runs = allocation_run(actor=request.user, plan=plan)
    applied = next(r for r in runs.values() if r.applied_at is not None)
    greedy, optimal = runs[AllocationMode.GREEDY], runs[AllocationMode.OPTIMAL]
    return (
        _(
            "Allocation done. By priority and score: %(g)s lines funded; optimised: %(o)s lines "
            "funded. Applied: %(applied)s."
        )
        % {
            "g": greedy.funded_count,
            "o": optimal.funded_count,
            "applied": applied.get_mode_display(),
        },
        reverse("synthesis:allocation", args=[plan.uid]),
    )


@login_required
@service_action
def allocation_apply_view(request: HttpRequest, uid: Any, run_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    run = AllocationRun.objects.filter(plan=plan, uid=run_uid).first()
    if run is None:
        raise NotFoundError()
    allocation_apply(actor=request.user, run=run)
    return (
        _("Applied: %(mode)s.") % {"mode": run.get_mode_display()},
        reverse("synthesis:allocation", args=[plan.uid]),
    )


@login_required
def finance_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "finance")
    context["report"] = financial_plan(plan)
    return render(request, "synthesis/finance.html", context)


@login_required
def targets_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "targets")
    errors: dict[str, str] = {}
    posted: dict[str, dict[str, Any]] = {}
    if request.method == "POST":
        if not context["can_edit"]:
            raise Http404
        for key, value in request.POST.items():
            code, sep, name = key.partition("__")
            if sep and (name in VALUE_FIELDS or name == "notes"):
                posted.setdefault(code, {})[name] = value
        try:
            changed = targets_save(actor=request.user, plan=plan, rows=posted)
        except NotFoundError:
            raise  # a 404, from the middleware
        except ApplicationError as exc:
            for item in getattr(exc, "errors", None) or [exc]:
                errors[item.where.field or ""] = item.message
        else:
            messages.success(request, _("%(count)s targets saved.") % {"count": changed})
            return redirect("synthesis:targets", uid=plan.uid)
    year = plan.round.plan_year
    context["years"] = {"previous": year - 2, "current": year - 1, "next": year}
    columns = {
        "actual_previous": _("Actual %(year)s") % {"year": year - 2},
        "plan_current": _("Plan %(year)s") % {"year": year - 1},
        "estimate_current": _("Estimate %(year)s") % {"year": year - 1},
        "plan_next": _("Plan %(year)s") % {"year": year},
    }
    rows = targets_table(plan)
    for row in rows:
        row.inputs = [  # type: ignore[attr-defined]
            {
                "name": f"{row.indicator.code}__{name}",
                "value": posted.get(row.indicator.code, {}).get(name, _shown(row.get(name))),
                "error": errors.get(f"{row.indicator.code}__{name}"),
                "label": f"{row.indicator.name}: {columns[name]}",
            }
            for name in VALUE_FIELDS
        ]
        row.notes_value = posted.get(row.indicator.code, {}).get(  # type: ignore[attr-defined]
            "notes", row.value.notes if row.value else ""
        )
    context["rows"] = rows
    context["errors"] = list(errors.values())
    return render(request, "synthesis/targets.html", context, status=400 if errors else 200)


def _shown(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format_number_vi(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text
