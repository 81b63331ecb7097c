"""The exchange's background jobs (issue 16): a province's proposals in one workbook, and the
documents (commune plan PDF/Word, feedback sheets, poster) — the work that takes seconds of CPU
runs in a worker (``manage.py db_worker``), not in the web request.

A document is described once (``DocumentSpec``: its kept key or none, what it is made from, how
it is rendered, its file name); the download views and the job use the same description, so a
kept document is served at once and a job renders exactly what a download would have.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.models import Version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.routers import reading_replica
from kehoach.geo.selectors import unit_get_for_user
from kehoach.jobs.models import Job
from kehoach.jobs.services import job_finish, job_progress
from kehoach.jobs.tasks import job_task
from kehoach.plans.models import VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .documents.commune import CommunePlanDocument, commune_document_filename
from .documents.kept import KeptKey, draft_document, fingerprint, kept_document
from .documents.limits import RenderLimited
from .documents.pdf import document_pdf
from .documents.village import FeedbackSheet, FeedbackSheets, VillagePoster
from .documents.word import document_docx
from .exports import ProvinceProposals, write_xlsx
from .models import DocumentKind, RenderedDocument

PROVINCE_EXPORT_TASK = "kehoach.exchange.tasks.province_proposals_export"
DOCUMENT_TASK = "kehoach.exchange.tasks.document_render"

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"pdf": PDF, "docx": DOCX}


# --- province export --------------------------------------------------------------------------


def province_export_label(unit: Any, year: int) -> str:
    return _("Proposals of %(unit)s for %(year)s (Excel)") % {"unit": unit.name, "year": year}


@job_task
def province_proposals_export(job_uid: str, *, unit_code: str, year: int) -> None:
    """Every proposal of a unit's communes for a year: the workbook is written with constant
    memory to a temporary file, with the job's progress every ``exports.CHUNK`` rows."""
    actor = Job.objects.select_related("actor").get(uid=job_uid).actor
    unit = unit_get_for_user(user=actor, code=unit_code)  # NotFoundError: the job fails
    if not has_permission(actor, Action.VIEW_ROLLUP, unit):
        raise NotFoundError()
    report = ProvinceProposals(unit, year)
    total = report.queryset().count()
    message = _("Writing the workbook")
    job_progress(job_uid, 0, total, message)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle, reading_replica():
        out = cast(BinaryIO, handle)
        write_xlsx(report, out, progress=lambda n: job_progress(job_uid, n, total, message))
        handle.flush()
        job_finish(job_uid, file_name=report.filename(), content=handle.name)


# --- documents --------------------------------------------------------------------------------


@dataclass
class DocumentSpec:
    """One document to download: ``key`` is None for a document never kept (a draft, the
    poster)."""

    kind: str
    fmt: str
    key: KeptKey | None
    content: Any
    render: Callable[[], bytes]
    filename: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt]

    def is_kept(self) -> bool:
        """The kept file is made from the same content: a download serves it at once."""
        if self.key is None:
            return False
        return RenderedDocument.objects.filter(
            **self.key.lookup(), fingerprint=fingerprint(self.content, self.key.format)
        ).exists()

    def data(self, *, user: Any) -> bytes:
        """The bytes: kept, or rendered within the user's limits (``RenderLimited``)."""
        if self.key is None:
            return draft_document(user=user, kind=self.kind, fmt=self.fmt, render=self.render)
        return kept_document(user=user, key=self.key, content=self.content, render=self.render)


def commune_plan_spec(plan: CommunePlan, version: Version | None, fmt: str) -> DocumentSpec:
    document = CommunePlanDocument(plan, version).document()
    formatter = document_pdf if fmt == "pdf" else document_docx
    kind = DocumentKind.COMMUNE_PLAN
    key = None if version is None else KeptKey(kind, plan.uid, version, fmt, document.language)
    return DocumentSpec(
        kind=kind,
        fmt=fmt,
        key=key,
        content=document,
        render=lambda: formatter(document),
        filename=commune_document_filename(plan, version, fmt),
    )


def village_feedback_spec(plan: VillagePlan) -> DocumentSpec:
    sheet = FeedbackSheet(plan)  # NotFoundError while not published
    key = KeptKey(DocumentKind.FEEDBACK, plan.uid, sheet.version, "pdf", get_language() or "vi")
    return DocumentSpec(
        kind=DocumentKind.FEEDBACK,
        fmt="pdf",
        key=key,
        content=sheet.context(),
        render=sheet.pdf,
        filename=sheet.filename(),
    )


def commune_feedback_spec(plan: CommunePlan, number: int | None) -> DocumentSpec:
    sheets = FeedbackSheets(plan, number)  # NotFoundError while none is published
    contexts = sheets.contexts()
    key = KeptKey(DocumentKind.FEEDBACK, plan.uid, sheets.version, "pdf", get_language() or "vi")
    return DocumentSpec(
        kind=DocumentKind.FEEDBACK,
        fmt="pdf",
        key=key,
        content=contexts,
        render=lambda: sheets.pdf(contexts),
        filename=sheets.filename(),
    )


def village_poster_spec(plan: VillagePlan) -> DocumentSpec:
    poster = VillagePoster(plan)
    return DocumentSpec(
        kind=DocumentKind.POSTER,
        fmt="pdf",
        key=None,
        content=None,
        render=poster.pdf,
        filename=poster.filename(),
    )


def document_label(spec: DocumentSpec) -> str:
    return _("Document %(name)s") % {"name": spec.filename}


def document_spec_for(
    *, user: Any, document: str, plan_uid: str, fmt: str = "pdf", version: int | None = None
) -> DocumentSpec:
    """The document a job was started for, the plan looked up again for the person who asked
    (NotFoundError when it is gone or no longer visible). ``version``: the version number the
    page chose (None: the draft for the commune plan, the latest published for feedback)."""
    if document == "commune_plan":
        plan = commune_plan_get_for_user(user=user, uid=plan_uid)
        chosen = None
        if version is not None:
            chosen = Version.objects.filter(plan_uid=plan.uid, number=version).first()
            if chosen is None:
                raise NotFoundError()
        return commune_plan_spec(plan, chosen, fmt)
    if document == "commune_feedback":
        return commune_feedback_spec(commune_plan_get_for_user(user=user, uid=plan_uid), version)
    if document == "village_feedback":
        return village_feedback_spec(plan_get_for_user(user=user, uid=plan_uid))
    if document == "village_poster":
        return village_poster_spec(plan_get_for_user(user=user, uid=plan_uid))
    raise ValueError(document)


@job_task
def document_render(
    job_uid: str, *, document: str, plan_uid: str, fmt: str = "pdf", version: int | None = None
) -> None:
    """Render (or find kept) one document for the person who asked and keep it as the job's
    file."""
    actor = Job.objects.select_related("actor").get(uid=job_uid).actor
    spec = document_spec_for(
        user=actor, document=document, plan_uid=plan_uid, fmt=fmt, version=version
    )
    job_progress(job_uid, 0, 1, _("Preparing the document"))
    try:
        data = spec.data(user=actor)
    except RenderLimited as exc:
        raise ApplicationError(code="render_limited", message=exc.message()) from exc
    job_finish(job_uid, file_name=spec.filename, content=data)
