"""REST API v1 (issue 17): ``/api/v1/``. Every endpoint reads through the selectors and writes
through the services the pages use; the schema is committed at docs/api/openapi.yaml."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from kehoach.api.views import catalog, commune_plans, docs, proposal_lines, units, village_plans
from kehoach.api.views.me import MeView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.swagger, name="docs"),
    path("docs/redoc/", docs.redoc, name="redoc"),
    path("me/", MeView.as_view(), name="me"),
    # --- reads (h17-reads) ---
    path("units/", units.UnitList.as_view(), name="units"),
    path("units/<str:code>/", units.UnitDetail.as_view(), name="unit"),
    path("catalog/sectors/", catalog.SectorList.as_view(), name="catalog-sectors"),
    path("catalog/sources/", catalog.FundingSourceList.as_view(), name="catalog-sources"),
    path("catalog/units/", catalog.UnitOfMeasureList.as_view(), name="catalog-units"),
    path("village-plans/", village_plans.VillagePlanList.as_view(), name="village-plans"),
    path(
        "village-plans/<str:uid>/",
        village_plans.VillagePlanDetail.as_view(),
        name="village-plan",
    ),
    path(
        "village-plans/<str:uid>/lines/",
        proposal_lines.ProposalLineList.as_view(),
        name="village-plan-lines",
    ),
    path(
        "village-plans/<str:uid>/lines/batch/",
        proposal_lines.ProposalLineBatch.as_view(),
        name="village-plan-lines-batch",
    ),
    path(
        "village-plans/<str:uid>/lines/<str:line_uid>/",
        proposal_lines.ProposalLineDetail.as_view(),
        name="village-plan-line",
    ),
    path("commune-plans/", commune_plans.CommunePlanList.as_view(), name="commune-plans"),
    path(
        "commune-plans/<str:uid>/",
        commune_plans.CommunePlanDetail.as_view(),
        name="commune-plan",
    ),
    path(
        "commune-plans/<str:uid>/lines/",
        commune_plans.CommuneLineList.as_view(),
        name="commune-plan-lines",
    ),
]
