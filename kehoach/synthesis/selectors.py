"""Reads of commune plans and envelopes, scoped by the user at the source."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from kehoach.accounts.permissions import units_visible_to
from kehoach.core.errors import NotFoundError

from .models import CommuneLine, CommunePlan, EnvelopeLine


def commune_plans_visible_to(user: Any) -> QuerySet[CommunePlan]:
    return CommunePlan.objects.filter(round__commune__in=units_visible_to(user)).select_related(
        "round", "round__commune", "round__profile"
    )


def commune_plan_get_for_user(*, user: Any, uid: uuid.UUID | str) -> CommunePlan:
    """A commune plan the user may see, or NotFoundError — the same for missing and forbidden."""
    try:
        return commune_plans_visible_to(user).get(uid=uid)
    except (CommunePlan.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


def commune_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> CommuneLine:
    try:
        return plan.lines.select_related("sector", "unit", "proposed_source").get(uid=uid)
    except (CommuneLine.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc


def envelope_line_get(plan: CommunePlan, uid: uuid.UUID | str) -> EnvelopeLine:
    try:
        return EnvelopeLine.objects.select_related(
            "envelope__round__commune", "source", "sector"
        ).get(envelope__round=plan.round, uid=uid)
    except (EnvelopeLine.DoesNotExist, ValueError) as exc:
        raise NotFoundError() from exc
