"""What is published in each unit, kept in ``PublishedState`` (issue 16).

The public pages and open-data files of a unit and year depend only on the latest published
version of each commune plan in it. Counting those versions over a province is a query over its
versions; the portal asks it on every request (for the ETag, for the file's key), so it is kept:
one row per unit × plan year, and one per unit for every year (``EVERY_YEAR``).

- ``published_states_refresh`` counts the rows of a commune and every unit above it, in the
  publishing transaction (a publication is the only change: a published version is never
  changed nor withdrawn);
- ``published_states_forget`` deletes the rows under a unit, for writers that publish in bulk
  (``generate_scale``): the next reader counts them;
- ``published_state`` reads a row, or counts and stores it when there is none.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from kehoach.approvals.models import Version
from kehoach.geo.models import AdministrativeUnit

from ..models import CommunePlan, PublishedState

EVERY_YEAR = 0
PLAN_LABEL = CommunePlan._meta.label_lower

State = tuple[str, datetime.datetime | None]
"""(digest of the latest published versions' ids, "" when none; the latest publication)"""


def _latest_published() -> QuerySet[Version]:
    published = Version.objects.filter(subject_label=PLAN_LABEL, published_at__isnull=False)
    newer = published.filter(plan_uid=OuterRef("plan_uid"), number__gt=OuterRef("number"))
    return published.exclude(Exists(newer))


def published_state_count(path: str, year: int) -> State:
    """The state of the unit of ``path`` counted from the versions (one query)."""
    plans = CommunePlan.objects.filter(round__commune__path__startswith=path)
    if year != EVERY_YEAR:
        plans = plans.filter(round__plan_year=year)
    rows = list(
        _latest_published()
        .filter(plan_uid__in=plans.values("uid"))
        .order_by("id")
        .values_list("id", "published_at")
    )
    if not rows:
        return "", None
    ids = "|".join(str(pk) for pk, _at in rows)
    return hashlib.sha256(ids.encode()).hexdigest(), max(at for _pk, at in rows if at)


def published_state(unit: AdministrativeUnit, year: int) -> State:
    """What is published in the unit for ``year`` (``EVERY_YEAR``: all years): one query when
    kept, else counted and kept."""
    found = (
        PublishedState.objects.filter(unit_code=unit.code, year=year)
        .values_list("versions", "changed_at")
        .first()
    )
    if found is not None:
        return found
    state = published_state_count(unit.path, year)
    PublishedState.objects.bulk_create(
        [PublishedState(unit_code=unit.code, year=year, versions=state[0], changed_at=state[1])],
        ignore_conflicts=True,  # another reader, or a publication, stored it meanwhile
    )
    return state


def published_states_refresh(commune: AdministrativeUnit, years: Iterable[int]) -> None:
    """Count again the states of ``commune`` and every unit above it for ``years`` and for all
    years (two queries a unit and year, one write)."""
    units = AdministrativeUnit.objects.filter(
        code__in=[*commune.ancestor_codes(), commune.code]
    ).values_list("code", "path")
    rows = [
        PublishedState(unit_code=code, year=year, versions=versions, changed_at=changed)
        for code, path in units
        for year in (*set(years), EVERY_YEAR)
        for versions, changed in [published_state_count(path, year)]
    ]
    PublishedState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["unit_code", "year"],
        update_fields=["versions", "changed_at"],
    )


def published_states_forget(unit: AdministrativeUnit) -> None:
    """Delete the kept states of the unit, of the units below it and above it."""
    below = AdministrativeUnit.objects.filter(path__startswith=unit.path).values("code")
    PublishedState.objects.filter(unit_code__in=below).delete()
    PublishedState.objects.filter(unit_code__in=unit.ancestor_codes()).delete()
