"""The documents' downloads (no namespace of their own: included in ``exchange``'s URLs, so
their names are ``exchange:commune_document`` …)."""

from django.urls import path

from . import views_documents as views

urlpatterns = [
    path(
        "cdp/<uuid:uid>/documents/ke-hoach.<str:fmt>",
        views.commune_document,
        name="commune_document",
    ),
    path(
        "cdp/<uuid:uid>/documents/phan-hoi-cac-thon.pdf",
        views.commune_feedback_sheets,
        name="commune_feedback_sheets",
    ),
    path(
        "plans/<uuid:uid>/documents/phan-hoi.pdf",
        views.village_feedback_sheet,
        name="village_feedback_sheet",
    ),
    path(
        "plans/<uuid:uid>/documents/ap-phich.pdf",
        views.village_poster,
        name="village_poster",
    ),
    path(
        "plans/<uuid:uid>/documents/phu-luc-pra.<str:fmt>",
        views.village_pra_annex,
        name="village_pra_annex",
    ),
    path(
        "five-year/commune/<uuid:uid>/documents/ke-hoach-5-nam.<str:fmt>",
        views.five_year_document,
        name="five_year_document",
    ),
]
