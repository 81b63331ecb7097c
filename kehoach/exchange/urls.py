from django.urls import include, path

from . import views, views_mapping
from .forms.f7 import views as f7_views

app_name = "exchange"

urlpatterns = [
    path(
        "plans/<uuid:uid>/workbooks/<str:form>.xlsx",
        views.village_download,
        name="village_download",
    ),
    path(
        "plans/<uuid:uid>/workbooks/<str:form>/upload/", views.village_upload, name="village_upload"
    ),
    path("five-year/<uuid:uid>/workbooks/F7.xlsx", f7_views.midterm_download, name="f7_download"),
    path("five-year/<uuid:uid>/workbooks/F7/upload/", f7_views.midterm_upload, name="f7_upload"),
    path("cdp/<uuid:uid>/workbooks/", views.commune_workbooks, name="commune"),
    path(
        "cdp/<uuid:uid>/workbooks/<str:form>.xlsx", views.commune_download, name="commune_download"
    ),
    path(
        "cdp/<uuid:uid>/workbooks/<str:form>/upload/", views.commune_upload, name="commune_upload"
    ),
    path(
        "units/<str:code>/proposals-<int:year>.xlsx",
        views.province_proposals,
        name="province_proposals",
    ),
    path("imports/<uuid:uid>/", views.import_view, name="import"),
    path("imports/<uuid:uid>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<uuid:uid>/cancel/", views.import_cancel_view, name="import_cancel"),
    path("imports/<uuid:uid>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/<uuid:uid>/columns/", views_mapping.import_columns, name="import_columns"),
    path("imports/<uuid:uid>/alias/", views_mapping.import_alias, name="import_alias"),
    path("", include("kehoach.exchange.urls_documents")),
]
