"""Downloading the documents: the commune plan (PDF and Word), a village's feedback sheet (F13),
the feedback sheets of every village in one PDF and the A0 poster of a village plan. The same
visibility as the plan pages: a plan the user may not see, a version that does not exist and a
feedback not yet published are all 404 — checked before anything kept is looked at.

A version's documents are rendered once and kept (``documents/kept.py``); drafts and the poster
are rendered each time within the user's limits, and a user over them gets a 429 page saying
how long to wait (decision D44)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from kehoach.approvals.models import Version
from kehoach.core.errors import NotFoundError
from kehoach.plans.views.common import plan_or_404 as village_plan_or_404
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.versions import latest_version
from kehoach.synthesis.views.common import plan_or_404 as commune_plan_or_404

from .documents.commune import CommunePlanDocument, commune_document_filename
from .documents.kept import KeptKey, draft_document, kept_document
from .documents.limits import RenderLimited
from .documents.pdf import document_pdf
from .documents.village import FeedbackSheet, FeedbackSheets, VillagePoster
from .documents.word import document_docx
from .models import DocumentKind

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"pdf": PDF, "docx": DOCX}


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


@login_required
@render_limited
def commune_document(request: HttpRequest, uid: Any, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    plan = commune_plan_or_404(request, uid)
    version = chosen_version(request, plan)
    document = CommunePlanDocument(plan, version).document()
    formatter = document_pdf if fmt == "pdf" else document_docx
    kind = DocumentKind.COMMUNE_PLAN
    if version is None:
        data = draft_document(
            user=request.user, kind=kind, fmt=fmt, render=lambda: formatter(document)
        )
    else:
        key = KeptKey(kind, plan.uid, version, fmt, document.language)
        data = kept_document(
            user=request.user, key=key, content=document, render=lambda: formatter(document)
        )
    return _download(data, FORMATS[fmt], commune_document_filename(plan, version, fmt))


@login_required
@render_limited
def village_feedback_sheet(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = village_plan_or_404(request, uid)
    try:
        sheet = FeedbackSheet(plan)
    except NotFoundError as exc:
        raise Http404 from exc
    key = KeptKey(DocumentKind.FEEDBACK, plan.uid, sheet.version, "pdf", get_language() or "vi")
    data = kept_document(user=request.user, key=key, content=sheet.context(), render=sheet.pdf)
    return _download(data, PDF, sheet.filename())


@login_required
@render_limited
def commune_feedback_sheets(request: HttpRequest, uid: Any) -> HttpResponse:
    """F13 of every village of a published version (``?version=N``, by default the latest
    published) in one PDF, kept like the single sheets (under the commune plan's uid)."""
    plan = commune_plan_or_404(request, uid)
    number = request.GET.get("version")
    if number is not None and (not number.isascii() or not number.isdigit() or len(number) > 9):
        raise Http404
    try:
        sheets = FeedbackSheets(plan, int(number) if number is not None else None)
    except NotFoundError as exc:
        raise Http404 from exc
    contexts = sheets.contexts()
    key = KeptKey(DocumentKind.FEEDBACK, plan.uid, sheets.version, "pdf", get_language() or "vi")
    data = kept_document(
        user=request.user, key=key, content=contexts, render=lambda: sheets.pdf(contexts)
    )
    return _download(data, PDF, sheets.filename())


@login_required
@render_limited
def village_poster(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = village_plan_or_404(request, uid)
    poster = VillagePoster(plan)
    data = draft_document(user=request.user, kind=DocumentKind.POSTER, fmt="pdf", render=poster.pdf)
    return _download(data, PDF, poster.filename())
