from django.urls import path

from .views import dashboards, evaluation, photos, progress, supervision

app_name = "monitoring"

urlpatterns = [
    path("cdp/<uuid:uid>/works/", progress.works_view, name="works"),
    path("cdp/<uuid:uid>/works/<uuid:line_uid>/", progress.work_view, name="work"),
    path(
        "cdp/<uuid:uid>/works/<uuid:line_uid>/report/",
        progress.report_create_view,
        name="report_create",
    ),
    *photos.urlpatterns,
    *supervision.urlpatterns,
    *evaluation.urlpatterns,
    *dashboards.urlpatterns,
]
