from django.urls import include, path

app_name = "midterm"

urlpatterns = [
    path("", include("kehoach.midterm.urls_plans")),
    path("", include("kehoach.midterm.urls_drawing")),
    path("", include("kehoach.midterm.urls_commune")),
]
