from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("<str:code>/", views.unit_detail, name="unit"),
    path("<str:code>/villages/new/", views.village_create_view, name="village_create"),
    path("<str:code>/villages/merge/", views.villages_merge_view, name="villages_merge"),
    path("<str:code>/villages/import/", views.villages_import_view, name="villages_import"),
    path("<str:code>/rename/", views.village_rename_view, name="village_rename"),
    path("<str:code>/end/", views.village_end_view, name="village_end"),
    path("<str:code>/restore/", views.village_restore_view, name="village_restore"),
    path("<str:code>/merge/undo/", views.villages_merge_undo_view, name="villages_merge_undo"),
]
