"""Carry-over: last year's unfunded or deferred proposals brought into this year's plan."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError

from ..choices import CARRY_OVER_OUTCOMES
from ..models import ProposalLine, VillagePlan
from .common import record_create, require_editable
from .lines import AUDIT_FIELDS, LINE_FIELDS


def previous_plan(plan: VillagePlan) -> VillagePlan | None:
    """The same village's plan in the commune's latest earlier round."""
    return (
        VillagePlan.objects.filter(
            village=plan.village,
            round__commune=plan.round.commune,
            round__plan_year__lt=plan.round.plan_year,
        )
        .select_related("round")
        .order_by("-round__plan_year")
        .first()
    )


def carry_over_candidates(plan: VillagePlan) -> list[ProposalLine]:
    """Lines of the previous plan that were not funded or were deferred, not yet carried over."""
    before = previous_plan(plan)
    if before is None:
        return []
    taken = set(
        ProposalLine.objects.alive()
        .filter(plan=plan, origin__isnull=False)
        .values_list("origin_id", flat=True)
    )
    return [
        line
        for line in ProposalLine.objects.alive()
        .filter(plan=before, outcome__in=CARRY_OVER_OUTCOMES)
        .select_related("sector", "unit", "proposed_source")
        if line.pk not in taken
    ]


def _move_month(day: datetime.date, year: int) -> datetime.date:
    return day.replace(year=year, day=1)


@transaction.atomic
def carry_over(*, actor: Any, plan: VillagePlan, line_uids: list[str]) -> list[ProposalLine]:
    """Copy the chosen lines into ``plan``, keeping the link to where each came from. Months move
    to the new plan year; the priority is left for the village to set again."""
    require_editable(actor, plan)
    if not line_uids:
        raise ApplicationError("nothing_chosen", _("Choose at least one proposal to carry over."))
    candidates = {str(line.uid): line for line in carry_over_candidates(plan)}
    chosen = []
    for uid in line_uids:
        if str(uid) not in candidates:
            raise NotFoundError()
        chosen.append(candidates[str(uid)])
    VillagePlan.objects.select_for_update().get(pk=plan.pk)
    number = ProposalLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0
    year = plan.round.plan_year
    created = []
    for old in chosen:
        number += 1
        values = {field: getattr(old, field) for field in LINE_FIELDS}
        values["start_month"] = _move_month(old.start_month, year)
        values["end_month"] = _move_month(old.end_month, year)
        if values["end_month"] < values["start_month"]:
            values["end_month"] = values["start_month"].replace(month=12)
        values["priority"] = None
        line = ProposalLine.objects.create(plan=plan, number=number, origin=old, **values)
        record_create(actor, plan, line, [*AUDIT_FIELDS, "origin"])
        created.append(line)
    return created
