"""The exchange's background jobs (issue 16): a province's proposals in one workbook, the
documents (commune plan PDF/Word, feedback sheets, poster) and the confirmation of a large
workbook — the work that takes seconds of CPU runs in a worker (``manage.py db_worker``), not in
the web request.

A document is described once (``DocumentSpec``: its kept key or none, what it is made from, how
it is rendered, its file name); the download views and the job use the same description, so a
kept document is served at once and a job renders exactly what a download would have.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.models import Version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.routers import reading_replica
from kehoach.geo.selectors import unit_get_for_user
from kehoach.jobs.models import Job
from kehoach.jobs.selectors import job_unfinished_of
from kehoach.jobs.services import job_done, job_finish, job_progress, job_start
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
from .models import DocumentKind, ImportRecord, RenderedDocument
from .services import Target, import_apply, import_cancel
from .targets import (
    MIDTERM_FORMS,
    VILLAGE_FORMS,
    commune_target,
    midterm_target_for,
    village_target,
)

PROVINCE_EXPORT_TASK = "kehoach.exchange.tasks.province_proposals_export"
DOCUMENT_TASK = "kehoach.exchange.tasks.document_render"
IMPORT_CONFIRM_TASK = "kehoach.exchange.tasks.import_confirm_job"

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


# --- import confirmations ---------------------------------------------------------------------


def import_lines(record: ImportRecord) -> int:
    """The changes the check found (to add, change, remove): what a confirmation writes."""
    counts = (record.summary or {}).get("counts") or {}
    return sum(int(n) for n in counts.values())


def import_in_background(record: ImportRecord) -> bool:
    """A confirmation of more than ``KEHOACH_IMPORT_DIRECT_MAX_LINES`` changes runs as a job."""
    return import_lines(record) > settings.KEHOACH_IMPORT_DIRECT_MAX_LINES


def import_applied_message(record: ImportRecord) -> str:
    counts = (record.summary or {}).get("applied") or {}
    return _(
        "The workbook was applied: %(added)s added, %(changed)s changed, %(deleted)s deleted."
    ) % {k: counts.get(k, 0) for k in ("added", "changed", "deleted")}


def import_job_of(*, actor: Any, record: ImportRecord) -> Job | None:
    """The job still applying ``record`` (waiting or running), or None."""
    return job_unfinished_of(
        user=actor, task=IMPORT_CONFIRM_TASK, params={"record_uid": str(record.uid)}
    )


def _unit_of(plan: Any) -> Any:
    village = getattr(plan, "village", None)
    return village if village is not None else plan.round.commune


def import_confirm_start(*, actor: Any, target: Target, record: ImportRecord) -> Job:
    """Start applying a checked workbook in the background; returns its job.

    The record is locked first, so two confirmations at once (two tabs, a double click) are
    taken one after the other: the second finds the job the first started and gets it back;
    once that job is finished the record is no longer waiting and the second is refused
    (``import_not_waiting``). The job applies the workbook through ``import_apply`` with the
    same actor, like a direct confirmation; what the actor may not do is refused here at once."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().defer("kept").get(pk=record.pk)
        job = import_job_of(actor=actor, record=record)
        if job is not None:
            return job
        if record.result != ImportRecord.Result.PREVIEWED or record.target_uid != target.obj.uid:
            raise ApplicationError(
                "import_not_waiting",
                _(
                    "This workbook is no longer waiting for confirmation, so nothing more was "
                    "applied; its page says what became of it."
                ),
            )
        target.may_apply(actor)
        return job_start(
            actor=actor,
            kind="import",
            task=IMPORT_CONFIRM_TASK,
            unit=_unit_of(target.obj),
            label=_("Applying the workbook %(form)s “%(file)s”")
            % {"form": record.form, "file": record.filename},
            record_uid=str(record.uid),
        )


def import_cancel_unless_applying(*, actor: Any, record: ImportRecord) -> ImportRecord:
    """``import_cancel``, refused (``import_applying``) while a job is applying the record."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().defer("kept").get(pk=record.pk)
        if import_job_of(actor=actor, record=record) is not None:
            raise ApplicationError(
                "import_applying",
                _(
                    "This workbook is being applied in the background, so it can no longer be "
                    "cancelled. Follow it on its job's page; once it is done, change what you "
                    "need on the plan."
                ),
            )
        return import_cancel(actor=actor, record=record)


def import_target_for(*, user: Any, record: ImportRecord) -> Target:
    """The record's target, its plan looked up again for ``user`` (NotFoundError when it is
    gone or no longer visible), as the import pages build it."""
    if record.form in MIDTERM_FORMS:
        return midterm_target_for(user=user, uid=record.target_uid)
    if record.form in VILLAGE_FORMS:
        return village_target(record.form, plan_get_for_user(user=user, uid=record.target_uid))
    plan = commune_plan_get_for_user(user=user, uid=record.target_uid)
    return commune_target(record.form, plan)


@job_task
def import_confirm_job(job_uid: str, *, record_uid: str) -> None:
    """Apply a checked workbook for the person who confirmed it, through ``import_apply`` (the
    one writer: all or nothing, the fingerprint checked). A refusal (the data changed, the plan
    was submitted meanwhile) fails the job with its message and writes nothing."""
    actor = Job.objects.select_related("actor").get(uid=job_uid).actor
    record = ImportRecord.objects.filter(uid=record_uid, actor=actor).defer("kept").first()
    if record is None:
        raise NotFoundError()
    target = import_target_for(user=actor, record=record)
    job_progress(job_uid, 0, import_lines(record), _("Applying the changes"))
    done = import_apply(actor=actor, target=target, record=record)
    job_done(job_uid, import_applied_message(done))
