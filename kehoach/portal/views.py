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
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kehoach.core.errors import NotFoundError
from kehoach.geo.choices import Level
from kehoach.synthesis.choices import Decision

from . import opendata, selectors
from .tables import line_villages, plan_tables

F = TypeVar("F", bound=Callable[..., Any])

SEARCH_LIMIT = 50
"""Communes listed for a search; a visitor who gets more types more of the name."""
PHOTO_CSP = "default-src 'none'; img-src 'self'; sandbox"
PHOTO_CACHE = "public, max-age=3600"
"""Photos may be cached an hour: an amendment that stops funding a work hides them within it."""


def public(view: F) -> F:
    """A page anyone may open (GET or HEAD); what is not published is a 404."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404 from exc

    return wrapper  # type: ignore[return-value]


def _downloads(unit: Any, years: list[int]) -> dict[str, Any]:
    return {
        "download_unit": unit,
        "download_years": years,
        "datasets": list(opendata.DATASETS.values()),
        "formats": opendata.FORMATS,
    }


@public
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"query": query}
    if query:
        found = list(selectors.communes_with_published_plans(query=query)[: SEARCH_LIMIT + 1])
        context["communes"] = found[:SEARCH_LIMIT]
        context["more"] = len(found) > SEARCH_LIMIT
    else:
        context["provinces"] = list(selectors.provinces_with_published_plans())
    return render(request, "portal/home.html", context)


@public
def province(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.public_unit(code, [Level.PROVINCE])
    query = request.GET.get("q", "").strip()[:100]
    communes = list(selectors.communes_with_published_plans(within=unit, query=query))
    years = selectors.years_by_commune(unit)
    for commune in communes:
        commune.published_years = years.get(commune.pk, [])  # type: ignore[attr-defined]
    context = {
        "unit": unit,
        "query": query,
        "communes": communes,
        **_downloads(unit, selectors.published_years(unit)),
    }
    return render(request, "portal/province.html", context)


@public
def commune(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.public_unit(code, [Level.COMMUNE])
    plans = selectors.commune_published_plans(unit)
    context = {
        "unit": unit,
        "province": selectors.province_of(unit),
        "plans": plans,
        **_downloads(unit, [v.plan_year for v in plans]),  # type: ignore[attr-defined]
    }
    return render(request, "portal/commune.html", context)


def _plan_context(published: selectors.PublishedPlan) -> dict[str, Any]:
    return {
        "published": published,
        "unit": published.commune,
        "province": published.province,
        "version": published.version,
        "data": published.data,
    }


@public
def plan(request: HttpRequest, code: str, year: int, number: int | None = None) -> HttpResponse:
    published = selectors.published_plan(code, year, number)
    context = {
        **_plan_context(published),
        "tables": plan_tables(published.data),
        "works": selectors.plan_works(published) if published.is_latest else [],
        "previous_year": year - 1,
        "amendment_reason": published.data.get("amendment_reason", ""),
        **_downloads(published.commune, [year]),
    }
    return render(request, "portal/plan.html", context)


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
    found = opendata.DATASETS.get(dataset)
    if found is None or fmt not in opendata.FORMATS:
        raise Http404
    if year not in selectors.YEARS:
        raise Http404
    unit = selectors.public_unit(code, [Level.PROVINCE, Level.COMMUNE])
    if year not in selectors.published_years(unit):
        raise Http404
    scope = opendata.Scope(unit, year)
    filename = found.filename(scope, fmt)
    response: Any
    if fmt == "xlsx":
        response = FileResponse(
            opendata.xlsx_tempfile(found, scope),
            as_attachment=True,
            filename=filename,
            content_type=opendata.CONTENT_TYPES[fmt],
        )
    else:
        chunks = opendata.csv_chunks if fmt == "csv" else opendata.json_chunks
        response = StreamingHttpResponse(
            chunks(found, scope), content_type=opendata.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response
