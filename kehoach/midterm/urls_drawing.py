from django.urls import URLPattern, path

from .views.drawing import draw_view
from .views.progress import commune_progress_view, village_progress_view

urlpatterns: list[URLPattern] = [
    path("five-year/draw/<uuid:uid>/", draw_view, name="draw"),
    path("five-year/progress/commune/<uuid:uid>/", commune_progress_view, name="progress_commune"),
    path("five-year/progress/village/<uuid:uid>/", village_progress_view, name="progress_village"),
]
