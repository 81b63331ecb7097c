"""Reads of the approved versions of a commune plan: the latest (published) one, why an
amendment was made, and what became of a village's proposals up to a published version."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils.translation import gettext as _

from kehoach.approvals.models import StatusChange, Version

from ..models import CommunePlan
from .fates import Fate, dropped_fates, village_fates, village_lines_in


def latest_version(plan: CommunePlan, *, published: bool = False) -> Version | None:
    versions = Version.objects.filter(plan_uid=plan.uid)
    if published:
        versions = versions.filter(published_at__isnull=False)
    return versions.order_by("-number").first()


def version_amendment_reason(version: Version) -> str:
    """Why this version (an amendment) was made: kept in its snapshot, or for versions approved
    before it was kept there, the comment of the amendment that started it."""
    if not version.is_amendment:
        return ""
    if "amendment_reason" in version.data:
        return str(version.data["amendment_reason"])
    starts = list(
        StatusChange.objects.filter(plan_uid=version.plan_uid, action="amend").order_by("at", "id")
    )
    index = version.number - 2
    return starts[index].comment if 0 <= index < len(starts) else ""


def dropped_reason(version: Version) -> str:
    """What a village is told of a proposal that this amendment took out of the plan."""
    reason = version_amendment_reason(version)
    if reason:
        return _("Taken out of the plan by amendment %(number)s: %(reason)s") % {
            "number": version.number,
            "reason": reason,
        }
    return _("Taken out of the plan by amendment %(number)s.") % {"number": version.number}


def village_feedback(plan: Any) -> tuple[Version | None, list[Fate], CommunePlan | None]:
    """The latest published version of the round's commune plan and the fates of this village
    plan's proposals in it."""
    commune_plan = CommunePlan.objects.filter(round_id=plan.round_id).first()
    if commune_plan is None:
        return None, [], None
    version = latest_version(commune_plan, published=True)
    if version is None:
        return None, [], commune_plan
    return version, version_fates(version, plan.village.code), commune_plan


def version_fates(version: Version, village_code: str) -> list[Fate]:
    """The fates of one village's proposals in a published version, with the proposals that
    amendments up to it took out."""
    fates = village_fates(version.data, village_code)
    if version.is_amendment:
        fates += _dropped_since(version, village_code)
        fates.sort(key=lambda f: (f.number, f.line["number"]))
    return fates


def _dropped_since(version: Version, village_code: str) -> list[Fate]:
    """The village's proposals that some amendment up to ``version`` took out of the plan and
    that are still out, each with the reason of the amendment that took it out."""
    published = list(
        Version.objects.filter(
            plan_uid=version.plan_uid, number__lte=version.number, published_at__isnull=False
        ).order_by("number")
    )
    now_in = village_lines_in(version.data)
    found: dict[str, Fate] = {}
    for earlier, later in itertools.pairwise(published):
        for fate in dropped_fates(earlier.data, later.data, village_code, dropped_reason(later)):
            if fate.village_line not in now_in:
                found[fate.village_line] = fate
    return list(found.values())
