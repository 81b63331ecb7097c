"""The public portal (no login): search, province, commune, the published plan, a village's
feedback, a work's progress with its photos, and the open-data files with their dictionary.

Views are thin: each calls the portal's selectors, which only ever read what is published, and
turns their NotFoundError into a 404 — a plan that is not published and one that does not exist
look the same.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from kehoach.core.errors import NotFoundError
from kehoach.core.routers import reading_replica
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.synthesis.choices import Decision

from . import opendata, selectors
from .models import PublishedFile
from .selectors import five_year as five_year_selectors
from .stored import http, page_parts, pages
from .stored.files import published_file, published_file_at, published_file_kept
from .stored.fingerprints import progress_state, unit_versions
from .stored.shared import shared_page, weak_etag_if_packed
from .tables import line_villages

F = TypeVar("F", bound=Callable[..., Any])

SEARCH_LIMIT = 50
"""Communes listed for a search; a visitor who gets more types more of the name."""
PHOTO_CSP = "default-src 'none'; img-src 'self'; sandbox"
FINGERPRINT_SHOWN = 16
"""Characters of a file's fingerprint in its own address."""
PHOTO_CACHE = "public, max-age=3600"
"""Photos may be cached an hour: an amendment that stops funding a work hides them within it."""


def public(view: F) -> F:
    """A page anyone may open (GET or HEAD); what is not published is a 404. It reads published
    data only: from the read replica when there is one (core.routers)."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404 from exc

    return reading_replica()(wrapper)  # type: ignore[return-value]


@public
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"query": query}
    if query:  # a search is not stored: one query, at most SEARCH_LIMIT + 1 communes
        found = list(selectors.communes_with_published_plans(query=query)[: SEARCH_LIMIT + 1])
        context["communes"] = found[:SEARCH_LIMIT]
        context["more"] = len(found) > SEARCH_LIMIT
        return render(request, "portal/home.html", context)
    state = selectors.published_state()
    etag = pages.page_etag(request, *state)
    changed = state[-1]
    answer = http.not_modified(request, etag, changed)
    if answer is not None:
        return http.validators(answer, etag, changed, http.PAGE)  # type: ignore[return-value]
    context["provinces_list"] = page_parts.home_provinces(state)
    response = render(request, "portal/home.html", context)
    return http.validators(response, etag, changed, http.PAGE)  # type: ignore[return-value]


def _unit_page(
    request: HttpRequest, code: str, level: int
) -> tuple[AdministrativeUnit, str, HttpResponse | None, str, Any]:
    """(the unit with its parents, its versions' fingerprint, the 304 or None, the ETag,
    Last-Modified) of a province's or commune's page, which lists what is published in it:
    two queries, and a 404 when nothing in it is published."""
    unit = selectors.unit_with_parents(code, [level])
    versions, changed = unit_versions(unit)
    if changed is None:  # no published version below it (each has its publication date)
        raise NotFoundError()
    etag = pages.page_etag(request, unit.pk, unit.name, versions)
    answer: Any = http.not_modified(request, etag, changed)
    if answer is not None:
        http.validators(answer, etag, changed, http.PAGE)
    return unit, versions, answer, etag, changed


@public
def province(request: HttpRequest, code: str) -> HttpResponse:
    unit, versions, answer, etag, changed = _unit_page(request, code, Level.PROVINCE)
    if answer is not None:
        return answer
    query = request.GET.get("q", "").strip()[:100]
    communes_table, downloads = page_parts.province_parts(unit, versions)
    if query:  # a search is not stored: one query, at most SEARCH_LIMIT communes
        communes, more = selectors.communes_with_years(unit, query=query, limit=SEARCH_LIMIT)
        communes_table = render_to_string(
            page_parts.PROVINCE[0], {"communes": communes, "more": more, "query": query}
        )
    context = {
        "unit": unit,
        "query": query,
        "communes_table": communes_table,
        "downloads": downloads,
    }
    response = render(request, "portal/province.html", context)
    return http.validators(response, etag, changed, http.PAGE)  # type: ignore[return-value]


@public
def commune(request: HttpRequest, code: str) -> HttpResponse:
    """The commune's published yearly plans and its published five-year plans; a 404 when
    neither has a published version."""
    unit = five_year_selectors.commune_with_five_year_state(code)
    versions, yearly_changed = unit_versions(unit)
    five_year, five_year_changed = five_year_selectors.five_year_state(unit)
    if yearly_changed is None and five_year_changed is None:
        raise NotFoundError()
    changed = max(at for at in (yearly_changed, five_year_changed) if at is not None)
    etag = pages.page_etag(request, unit.pk, unit.name, versions, *five_year)
    answer = http.not_modified(request, etag, changed)
    if answer is not None:
        return http.validators(answer, etag, changed, http.PAGE)  # type: ignore[return-value]
    plans_table, downloads = (
        page_parts.commune_parts(unit, versions) if yearly_changed is not None else ("", "")
    )
    context = {
        "unit": unit,
        "province": selectors.province_of(unit),
        "plans_table": plans_table,
        "downloads": downloads,
        "five_year_plans": (
            five_year_selectors.commune_five_year_plans(unit) if five_year_changed else []
        ),
    }
    response = render(request, "portal/commune.html", context)
    return http.validators(response, etag, changed, http.PAGE)  # type: ignore[return-value]


@public
def five_year(
    request: HttpRequest, code: str, first_year: int, number: int | None = None
) -> HttpResponse:
    """A published five-year plan of a commune: its snapshot (lines by sector with their years,
    totals, the resource frame) and each year's progress in the published yearly plans."""
    published = five_year_selectors.published_five_year(code, first_year, number)
    yearly, yearly_changed = five_year_selectors.yearly_state(published)
    progress, progress_changed = progress_state(
        five_year_selectors.yearly_plans(published).values("uid")
    )
    versions = [(v.pk, v.number) for v in published.versions]
    changed = max(
        (
            at
            for at in (published.latest.published_at, yearly_changed, progress_changed)
            if at is not None
        ),
        default=None,
    )
    etag = pages.page_etag(request, published.version.pk, *versions, *yearly, progress)
    answer = http.not_modified(request, etag, changed)
    if answer is not None:
        return http.validators(answer, etag, changed, http.PAGE)  # type: ignore[return-value]
    context = {
        "published": published,
        "unit": published.commune,
        "province": published.province,
        "version": published.version,
        "page": five_year_selectors.five_year_page(published),
    }
    response = render(request, "portal/five_year.html", context)
    return http.validators(response, etag, changed, http.PAGE)  # type: ignore[return-value]


