"""The stored parts of the public pages (issue 16, point 4): what each page shows of published
versions, rendered once per set of versions and language (``pages.fragments``), so that a
request only reads the unit, the ids of its published versions (also its ETag) and one stored
row, whatever the number of communes or lines.

- the home page's provinces: keyed by ``selectors.published_state`` (how many versions are
  published and the last one), which changes with every publication;
- a province's communes with their years, and its open-data links; a commune's plans and its
  open-data links: keyed by the unit, its name and ``fingerprints.unit_versions`` (the ids of
  the latest published versions below it), which changes when any plan below it publishes a
  version (a first one or an amendment);
- a published plan's tables: keyed by the version and whether it is the latest.

The key also holds the language and the templates' source (``pages.fragment_key``). The unit
pages are built at publication, inside the publishing transaction (``unit_pages_build``: a few
short queries and milliseconds of rendering), so the first visitor after it reads a stored row;
the plan's tables, which take longer, are built in the background by the publication task
(``tasks``), and otherwise by the first request.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

from kehoach.geo.models import AdministrativeUnit

from .. import opendata, selectors
from ..tables import plan_tables
from .fingerprints import digest, progress_state, unit_versions
from .pages import fragments, unit_page_parts, unit_pages_prune

logger = logging.getLogger(__name__)

HOME = ("portal/partials/home_provinces.html",)
PROVINCE = ("portal/partials/province_communes.html", "portal/partials/downloads.html")
COMMUNE = ("portal/partials/commune_plans.html", "portal/partials/downloads.html")
PLAN = ("portal/partials/plan_tables.html", "portal/partials/plan_targets.html")
WORKS = ("portal/partials/plan_works.html",)


def downloads_context(unit: Any, years: list[int]) -> dict[str, Any]:
    """What ``portal/partials/downloads.html`` shows: the unit's open-data files by year."""
    return {
        "download_unit": unit,
        "download_years": years,
        "datasets": list(opendata.DATASETS.values()),
        "formats": opendata.FORMATS,
    }


def home_provinces(state: tuple[Any, ...]) -> SafeString:
    """The provinces with a published plan, for ``state`` (``selectors.published_state``)."""

    def context() -> dict[str, Any]:
        return {"provinces": list(selectors.provinces_with_published_plans())}

    (html,) = unit_page_parts(HOME, "home", home_fingerprint(state), context)
    return html


def home_fingerprint(state: tuple[Any, ...]) -> str:
    return digest(*state)


def province_parts(unit: AdministrativeUnit, versions: str) -> list[SafeString]:
    """The table of the province's communes with their years, and its open-data links, for
    ``versions`` (``unit_versions``): two queries when not stored yet."""

    def context() -> dict[str, Any]:
        communes, _more = selectors.communes_with_years(unit)
        years = sorted({y for c in communes for y in c.published_years}, reverse=True)
        return {"communes": communes, "query": "", **downloads_context(unit, years)}

    page = f"province:{unit.code}"
    return unit_page_parts(PROVINCE, page, digest(unit.pk, unit.name, versions), context)


def commune_parts(unit: AdministrativeUnit, versions: str) -> list[SafeString]:
    """The table of the commune's published plans, and its open-data links."""

    def context() -> dict[str, Any]:
        plans = selectors.commune_published_plans(unit)
        years = [v.plan_year for v in plans]  # type: ignore[attr-defined]
        return {"unit": unit, "plans": plans, **downloads_context(unit, years)}

    page = f"commune:{unit.code}"
    return unit_page_parts(COMMUNE, page, digest(unit.pk, unit.name, versions), context)


def plan_parts(published: selectors.PublishedPlan) -> list[SafeString]:
    """The tables of a published plan (by sector, source, village) and its targets."""
    context = {
        "published": published,
        "unit": published.commune,
        "tables": SimpleLazyObject(lambda: plan_tables(published.data)),
        "previous_year": published.year - 1,
    }
    return fragments(PLAN, (published.version.pk, published.is_latest), context)


def plan_works(published: selectors.PublishedPlan, progress: str) -> SafeString:
    """The progress of the works of the latest published plan, for ``progress`` (its reports,
    photos and payments: ``fingerprints.progress_state``), kept in ``PublishedPage`` under
    ``works:<plan uid>``: rendered when a report changes it, and the parts of earlier progress
    then deleted."""
    page = f"works:{published.plan_uid}"
    fingerprint = digest(published.version.pk, progress)

    def context() -> dict[str, Any]:
        unit_pages_prune(page, fingerprint)  # rendered anew: the earlier progress is gone
        return {
            "published": published,
            "unit": published.commune,
            "works": selectors.plan_works(published),
        }

    (html,) = unit_page_parts(WORKS, page, fingerprint, context)
    return html


def unit_pages_build(commune_id: int) -> list[tuple[str, str]]:
    """Store the pages a publication in the commune changes — the home page, the commune's and
    its province's — in the default language, inside the publishing transaction (which sees
    the new version; rolled back with it); the (page, fingerprint) of each, for
    ``unit_pages_prune_all`` after the commit. Never fails: what is not built here is built by
    the first request."""
    built: list[tuple[str, str]] = []
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            commune = AdministrativeUnit.objects.select_related("parent__parent").get(pk=commune_id)
            state = selectors.published_state()
            home_provinces(state)
            built.append(("home", home_fingerprint(state)))
            units = [commune, selectors.province_of(commune)]
            for unit, build in zip(units, (commune_parts, province_parts), strict=True):
                if unit is None:
                    continue
                versions = unit_versions(unit)[0]
                build(unit, versions)
                level = "commune" if build is commune_parts else "province"
                built.append((f"{level}:{unit.code}", digest(unit.pk, unit.name, versions)))
    except Exception:  # a cache must never stop a publication
        logger.exception("Portal pages of commune %s not built", commune_id)
        return []
    return built


def unit_pages_prune_all(built: list[tuple[str, str]]) -> None:
    """After a publication is committed: delete the stored pages it superseded."""
    try:
        for page, fingerprint in built:
            unit_pages_prune(page, fingerprint)
    except Exception:  # left rows are only unused
        logger.exception("Portal pages %s not pruned", built)


def plan_parts_build(commune_id: int, year: int) -> None:
    """Store the tables of the commune's latest published plan of ``year`` and the progress of
    its works (the publication task, in the background); never fails."""
    try:
        code = AdministrativeUnit.objects.values_list("code", flat=True).get(pk=commune_id)
        with translation.override(settings.LANGUAGE_CODE):
            published = selectors.published_plan(code, year)
            plan_parts(published)
            plan_works(published, progress_state([published.plan_uid])[0])
    except Exception:  # the first request builds it instead
        logger.exception("Portal plan page of commune %s, %s not built", commune_id, year)
