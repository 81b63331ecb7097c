"""What a stored file or page depends on, as a short hash.

A scope's fingerprint is the sha256 of the ids of the latest published versions of the commune
plans in it (a version's earlier versions are fixed once it is published), so it changes only
when one of its communes publishes a new version. The progress dataset also shows the latest
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


def scope_version_ids(unit: AdministrativeUnit, year: int) -> list[int]:
    """The ids of the latest published versions in the scope, in order (one query); none when
    nothing of ``year`` is published in the unit."""
    return list(
        selectors.latest_published_versions()
        .filter(plan_uid__in=scope_plans(unit, year).values("uid"))
        .order_by("id")
        .values_list("id", flat=True)
    )


def versions_fingerprint(unit: AdministrativeUnit, year: int) -> str:
    """sha256 of the ids of the latest published versions in the scope (one query)."""
    return digest(BUILD, *scope_version_ids(unit, year))


def progress_fingerprint(plan_uids: Iterable[Any] | QuerySet[Any]) -> str:
    """The state of the progress of these plans' lines: reports, photos and disbursements
    (three aggregate queries)."""
    return progress_state(plan_uids)[0]


def unit_versions(unit: AdministrativeUnit) -> tuple[str, datetime.datetime | None]:
    """The fingerprint of every latest published version in the unit, all years, and the
    latest publication among them (one query): what its portal page lists."""
    rows = list(
        selectors.latest_published_versions()
        .filter(
            plan_uid__in=selectors.published_plans()
            .filter(round__commune__path__startswith=unit.path)
            .values("uid")
        )
        .order_by("id")
        .values_list("id", "published_at")
    )
    published = [at for _i, at in rows if at is not None]
    return digest(BUILD, *(i for i, _at in rows)), max(published, default=None)


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
    dataset: Dataset, unit: AdministrativeUnit, year: int, ids: list[int] | None = None
) -> str:
    """What an open-data file of the scope depends on (``ids``: ``scope_version_ids`` when
    already read)."""
    versions = digest(BUILD, *(scope_version_ids(unit, year) if ids is None else ids))
    if not dataset.follows_progress:
        return versions
    return digest(versions, progress_fingerprint(scope_plans(unit, year).values("uid")))