def _plan_context(published: selectors.PublishedPlan) -> dict[str, Any]:
    return {
        "published": published,
        "unit": published.commune,
        "province": published.province,
        "version": published.version,
        "data": SimpleLazyObject(lambda: published.data),  # the snapshot: read if shown
    }


@public
def plan(request: HttpRequest, code: str, year: int, number: int | None = None) -> HttpResponse:
    published = selectors.published_plan(code, year, number)
    versions = [(v.pk, v.number) for v in published.versions]
    progress, progress_changed = (
        progress_state([published.plan_uid]) if published.is_latest else ("", None)
    )
    changed = max(
        (at for at in (published.latest.published_at, progress_changed) if at is not None),
        default=None,
    )
    etag = pages.page_etag(request, published.version.pk, *versions, progress)
    answer = http.not_modified(request, etag, changed)
    if answer is not None:
        return http.validators(answer, etag, changed, http.PAGE)  # type: ignore[return-value]

    def build() -> HttpResponse:
        plan_tables_html, plan_targets_html = page_parts.plan_parts(published)
        context = {
            **_plan_context(published),
            "plan_tables": plan_tables_html,
            "plan_targets": plan_targets_html,
            "works_part": (
                page_parts.plan_works(published, progress) if published.is_latest else ""
            ),
            "amendment_reason": (
                published.data.get("amendment_reason", "") if published.version.is_amendment else ""
            ),
            **page_parts.downloads_context(published.commune, [year]),
        }
        return render(request, "portal/plan.html", context)

    response = shared_page(request, (published.version.pk, *versions, progress), build)
    http.validators(response, etag, changed, http.PAGE)
    return weak_etag_if_packed(response)


