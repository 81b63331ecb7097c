from django.urls import path

from .views import findings, info, meeting, plan, pra, ranking, rounds, steps

app_name = "plans"

urlpatterns = [
    path("communes/<str:code>/rounds/new/", rounds.round_create_view, name="round_create"),
    path("rounds/<uuid:uid>/", rounds.round_detail, name="round"),
    path("plans/<uuid:uid>/", plan.plan_detail, name="plan"),
    path("plans/<uuid:uid>/lines/new/", plan.line_create_view, name="line_create"),
    path("plans/<uuid:uid>/lines/<uuid:line_uid>/", plan.line_row, name="line_row"),
    path("plans/<uuid:uid>/lines/<uuid:line_uid>/edit/", plan.line_edit_view, name="line_edit"),
    path(
        "plans/<uuid:uid>/lines/<uuid:line_uid>/delete/", plan.line_delete_view, name="line_delete"
    ),
    path(
        "plans/<uuid:uid>/lines/<uuid:line_uid>/restore/",
        plan.line_restore_view,
        name="line_restore",
    ),
    path("plans/<uuid:uid>/do/<str:action>/", steps.transition_view, name="transition"),
    path("plans/<uuid:uid>/accept-meeting/", steps.accept_meeting_view, name="accept_meeting"),
    path("plans/<uuid:uid>/history/", steps.history_view, name="history"),
    path("plans/<uuid:uid>/carry-over/", steps.carry_over_view, name="carry_over"),
    *info.urlpatterns,
    *findings.urlpatterns,
    *pra.urlpatterns,
    *ranking.urlpatterns,
    *meeting.urlpatterns,
]
