from django.urls import include, path

from .views import approval, envelope, funding, plan, rollup, scoring

app_name = "synthesis"

urlpatterns = [
    path("rounds/<uuid:uid>/envelope/", envelope.envelope_view, name="envelope"),
    path(
        "rounds/<uuid:uid>/envelope/publish/",
        envelope.envelope_publish_view,
        name="envelope_publish",
    ),
    path(
        "rounds/<uuid:uid>/envelope/<uuid:line_uid>/",
        envelope.envelope_line_edit,
        name="envelope_line_edit",
    ),
    path(
        "rounds/<uuid:uid>/envelope/<uuid:line_uid>/delete/",
        envelope.envelope_line_delete_view,
        name="envelope_line_delete",
    ),
    path(
        "rounds/<uuid:uid>/envelope/<uuid:line_uid>/restore/",
        envelope.envelope_line_restore_view,
        name="envelope_line_restore",
    ),
    path("rounds/<uuid:uid>/commune-plan/", plan.plan_for_round, name="plan_for_round"),
    path("cdp/<uuid:uid>/", plan.plan_detail, name="plan"),
    path("cdp/<uuid:uid>/synthesise/", plan.synthesise_view, name="synthesise"),
    path("cdp/<uuid:uid>/merge/", plan.merge_view, name="merge"),
    path("cdp/<uuid:uid>/undo/<int:operation_id>/", plan.undo_view, name="undo"),
    path("cdp/<uuid:uid>/lines/new/", plan.own_line_create, name="own_line_create"),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/", plan.line_detail, name="line"),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/more/", plan.line_more_view, name="line_more"),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/edit/", plan.line_edit_view, name="line_edit"),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/own/", plan.own_line_edit, name="own_line_edit"),
    path(
        "cdp/<uuid:uid>/lines/<uuid:line_uid>/remove/",
        plan.own_line_remove,
        name="own_line_remove",
    ),
    path(
        "cdp/<uuid:uid>/lines/<uuid:line_uid>/restore/",
        plan.own_line_restore,
        name="own_line_restore",
    ),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/rank/", plan.line_rank_view, name="line_rank"),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/decide/", plan.line_decide_view, name="line_decide"),
    path(
        "cdp/<uuid:uid>/lines/<uuid:line_uid>/decision/clear/",
        plan.line_decision_clear_view,
        name="line_decision_clear",
    ),
    path(
        "cdp/<uuid:uid>/lines/<uuid:line_uid>/reviewed/",
        plan.line_reviewed_view,
        name="line_reviewed",
    ),
    path("cdp/<uuid:uid>/lines/<uuid:line_uid>/split/", plan.line_split_view, name="line_split"),
    path("cdp/<uuid:uid>/scoring/", scoring.scoring_view, name="scoring"),
    path("cdp/<uuid:uid>/allocation/", funding.allocation_view, name="allocation"),
    path("cdp/<uuid:uid>/allocation/run/", funding.allocation_run_view, name="allocation_run"),
    path(
        "cdp/<uuid:uid>/allocation/<uuid:run_uid>/apply/",
        funding.allocation_apply_view,
        name="allocation_apply",
    ),
    path("cdp/<uuid:uid>/finance/", funding.finance_view, name="finance"),
    path("cdp/<uuid:uid>/targets/", funding.targets_view, name="targets"),
    path("cdp/<uuid:uid>/history/", plan.history_view, name="history"),
    path("cdp/<uuid:uid>/approval/", approval.approval_view, name="approval"),
    path("cdp/<uuid:uid>/do/<str:action>/", approval.transition_view, name="transition"),
    path("cdp/<uuid:uid>/approve/", approval.approve_view, name="approve"),
    path("cdp/<uuid:uid>/comments/", approval.comment_view, name="comment"),
    path(
        "cdp/<uuid:uid>/comments/<int:comment_id>/resolve/",
        approval.comment_resolve_view,
        name="comment_resolve",
    ),
    path("cdp/<uuid:uid>/versions/<int:number>/scan/", approval.version_scan, name="version_scan"),
    path("cdp/<uuid:uid>/diff/", approval.diff_view, name="diff"),
    path("plans/<uuid:uid>/feedback/", approval.feedback_view, name="feedback"),
    path("units/<str:code>/rollup/<int:year>/", rollup.rollup_view, name="rollup"),
    path("national/", include("kehoach.synthesis.urls_national")),
    path(
        "units/<str:code>/rollup/<int:year>/programme/<str:source>/",
        rollup.programme_view,
        name="programme",
    ),
]
