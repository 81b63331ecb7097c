"""The commune's five-year plan, under ``five-year/commune/`` (namespace ``midterm``): the
``uid`` is the five-year period's, except the feedback page's (a village's five-year plan)."""

from django.urls import URLPattern, path

from .views import commune as views

P = "five-year/commune/<uuid:uid>/"

urlpatterns: list[URLPattern] = [
    path("five-year/commune/unit/<str:code>/", views.commune_plans_view, name="commune_plans"),
    path(P, views.commune_plan_view, name="commune_plan"),
    path(P + "synthesise/", views.commune_synthesise_view, name="commune_synthesise"),
    path(P + "merge/", views.commune_merge_view, name="commune_merge"),
    path(P + "undo/", views.commune_undo_view, name="commune_undo"),
    path(P + "line/<uuid:line_uid>/split/", views.commune_split_view, name="commune_split"),
    path(P + "line/<uuid:line_uid>/decide/", views.commune_decide_view, name="commune_decide"),
    path(P + "frame/", views.commune_frame_line_view, name="commune_frame_add"),
    path(P + "frame/<uuid:frame_uid>/", views.commune_frame_line_view, name="commune_frame_line"),
    path(
        P + "frame/<uuid:frame_uid>/delete/",
        views.commune_frame_delete_view,
        name="commune_frame_delete",
    ),
    path(P + "step/<slug:action>/", views.commune_transition_view, name="commune_transition"),
    path(P + "approve/", views.commune_approve_view, name="commune_approve"),
    path(P + "history/", views.commune_history_view, name="commune_history"),
    path(
        "five-year/commune/feedback/<uuid:uid>/",
        views.commune_feedback_view,
        name="commune_feedback",
    ),
]
