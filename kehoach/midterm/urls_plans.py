from django.urls import path

from .views import periods, plan

P = "five-year/plans/<uuid:uid>/"
L = P + "lines/<uuid:line_uid>/"

urlpatterns = [
    path("five-year/communes/<str:code>/new/", periods.period_create_view, name="period_create"),
    path("five-year/<uuid:uid>/", periods.period_detail, name="period"),
    path(P, plan.plan_detail, name="plan"),
    path(P + "lines/new/", plan.line_create_view, name="line_create"),
    path(L + "edit/", plan.line_edit_view, name="line_edit"),
    path(L + "delete/", plan.line_delete_view, name="line_delete"),
    path(L + "restore/", plan.line_restore_view, name="line_restore"),
    path(L + "years/<int:year>/status/", plan.year_status_view, name="year_status"),
    path(P + "meeting/", plan.meeting_view, name="meeting"),
    path(P + "do/<str:action>/", plan.transition_view, name="transition"),
    path(P + "history/", plan.history_view, name="history"),
]
