"""REST API v1 (issue 17): ``/api/v1/``. Every endpoint reads through the selectors and writes
through the services the pages use; the schema is committed at docs/api/openapi.yaml."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