@public
def feedback(request: HttpRequest, code: str, year: int, village: str) -> HttpResponse:
    published = selectors.published_plan(code, year)
    found = selectors.village_feedback(published, village)
    context = {
        **_plan_context(published),
        "village": found,
        "fates": found.fates,
        "funded": Decision.FUNDED,
    }
    return render(request, "portal/feedback.html", context)


@public
def work(request: HttpRequest, code: str, year: int, line: UUID) -> HttpResponse:
    published = selectors.published_plan(code, year)
    found = selectors.published_work(published, line)
    context = {
        **_plan_context(published),
        "work": found,
        "report": found.report,
        "villages": line_villages(found.line),
    }
    return render(request, "portal/work.html", context)


def _photo_response(photo: Any, thumbnail: bool) -> FileResponse:
    stored = photo.thumbnail if thumbnail else photo.image
    if not stored:
        raise Http404
    content_type = "image/jpeg" if thumbnail else photo.content_type
    extension = "jpg" if thumbnail else photo.extension
    suffix = "-nho" if thumbnail else ""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=False,
        filename=f"anh-{photo.uid}{suffix}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PHOTO_CSP
    response["Cache-Control"] = PHOTO_CACHE
    return response


@public
def photo(request: HttpRequest, uid: UUID) -> FileResponse:
    return _photo_response(selectors.public_photo(uid), thumbnail=False)


@public
def thumbnail(request: HttpRequest, uid: UUID) -> FileResponse:
    return _photo_response(selectors.public_photo(uid), thumbnail=True)


@public
def dictionary(request: HttpRequest) -> HttpResponse:
    datasets = [opendata.dictionary(d) for d in opendata.DATASETS.values()]
    return render(request, "portal/dictionary.html", {"datasets": datasets})


@public
def open_data(request: HttpRequest, code: str, year: int, dataset: str, fmt: str) -> Any:
    """The file of the scope as published now: built once per fingerprint, then served from
    storage; a client may keep it a minute, then revalidates (304 if nothing changed)."""
    found = _dataset(dataset, fmt)
    if year not in selectors.YEARS:
        raise Http404
    stored = published_file_kept(found, fmt, code, year)
    if stored is None:  # not built yet (or nothing published: 404)
        unit = selectors.unit_by_code(code, [Level.PROVINCE, Level.COMMUNE])
        stored = published_file(found, fmt, opendata.Scope(unit, year))
    response = _stored_response(request, found, stored, http.LATEST)
    response["Content-Location"] = reverse(
        "portal:open_data_fixed",
        kwargs={
            "code": code,
            "year": year,
            "fingerprint": stored.fingerprint[:FINGERPRINT_SHOWN],
            "dataset": dataset,
            "fmt": fmt,
        },
    )
    return response


@public
def open_data_fixed(
    request: HttpRequest, code: str, year: int, fingerprint: str, dataset: str, fmt: str
) -> Any:
    """A file as it was built for one set of published versions: it never changes, so a
    client and any cache may keep it a year."""
    found = _dataset(dataset, fmt)
    stored = published_file_at(found, fmt, code, year, fingerprint)
    return _stored_response(request, found, stored, http.FOREVER)


def _dataset(slug: str, fmt: str) -> opendata.Dataset:
    found = opendata.DATASETS.get(slug)
    if found is None or fmt not in opendata.FORMATS:
        raise Http404
    return found


def _stored_response(
    request: HttpRequest, dataset: opendata.Dataset, stored: PublishedFile, cache: str
) -> Any:
    response: Any = http.not_modified(request, stored.etag, stored.built_at)
    if response is None:
        response = FileResponse(
            stored.file.storage.open(stored.file.name, "rb"),  # the file, not the field's proxy
            as_attachment=True,
            filename=f"{dataset.slug}-{stored.unit_code}-{stored.year}.{stored.fmt}",
            content_type=opendata.CONTENT_TYPES[stored.fmt],
        )
        http.as_stored(response)
    http.validators(response, stored.etag, stored.built_at, cache)
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response
