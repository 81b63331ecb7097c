"""Downloading the documents: the commune plan (PDF and Word), a village's feedback sheet (F13),
the feedback sheets of every village in one PDF and the A0 poster of a village plan. The same
visibility as the plan pages: a plan the user may not see, a version that does not exist and a
feedback not yet published are all 404 — checked before anything kept is looked at.

A version's documents are rendered once and kept (``documents/kept.py``); drafts and the poster
are rendered each time within the user's limits, and a user over them gets a 429 page saying
how long to wait (decision D44).

The pages offer each document as a button that POSTs to its URL: a kept document that is up to
date is downloaded at once (redirected to its GET); any other is rendered by a background job
(``tasks.document_render``) and the person follows it on the job's page, which offers the file
when it is ready. A GET still answers with the file, rendered within the same limits (links
shared before, scripts)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.jobs.selectors import job_unfinished_of
from kehoach.jobs.services import job_start
from kehoach.midterm.models import MediumTermCommunePlan
from kehoach.midterm.selectors import round_get_for_user
from kehoach.midterm.services.commune_workflow import latest_version as latest_five_year_version
from kehoach.plans.views.common import plan_or_404 as village_plan_or_404
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.versions import latest_version
from kehoach.synthesis.views.common import plan_or_404 as commune_plan_or_404

from .documents.five_year import TEMPLATE as FIVE_YEAR_TEMPLATE
from .documents.five_year import FiveYearPlanDocument, five_year_document_filename
from .documents.kept import KeptKey, draft_document, kept_document
from .documents.limits import RenderLimited
from .documents.pdf import document_html, html_to_pdf
from .documents.village import PraAnnex
from .documents.word import document_docx
from .models import DocumentKind
from .tasks import (
    DOCUMENT_TASK,
    FORMATS,
    DocumentSpec,
    commune_feedback_spec,
    commune_plan_spec,
    document_label,
    village_feedback_spec,
    village_poster_spec,
)


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def chosen_version(request: HttpRequest, plan: CommunePlan) -> Version | None:
    """``?version=N``: that approved version; ``?draft=1``: the plan as it is now (None); by
    default the latest approved version, or the draft while none is approved."""
    if request.GET.get("draft") == "1":
        return None
    number = request.GET.get("version")
    if number is None:
        return latest_version(plan)
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise Http404
    version = Version.objects.filter(plan_uid=plan.uid, number=int(number)).first()
    if version is None:
        raise Http404
    return version


def render_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A user over the render limits gets 429, ``Retry-After`` and a page saying how long to
    wait."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RenderLimited as exc:
            response = render(
                request,
                "errors/429.html",
                {"message": exc.message(), "seconds": exc.seconds},
                status=429,
            )
            response["Retry-After"] = str(exc.seconds)
            return response

    return wrapped


def _answer(
    request: HttpRequest, spec: DocumentSpec, *, document: str, plan: Any, **params: Any
) -> HttpResponse:
    """GET: the file (kept, or rendered now within the user's limits). POST: prepared — a kept,
    up-to-date document is downloaded at once (redirect to its GET), any other is rendered by a
    background job (the person's own job for the same document still open is reused) and the
    answer is the job's page."""
    if request.method != "POST":
        return _download(spec.data(user=request.user), spec.content_type, spec.filename)
    if spec.is_kept():
        return HttpResponseRedirect(request.get_full_path())  # 302: the browser GETs it
    params = {"document": document, "plan_uid": str(plan.uid), **params}
    job = job_unfinished_of(user=request.user, task=DOCUMENT_TASK, params=params)
    if job is None:
        job = job_start(
            actor=request.user,
            kind="document",
            task=DOCUMENT_TASK,
            label=document_label(spec),
            **params,
        )
    return redirect("jobs:detail", uid=job.uid)


def _version_number(request: HttpRequest) -> int | None:
    number = request.GET.get("version")
    if number is not None and (not number.isascii() or not number.isdigit() or len(number) > 9):
        raise Http404
    return int(number) if number is not None else None


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@render_limited
def commune_document(request: HttpRequest, uid: Any, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    plan = commune_plan_or_404(request, uid)
    version = chosen_version(request, plan)
    spec = commune_plan_spec(plan, version, fmt)
    number = version.number if version is not None else None
    return _answer(request, spec, document="commune_plan", plan=plan, fmt=fmt, version=number)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@render_limited
def village_feedback_sheet(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = village_plan_or_404(request, uid)
    try:
        spec = village_feedback_spec(plan)
    except NotFoundError as exc:
        raise Http404 from exc
    return _answer(request, spec, document="village_feedback", plan=plan)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@render_limited
def commune_feedback_sheets(request: HttpRequest, uid: Any) -> HttpResponse:
    """F13 of every village of a published version (``?version=N``, by default the latest
    published) in one PDF, kept like the single sheets (under the commune plan's uid)."""
    plan = commune_plan_or_404(request, uid)
    try:
        spec = commune_feedback_spec(plan, _version_number(request))
    except NotFoundError as exc:
        raise Http404 from exc
    number = spec.key.version.number if spec.key is not None else None
    return _answer(request, spec, document="commune_feedback", plan=plan, version=number)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@render_limited
def village_poster(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = village_plan_or_404(request, uid)
    return _answer(request, village_poster_spec(plan), document="village_poster", plan=plan)


@require_http_methods(["GET", "HEAD"])
@login_required
@render_limited
def village_pra_annex(request: HttpRequest, uid: Any, fmt: str) -> HttpResponse:
    """The annex of a village plan with its PRA outputs (F2) and their photos, as PDF or Word;
    rendered each time within the user's limits (it follows the plan while it is made)."""
    if fmt not in FORMATS:
        raise Http404
    plan = village_plan_or_404(request, uid)
    annex = PraAnnex(plan)
    data = draft_document(
        user=request.user,
        kind=DocumentKind.POSTER,
        fmt=fmt,
        render=annex.pdf if fmt == "pdf" else annex.docx,
    )
    return _download(data, FORMATS[fmt], annex.filename(fmt))


# --- the commune's five-year plan (issue 18, item 6) ------------------------------------------


def five_year_document_data(
    *, user: Any, plan: MediumTermCommunePlan, version: Version | None, fmt: str
) -> bytes:
    """The five-year plan's PDF or Word: an approved version's kept (rendered once, with the
    fingerprint of its model), a draft rendered each time; both within the user's limits."""
    document = FiveYearPlanDocument(plan, version).document()

    def render_() -> bytes:
        if fmt == "pdf":
            return html_to_pdf(document_html(document, FIVE_YEAR_TEMPLATE))
        return document_docx(document)

    kind = DocumentKind.COMMUNE_PLAN
    if version is None:
        return draft_document(user=user, kind=kind, fmt=fmt, render=render_)
    key = KeptKey(kind, plan.uid, version, fmt, document.language)
    return kept_document(user=user, key=key, content=document, render=render_)


@require_http_methods(["GET", "HEAD"])
@login_required
@render_limited
def five_year_document(request: HttpRequest, uid: Any, fmt: str) -> HttpResponse:
    """The commune five-year plan of a period (``uid``: the period's, as on the plan's page)
    as PDF or Word: the latest approved version, ``?version=N`` that version, ``?draft=1`` the
    plan as it is now. A period the user may not see and a plan not started are 404."""
    if fmt not in FORMATS:
        raise Http404
    try:
        round_ = round_get_for_user(user=request.user, uid=uid)
    except NotFoundError as exc:
        raise Http404 from exc
    plan = MediumTermCommunePlan.objects.filter(round=round_).first()
    if plan is None:
        raise Http404
    plan.round = round_
    if request.GET.get("draft") == "1":
        version = None
    else:
        number = _version_number(request)
        if number is None:
            version = latest_five_year_version(plan)
        else:
            version = Version.objects.filter(plan_uid=plan.uid, number=number).first()
            if version is None:
                raise Http404
    data = five_year_document_data(user=request.user, plan=plan, version=version, fmt=fmt)
    return _download(data, FORMATS[fmt], five_year_document_filename(plan, version, fmt))
