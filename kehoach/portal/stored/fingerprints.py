"""What a stored file or page depends on, as a short hash.

A scope's fingerprint is the sha256 of the ids of the latest published versions of the commune
plans in it (a version's earlier versions are fixed once it is published), so it changes only
when one of its communes publishes a new version; the publication keeps it in
``synthesis.PublishedState``, so reading it is one query. The progress dataset also shows the latest
progress report of each work and its photos, which change without a new version: its
fingerprint adds the count and the latest change of the reports, photos and disbursements.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from kehoach.geo.models import AdministrativeUnit
from kehoach.monitoring.models import Disbursement, ProgressPhoto, ProgressReport
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.summaries import EVERY_YEAR, published_state

from .. import selectors
from ..opendata import Dataset

BUILD = "1"
"""Part of every key: raise it when the formatters, the datasets or the stored templates change
what they write, so that what was built by the old code is built again."""


def digest(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def scope_plans(unit: AdministrativeUnit, year: int) -> QuerySet[CommunePlan]:
    """The published commune plans of ``year`` in the unit."""
    return selectors.published_plans().filter(
        round__plan_year=year, round__commune__path__startswith=unit.path
    )


def versions_fingerprint(unit: AdministrativeUnit, year: int) -> str:
    """The fingerprint of the latest published versions in the scope, "" when nothing of
    ``year`` is published in the unit (one query: ``synthesis.PublishedState``)."""
    versions = published_state(unit, year)[0]
    return digest(BUILD, versions) if versions else ""


def progress_fingerprint(plan_uids: Iterable[Any] | QuerySet[Any]) -> str:
    """The state of the progress of these plans' lines: reports, photos and disbursements
    (three aggregate queries)."""
    return progress_state(plan_uids)[0]


def unit_versions(unit: AdministrativeUnit) -> tuple[str, datetime.datetime | None]:
    """The fingerprint of every latest published version in the unit, all years, and the
    latest publication among them (one query: ``synthesis.PublishedState``): what its portal
    page lists."""
    versions, changed = published_state(unit, EVERY_YEAR)
    return digest(BUILD, versions), changed


def progress_state(
    plan_uids: Iterable[Any] | QuerySet[Any],
) -> tuple[str, datetime.datetime | None]:
    """``progress_fingerprint`` and the latest change of a report or photo."""
    reports = ProgressReport.objects.filter(line__plan__uid__in=plan_uids).aggregate(
        n=Count("id"), changed=Max("updated_at"), last=Max("id")
    )
    photos = ProgressPhoto.objects.filter(report__line__plan__uid__in=plan_uids).aggregate(
        n=Count("id"), changed=Max("updated_at"), last=Max("id")
    )
    money = Disbursement.objects.filter(report__line__plan__uid__in=plan_uids).aggregate(
        n=Count("id"), last=Max("id"), total=Sum("amount_mvnd")
    )
    changes = [at for at in (reports["changed"], photos["changed"]) if at is not None]
    state = digest(*(sorted(reports.items()) + sorted(photos.items()) + sorted(money.items())))
    return state, max(changes, default=None)


def scope_fingerprint(
    dataset: Dataset, unit: AdministrativeUnit, year: int, versions: str | None = None
) -> str:
    """What an open-data file of the scope depends on (``versions``: ``versions_fingerprint``
    when already read)."""
    versions = versions_fingerprint(unit, year) if versions is None else versions
    if not dataset.follows_progress:
        return versions
    return digest(versions, progress_fingerprint(scope_plans(unit, year).values("uid")))
