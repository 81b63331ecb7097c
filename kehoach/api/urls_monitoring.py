"""The API's addresses of following the works (issue 17): progress reports and photos,
community supervision boards, evaluation. Included by ``urls.py``."""

from django.urls import URLPattern, path

from kehoach.api.views import (
    evaluation,
    evaluation_batch,
    progress,
    supervision,
    supervision_members,
    supervision_visits,
)

urlpatterns: list[URLPattern] = []

# --- progress reports and photos ---
urlpatterns += [
    path(
        "commune-plans/<str:uid>/lines/<str:line_uid>/progress-reports/",
        progress.ProgressReportList.as_view(),
        name="commune-plan-line-progress-reports",
    ),
    path(
        "commune-plans/<str:uid>/lines/<str:line_uid>/progress-reports/<str:report_uid>/photos/",
        progress.ProgressPhotoCreate.as_view(),
        name="commune-plan-line-progress-report-photos",
    ),
    path("photos/<str:uid>/", progress.PhotoDetail.as_view(), name="photo"),
]

# --- the plan's boards (read), one work's board, members, visits (F17) ---
_BOARD = "commune-plans/<str:uid>/lines/<str:line_uid>/supervision-board/"
urlpatterns += [
    path(
        "commune-plans/<str:uid>/supervision/",
        supervision.SupervisionView.as_view(),
        name="commune-plan-supervision",
    ),
    path(_BOARD, supervision.BoardDetail.as_view(), name="supervision-board"),
    path(
        _BOARD + "actions/dissolve/",
        supervision.BoardDissolve.as_view(),
        name="supervision-board-dissolve",
    ),
    path(_BOARD + "members/", supervision_members.MemberList.as_view(), name="supervision-members"),
    path(
        _BOARD + "members/<str:member_uid>/",
        supervision_members.MemberDetail.as_view(),
        name="supervision-member",
    ),
    path(
        _BOARD + "members/<str:member_uid>/leave/",
        supervision_members.MemberLeave.as_view(),
        name="supervision-member-leave",
    ),
    path(_BOARD + "visits/", supervision_visits.VisitList.as_view(), name="supervision-visits"),
    path(
        _BOARD + "visits/<str:visit_uid>/",
        supervision_visits.VisitDetail.as_view(),
        name="supervision-visit",
    ),
    path(
        _BOARD + "visits/<str:visit_uid>/follow-up-done/",
        supervision_visits.FollowUpDone.as_view(),
        name="supervision-visit-follow-up-done",
    ),
]

# --- the year's evaluation, works' evaluations, targets achieved (F15-F16) ---
urlpatterns += [
    path(
        "commune-plans/<str:uid>/evaluation/",
        evaluation.EvaluationView.as_view(),
        name="commune-plan-evaluation",
    ),
    path(
        "commune-plans/<str:uid>/evaluation/works/",
        evaluation_batch.LineEvaluationBatch.as_view(),
        name="commune-plan-evaluation-works",
    ),
    path(
        "commune-plans/<str:uid>/evaluation/targets/",
        evaluation.TargetAchievementsView.as_view(),
        name="commune-plan-evaluation-targets",
    ),
    path(
        "commune-plans/<str:uid>/lines/<str:line_uid>/evaluation/",
        evaluation.LineEvaluationView.as_view(),
        name="commune-plan-line-evaluation",
    ),
]
