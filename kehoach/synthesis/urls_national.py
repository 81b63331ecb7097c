"""The national roll-up's pages (``/national/``), included once by ``synthesis.urls``."""

from django.urls import path

from .views import national

urlpatterns = [
    path("", national.national_latest, name="national_latest"),
    path("<int:year>/", national.national_view, name="national"),
    path("<int:year>/<str:code>/", national.national_view, name="national_province"),
]
