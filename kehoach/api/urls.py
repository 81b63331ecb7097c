"""REST API v1 (issue 17): ``/api/v1/``. Every endpoint reads through the selectors and writes
through the services the pages use; the schema is committed at docs/api/openapi.yaml."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from kehoach.api.views import (
    catalog,
    commune_plans,
    docs,
    open_data,
    proposal_line_batch,
    proposal_lines,
    units,
    village_plans,
)
from kehoach.api.views.me import MeView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.swagger, name="docs"),
    path("docs/redoc/", docs.redoc, name="redoc"),
    path("me/", MeView.as_view(), name="me"),
    # --- open data: no token (issue 17 §7) ---
    path("open/plans/", open_data.OpenPlanList.as_view(), name="open-plans"),
    path(
        "open/plans/<str:code>/<int:year>/",
        open_data.OpenPlanDetail.as_view(),
        name="open-plan",
    ),
    # --- reads (h17-reads) ---
    path("units/", units.UnitList.as_view(), name="units"),
    path("units/<str:code>/", units.UnitDetail.as_view(), name="unit"),
    path("catalog/sectors/", catalog.SectorList.as_view(), name="catalog-sectors"),
    path("catalog/sources/", catalog.FundingSourceList.as_view(), name="catalog-sources"),
    path("catalog/units/", catalog.UnitOfMeasureList.as_view(), name="catalog-units"),
    path("village-plans/", village_plans.VillagePlanList.as_view(), name="village-plans"),
    path(
        "village-plans/<str:uid>/",
        village_plans.VillagePlanDetail.as_view(),
        name="village-plan",
    ),
    path(
        "village-plans/<str:uid>/lines/",
        proposal_lines.ProposalLineList.as_view(),
        name="village-plan-lines",
    ),
    path(
        "village-plans/<str:uid>/lines/batch/",
        proposal_line_batch.ProposalLineBatch.as_view(),
        name="village-plan-lines-batch",
    ),
    path(
        "village-plans/<str:uid>/lines/<str:line_uid>/",
        proposal_lines.ProposalLineDetail.as_view(),
        name="village-plan-line",
    ),
    path("commune-plans/", commune_plans.CommunePlanList.as_view(), name="commune-plans"),
    path(
        "commune-plans/<str:uid>/",
        commune_plans.CommunePlanDetail.as_view(),
        name="commune-plan",
    ),
]

# --- commune plan lines (h17c): list and add, many at once, one line ---
from kehoach.api.views import commune_line_batch, commune_lines, line_operations  # noqa: E402

urlpatterns += [
    path(
        "commune-plans/<str:uid>/lines/",
        commune_lines.CommuneLineList.as_view(),
        name="commune-plan-lines",
    ),
    path(
        "commune-plans/<str:uid>/lines/batch/",
        commune_line_batch.CommuneLineBatch.as_view(),
        name="commune-plan-lines-batch",
    ),
    path(
        "commune-plans/<str:uid>/lines/merge/",
        line_operations.LineMerge.as_view(),
        name="commune-plan-lines-merge",
    ),
    path(
        "commune-plans/<str:uid>/lines/<str:line_uid>/",
        commune_lines.CommuneLineDetail.as_view(),
        name="commune-plan-line",
    ),
]

# --- workflow actions (h17d): one address per action, then 404 for any other name ---
from kehoach.api.views.actions import url_patterns as action_patterns  # noqa: E402

urlpatterns += action_patterns()

# --- h17j-imports-docs: workbook imports, background jobs, documents ---
from kehoach.api.views import documents, imports  # noqa: E402

urlpatterns += [
    path("imports/", imports.ImportCreate.as_view(), name="imports"),
    path("imports/<str:uid>/", imports.ImportDetail.as_view(), name="import"),
    path(
        "imports/<str:uid>/actions/confirm/",
        imports.ImportConfirm.as_view(),
        name="import-confirm",
    ),
    path("jobs/<str:uid>/", imports.JobDetail.as_view(), name="job"),
    path("jobs/<str:uid>/file/", imports.JobFile.as_view(), name="job-file"),
    path(
        "commune-plans/<str:uid>/documents/plan.pdf",
        documents.CommunePlanPdf.as_view(),
        name="commune-plan-document-pdf",
    ),
    path(
        "commune-plans/<str:uid>/documents/plan.docx",
        documents.CommunePlanDocx.as_view(),
        name="commune-plan-document-docx",
    ),
    path(
        "village-plans/<str:uid>/documents/poster.pdf",
        documents.VillagePoster.as_view(),
        name="village-plan-document-poster",
    ),
]

# --- h17i-village-parts: a village plan's basic information (F1) and meeting (F8) ---
from kehoach.api.views import village_parts  # noqa: E402

urlpatterns += [
    path(
        "village-plans/<str:uid>/basic-info/",
        village_parts.BasicInfoView.as_view(),
        name="village-plan-basic-info",
    ),
    path(
        "village-plans/<str:uid>/meeting/",
        village_parts.MeetingView.as_view(),
        name="village-plan-meeting",
    ),
]

# --- h17f-rounds-envelopes: planning rounds and their resource envelope (F11) ---
from kehoach.api.views import envelope_batch, envelopes, rounds  # noqa: E402

urlpatterns += [
    path("rounds/", rounds.RoundList.as_view(), name="rounds"),
    path("rounds/<str:uid>/", rounds.RoundDetail.as_view(), name="round"),
    path("rounds/<str:uid>/envelope/", envelopes.EnvelopeDetail.as_view(), name="round-envelope"),
    path(
        "rounds/<str:uid>/envelope/lines/",
        envelopes.EnvelopeLineList.as_view(),
        name="round-envelope-lines",
    ),
    path(
        "rounds/<str:uid>/envelope/lines/batch/",
        envelope_batch.EnvelopeLineBatch.as_view(),
        name="round-envelope-lines-batch",
    ),
    path(
        "rounds/<str:uid>/envelope/lines/<str:line_uid>/",
        envelopes.EnvelopeLineDetail.as_view(),
        name="round-envelope-line",
    ),
]

# --- h17h-versions: versions and diffs, feedback to the villages (F13), roll-ups (F18) ---
from kehoach.api.views import feedback, rollups, versions  # noqa: E402

urlpatterns += [
    path(
        "commune-plans/<str:uid>/versions/",
        versions.VersionList.as_view(),
        name="commune-plan-versions",
    ),
    path(
        "commune-plans/<str:uid>/versions/<str:number>/",
        versions.VersionDetail.as_view(),
        name="commune-plan-version",
    ),
    path(
        "commune-plans/<str:uid>/versions/<str:number>/diff/",
        versions.VersionDiff.as_view(),
        name="commune-plan-version-diff",
    ),
    path(
        "commune-plans/<str:uid>/feedback/",
        feedback.FeedbackList.as_view(),
        name="commune-plan-feedback",
    ),
    path(
        "commune-plans/<str:uid>/feedback/<str:village_code>/",
        feedback.FeedbackDetail.as_view(),
        name="commune-plan-feedback-village",
    ),
    path(
        "village-plans/<str:uid>/feedback/",
        feedback.VillagePlanFeedback.as_view(),
        name="village-plan-feedback",
    ),
    path("units/<str:code>/rollup/", rollups.UnitRollup.as_view(), name="unit-rollup"),
    path(
        "units/<str:code>/rollup/programmes/<str:source>/",
        rollups.ProgrammeRollup.as_view(),
        name="unit-rollup-programme",
    ),
]

# --- h17k-findings: SWOT (F3), problems (F4), ranking (F5) ---
from kehoach.api.views import findings  # noqa: E402

urlpatterns += [
    path("village-plans/<str:uid>/swot/", findings.SwotList.as_view(), name="village-plan-swot"),
    path(
        "village-plans/<str:uid>/swot/<str:sector_code>/",
        findings.SwotDetail.as_view(),
        name="village-plan-swot-sector",
    ),
    path(
        "village-plans/<str:uid>/problems/",
        findings.ProblemList.as_view(),
        name="village-plan-problems",
    ),
    path(
        "village-plans/<str:uid>/problems/<str:problem_uid>/",
        findings.ProblemDetail.as_view(),
        name="village-plan-problem",
    ),
    path(
        "village-plans/<str:uid>/ranking/",
        findings.RankingView.as_view(),
        name="village-plan-ranking",
    ),
    path(
        "village-plans/<str:uid>/ranking/batch/",
        findings.RankingBatch.as_view(),
        name="village-plan-ranking-batch",
    ),
    path(
        "village-plans/<str:uid>/ranking/actions/apply-priorities/",
        findings.RankingApplyPriorities.as_view(),
        name="village-plan-ranking-apply-priorities",
    ),
]

# --- h17l-catalog-targets: indicators, process profiles, commune plan targets (F16) ---
from kehoach.api.views import catalog_more, targets  # noqa: E402

urlpatterns += [
    path("catalog/indicators/", catalog_more.IndicatorList.as_view(), name="catalog-indicators"),
    path("catalog/profiles/", catalog_more.ProcessProfileList.as_view(), name="catalog-profiles"),
    path(
        "catalog/profiles/<str:code>/",
        catalog_more.ProcessProfileDetail.as_view(),
        name="catalog-profile",
    ),
    path(
        "commune-plans/<str:uid>/targets/",
        targets.TargetsView.as_view(),
        name="commune-plan-targets",
    ),
]

# --- h17m-funding: a line's funding decision, the allocation run (R16–R18) ---
from kehoach.api.views import funding  # noqa: E402

urlpatterns += [
    path(
        "commune-plans/<str:uid>/lines/<str:line_uid>/funding/",
        funding.LineFundingDecision.as_view(),
        name="commune-plan-line-funding",
    ),
    path(
        "commune-plans/<str:uid>/allocation/run/",
        funding.AllocationRunView.as_view(),
        name="commune-plan-allocation-run",
    ),
]

# --- h17r-villages: a commune's villages (R25) ---
from kehoach.api.views import villages  # noqa: E402

urlpatterns += [
    path("units/<str:code>/villages/", villages.VillageCreate.as_view(), name="unit-villages"),
    path("villages/<str:code>/", villages.VillageRename.as_view(), name="village"),
    path("villages/<str:code>/actions/end/", villages.VillageEnd.as_view(), name="village-end"),
    path(
        "villages/<str:code>/actions/restore/",
        villages.VillageRestore.as_view(),
        name="village-restore",
    ),
    path(
        "village-plans/<str:uid>/basic-info/actions/copy-previous/",
        village_parts.BasicInfoCopyPrevious.as_view(),
        name="village-plan-basic-info-copy-previous",
    ),
]

# --- h17p-synthesis-ops: split, undo, restore, review a commune line; its scores and rank ---
from kehoach.api.views import scores  # noqa: E402

_LINE = "commune-plans/<str:uid>/lines/<str:line_uid>/"
urlpatterns += [
    path(f"{_LINE}split/", line_operations.LineSplit.as_view(), name="commune-plan-line-split"),
    path(f"{_LINE}undo/", line_operations.LineUndo.as_view(), name="commune-plan-line-undo"),
    path(
        f"{_LINE}restore/", line_operations.LineRestore.as_view(), name="commune-plan-line-restore"
    ),
    path(
        f"{_LINE}reviewed/",
        line_operations.LineReviewed.as_view(),
        name="commune-plan-line-reviewed",
    ),
    path(f"{_LINE}scores/", scores.LineScores.as_view(), name="commune-plan-line-scores"),
    path(f"{_LINE}rank/", scores.LineRank.as_view(), name="commune-plan-line-rank"),
]

# --- h17q-rounds-funding: opening rounds, publishing the envelope, funding writes ---
from kehoach.api.views import envelope_publish  # noqa: E402

urlpatterns += [
    path(
        "rounds/<str:uid>/actions/add-missing-plans/",
        rounds.RoundAddMissingPlans.as_view(),
        name="round-add-missing-plans",
    ),
    path(
        "rounds/<str:uid>/envelope/actions/publish/",
        envelope_publish.EnvelopePublish.as_view(),
        name="round-envelope-publish",
    ),
    path(
        "commune-plans/<str:uid>/allocation/runs/<str:mode>/apply/",
        funding.AllocationApplyView.as_view(),
        name="commune-plan-allocation-apply",
    ),
]

# --- h17r2-villages-more: carry-over, merging villages, the villages CSV import ---
from kehoach.api.views import carry_over  # noqa: E402

urlpatterns += [
    path(
        "village-plans/<str:uid>/carry-over/",
        carry_over.CarryOverView.as_view(),
        name="village-plan-carry-over",
    ),
]

from kehoach.api.views import villages_bulk  # noqa: E402

urlpatterns += [
    path(
        "units/<str:code>/villages/merge/",
        villages_bulk.VillagesMerge.as_view(),
        name="unit-villages-merge",
    ),
    path(
        "units/<str:code>/villages/import/",
        villages_bulk.VillagesImport.as_view(),
        name="unit-villages-import",
    ),
    path(
        "villages/<str:code>/actions/undo-merge/",
        villages_bulk.VillageMergeUndo.as_view(),
        name="village-undo-merge",
    ),
]

# --- h17x-finance-reads: the stored allocation results, the financial plan (F12) ---
from kehoach.api.views import finance  # noqa: E402

urlpatterns += [
    path(
        "commune-plans/<str:uid>/allocation/",
        finance.AllocationResultsView.as_view(),
        name="commune-plan-allocation",
    ),
    path(
        "commune-plans/<str:uid>/financial-plan/",
        finance.FinancialPlanView.as_view(),
        name="commune-plan-financial-plan",
    ),
]

# --- following the works: progress, supervision, evaluation ---
from kehoach.api import urls_monitoring  # noqa: E402

urlpatterns += urls_monitoring.urlpatterns
