"""Public addresses: official unit codes, plan years and version numbers, uids of works and
photos (never primary keys). Paths are Vietnamese: cong-khai (public), tinh (province), xa
(commune), thon (village), cong-trinh (work), anh (photo), du-lieu (data)."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("cong-khai/", views.home, name="home"),
    path("cong-khai/tinh/<str:code>/", views.province, name="province"),
    path("cong-khai/xa/<str:code>/", views.commune, name="commune"),
    path("cong-khai/xa/<str:code>/<int:year>/", views.plan, name="plan"),
    path("cong-khai/xa/<str:code>/<int:year>/v<int:number>/", views.plan, name="plan_version"),
    path("cong-khai/xa/<str:code>/5-nam/<int:first_year>/", views.five_year, name="five_year"),
    path(
        "cong-khai/xa/<str:code>/5-nam/<int:first_year>/v<int:number>/",
        views.five_year,
        name="five_year_version",
    ),
    path(
        "cong-khai/xa/<str:code>/<int:year>/thon/<str:village>/",
        views.feedback,
        name="feedback",
    ),
    path("cong-khai/xa/<str:code>/<int:year>/cong-trinh/<uuid:line>/", views.work, name="work"),
    path("cong-khai/anh/<uuid:uid>/", views.photo, name="photo"),
    path("cong-khai/anh/<uuid:uid>/nho/", views.thumbnail, name="thumbnail"),
    path("cong-khai/du-lieu/", views.dictionary, name="dictionary"),
    path(
        "cong-khai/du-lieu/<str:code>/<int:year>/<slug:dataset>.<slug:fmt>",
        views.open_data,
        name="open_data",
    ),
    path(
        "cong-khai/du-lieu/<str:code>/<int:year>/<slug:fingerprint>/<slug:dataset>.<slug:fmt>",
        views.open_data_fixed,
        name="open_data_fixed",
    ),
]
