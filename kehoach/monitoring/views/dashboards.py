"""Commune and province dashboards of implementation (issue 7, item 6): the HTML formatter of
``dashboards.ImplementationReport``, with its charts (``charts.py``) each followed by the table
of its numbers, and the links that the commune's and the province's pages show.

Who sees what: a commune plan's dashboard, whoever can see the plan (another commune's user
gets 404); a province's (or former district's), whoever holds ``Action.VIEW_ROLLUP`` on it —
province and district officers and donors — as for the roll-up (F18).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, can_see, has_permission
from kehoach.core.numbers import percent
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.views.common import ancestors_of

from ..charts import Chart, Row, number_text
from ..choices import ProgressStatus
from ..dashboards import (
    Dashboard,
    Figures,
    ImplementationReport,
    SourceRow,
    published,
    years_followed,
)
from .common import monitoring_context, plan_or_404


def _pct(value: Any) -> str:
    return number_text(value, 1, "%")


def _money_chart(
    chart_id: str,
    title: str,
    header: str,
    rows: list[tuple[str, Figures | SourceRow]],
    total: Figures,
) -> Chart:
    return Chart(
        id=chart_id,
        title=title,
        description=_(
            "For each row, a dark bar for the support approved and a white bar for the money "
            "disbursed to date, in million VND; the table below gives the same figures."
        ),
        label_header=header,
        series=[_("Approved support"), _("Disbursed")],
        extra_headers=[_("Disbursed (%)")],
        rows=[Row(label, [r.approved, r.disbursed], [_pct(r.disbursed_pct)]) for label, r in rows],
        total=Row(_("Total"), [total.approved, total.disbursed], [_pct(total.disbursed_pct)]),
    )


def _physical_chart(
    chart_id: str,
    title: str,
    description: str,
    header: str,
    rows: list[tuple[str, Figures]],
    total: Figures,
    *,
    total_label: str = "",
    counting: str = "",
    note: str = "",
) -> Chart:
    """Average % done per row (a bar out of 100%), with the works by status and the delayed
    ones in the table."""

    def cells(f: Figures) -> list[str]:
        return [str(f.works), *(str(n) for n in f.statuses), str(f.delayed)]

    return Chart(
        id=chart_id,
        title=title,
        description=description,
        label_header=header,
        series=[_("Average done (%)")],
        suffix="%",
        scale_max=100,
        extra_headers=[
            _("Works"),
            *(str(label) for label in ProgressStatus.labels),
            _("Delayed"),
        ],
        rows=[Row(label, [f.average_percent or 0], cells(f)) for label, f in rows],
        total=Row(total_label or _("Total"), [total.average_percent or 0], cells(total)),
        counting=counting,
        note=note,
    )


def dashboard_charts(dashboard: Dashboard) -> dict[str, Chart]:
    """The charts of a dashboard, with the tables of their numbers."""
    total = dashboard.total
    statuses = [str(label) for label in ProgressStatus.labels]
    status = Chart(
        id="chart-status",
        title=_("Works by status"),
        description=_(
            "One bar per status with the number of works in it, from each work's latest "
            "report; a work without a report is not started."
        ),
        label_header=_("Status"),
        series=[_("Works")],
        decimals=0,
        extra_headers=[_("Share of the works")],
        rows=[
            Row(label, [n], [_pct(percent(n, total.works))])
            for label, n in zip(statuses, total.statuses, strict=True)
        ],
        total=Row(_("Total"), [total.works], [_pct(100 if total.works else None)]),
    )
    physical = _physical_chart(
        "chart-sector-progress",
        _("Average done by sector (%)"),
        _(
            "One bar per sector with the average share of the approved quantity done, out of "
            "100%; the table below also counts the works by status."
        ),
        _("Sector"),
        [(sector.name, f) for sector, f in dashboard.sectors],
        total,
    )
    physical_sources = _physical_chart(
        "chart-source-progress",
        _("Average done by source (%)"),
        _(
            "One bar per funding source with the average share of the approved quantity done "
            "in the works it funds, out of 100%; the table below also counts those works by "
            "status."
        ),
        _("Source"),
        [(f"{r.source.code} — {r.source.name}", r.physical) for r in dashboard.sources],
        total,
        total_label=_("All works"),
        counting=_("each work under every source that funds it"),
        note=_(
            "A work funded by several sources counts under each of them, whatever its share "
            "of the money, so the rows can add up to more than all the works; a work without "
            "approved support (all from the community) is under no source."
        ),
    )
    physical_programmes = _physical_chart(
        "chart-programme-progress",
        _("Average done by programme (%)"),
        _(
            "One bar per programme with the average share of the approved quantity done in "
            "the works it funds, out of 100%; the table below also counts those works by "
            "status."
        ),
        _("Programme"),
        [(f"{r.source.code} — {r.source.name}", r.physical) for r in dashboard.programmes],
        total,
        total_label=_("All works"),
        counting=_("each work under every programme that funds it"),
        note=_(
            "A work funded by several programmes counts under each of them, whatever its "
            "share of the money, and once under a programme that funds it through several "
            "components, so the rows can add up to more than all the works; a work without "
            "approved support (all from the community) is under no programme."
        ),
    )
    sources = _money_chart(
        "chart-source",
        _("Approved support and disbursed, by source (million VND)"),
        _("Source"),
        [(f"{r.source.code} — {r.source.name}", r) for r in dashboard.sources],
        total,
    )
    programmes = _money_chart(
        "chart-programme",
        _("Approved support and disbursed, by programme (million VND)"),
        _("Programme"),
        [(f"{r.source.code} — {r.source.name}", r) for r in dashboard.programmes],
        total,
    )
    sectors = _money_chart(
        "chart-sector-money",
        _("Approved support and disbursed, by sector (million VND)"),
        _("Sector"),
        [(sector.name, f) for sector, f in dashboard.sectors],
        total,
    )
    promised, given = total.promised, total.given
    contribution = Chart(
        id="chart-contribution",
        title=_("Community contribution promised and given (million VND)"),
        description=_(
            "For cash, labour and materials, a dark bar for what the community promised and a "
            "white bar for what it has given to date, in million VND."
        ),
        label_header=_("Contribution"),
        series=[_("Promised"), _("Given")],
        extra_headers=[_("Given (%)")],
        rows=[
            Row(label, [p, g], [_pct(percent(g, p))])
            for label, p, g in (
                (_("Cash"), promised.cash, given.cash),
                (_("Labour (value)"), promised.labour, given.labour),
                (_("Materials"), promised.materials, given.materials),
            )
        ],
        total=Row(_("Total"), [promised.total, given.total], [_pct(total.given_pct)]),
    )
    return {
        "status": status,
        "physical": physical,
        "physical_sources": physical_sources,
        "physical_programmes": physical_programmes,
        "sources": sources,
        "programmes": programmes,
        "sectors": sectors,
        "contribution": contribution,
    }


@login_required
def commune_dashboard_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = monitoring_context(request, plan, "dashboard")
    if context["followed"]:
        dashboard = ImplementationReport.for_plan(plan)
        context.update({"dashboard": dashboard, "charts": dashboard_charts(dashboard)})
    return render(request, "monitoring/dashboard.html", context)


def _rollup_unit(request: HttpRequest, code: str) -> AdministrativeUnit:
    """A province or former district the user may see the roll-up of (404 otherwise)."""
    unit = unit_get_for_user(user=request.user, code=code)  # NotFoundError: 404
    if unit.level not in (Level.PROVINCE, Level.DISTRICT) or not has_permission(
        request.user, Action.VIEW_ROLLUP, unit
    ):
        raise Http404
    return unit


@login_required
def province_dashboard_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = _rollup_unit(request, code)
    dashboard = ImplementationReport.for_unit(unit, year)
    context = {
        "unit": unit,
        "ancestors": ancestors_of(request, unit),
        "year": year,
        "years": years_followed(unit),
        "dashboard": dashboard,
        "charts": dashboard_charts(dashboard),
    }
    return render(request, "monitoring/dashboard_province.html", context)


urlpatterns: list[URLPattern] = [
    path("cdp/<uuid:uid>/dashboard/", commune_dashboard_view, name="dashboard"),
    path(
        "units/<str:code>/implementation/<int:year>/",
        province_dashboard_view,
        name="province_dashboard",
    ),
]


def province_dashboard_panel(
    request: HttpRequest, unit: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """On a province's (or former district's) page: the dashboard of each plan year that has
    followed commune plans, for those who may see its roll-up."""
    if not has_permission(request.user, Action.VIEW_ROLLUP, unit):
        return None
    years = years_followed(unit)
    if not years:
        return None
    links = [
        (year, reverse("monitoring:province_dashboard", args=[unit.code, year])) for year in years
    ]
    return ("monitoring/partials/dashboard_province_panel.html", {"unit": unit, "links": links})


def commune_dashboard_panel(
    request: HttpRequest, commune: AdministrativeUnit
) -> tuple[str, dict[str, Any]] | None:
    """On a commune's page: the dashboard of each of its followed commune plans."""
    if not can_see(request.user, commune):
        return None
    plans = list(
        CommunePlan.objects.filter(round__commune=commune)
        .filter(published("uid"))
        .select_related("round")
        .order_by("-round__plan_year")
    )
    if not plans:
        return None
    return (
        "monitoring/partials/dashboard_commune_panel.html",
        {"commune": commune, "plans": plans},
    )
