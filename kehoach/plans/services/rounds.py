"""Planning rounds: one per commune and plan year; creating one opens a plan for every village."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.catalog.models import ProcessProfile
from kehoach.catalog.selectors import process_profile_for
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from ..models import PlanningRound, VillagePlan

ROUND_FIELDS = ["plan_year", "profile", "proposals_due", "synthesis_due", "approval_due"]


def _check_calendar(
    plan_year: int,
    proposals_due: datetime.date | None,
    synthesis_due: datetime.date | None,
    approval_due: datetime.date | None,
) -> None:
    steps = [
        ("proposals_due", proposals_due),
        ("synthesis_due", synthesis_due),
        ("approval_due", approval_due),
    ]
    known = [(name, day) for name, day in steps if day is not None]
    for (_first_name, first), (second_name, second) in itertools.pairwise(known):
        if second < first:
            raise ApplicationError(
                "calendar_order",
                _("The dates must follow each other: %(later)s comes before %(earlier)s.")
                % {"later": second.strftime("%d/%m/%Y"), "earlier": first.strftime("%d/%m/%Y")},
                Where(field=second_name),
            )
    for name, day in known:
        if day.year > plan_year:
            raise ApplicationError(
                "calendar_after_year",
                _("%(date)s is inside the plan year %(year)s; the plan is prepared before it.")
                % {"date": day.strftime("%d/%m/%Y"), "year": plan_year},
                Where(field=name),
            )


def _villages(commune: AdministrativeUnit) -> Any:
    return AdministrativeUnit.objects.filter(
        parent=commune, level=Level.VILLAGE, valid_to__isnull=True
    )


PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2000, 2100  # the years a round may be opened for


def _create_checks(
    actor: Any,
    commune: AdministrativeUnit,
    plan_year: int,
    proposals_due: datetime.date | None,
    synthesis_due: datetime.date | None,
    approval_due: datetime.date | None,
) -> None:
    """What ``round_create`` refuses (its check and the dry run share it)."""
    if commune.level != Level.COMMUNE or not has_permission(actor, Action.MANAGE_ROUNDS, commune):
        raise NotFoundError()
    if commune.valid_to is not None:
        raise ApplicationError("commune_ended", _("%(name)s has ended.") % {"name": commune.name})
    if not PLAN_YEAR_MIN <= plan_year <= PLAN_YEAR_MAX:
        raise ApplicationError(
            "plan_year_invalid", _("Enter a plan year such as 2027."), Where(field="plan_year")
        )
    if PlanningRound.objects.filter(commune=commune, plan_year=plan_year).exists():
        raise ApplicationError(
            "round_exists",
            _("%(commune)s already has a planning round for %(year)s.")
            % {"commune": commune.name, "year": plan_year},
            Where(field="plan_year"),
        )
    _check_calendar(plan_year, proposals_due, synthesis_due, approval_due)


def round_create_check(
    *,
    actor: Any,
    commune: AdministrativeUnit,
    plan_year: int,
    profile: ProcessProfile | None = None,
    proposals_due: datetime.date | None = None,
    synthesis_due: datetime.date | None = None,
    approval_due: datetime.date | None = None,
) -> dict[str, int]:
    """What ``round_create`` would refuse, raised the same way, without writing anything (a
    dry run); answers how many rounds and village plans it would open."""
    _create_checks(actor, commune, plan_year, proposals_due, synthesis_due, approval_due)
    return {"rounds": 1, "village_plans": _villages(commune).count()}


@transaction.atomic
def round_create(
    *,
    actor: Any,
    commune: AdministrativeUnit,
    plan_year: int,
    profile: ProcessProfile | None = None,
    proposals_due: datetime.date | None = None,
    synthesis_due: datetime.date | None = None,
    approval_due: datetime.date | None = None,
) -> PlanningRound:
    _create_checks(actor, commune, plan_year, proposals_due, synthesis_due, approval_due)
    if profile is None:
        province_code = commune.ancestor_codes()[0] if commune.ancestor_codes() else None
        profile = process_profile_for(province_code)
    try:
        with transaction.atomic():
            round_ = PlanningRound.objects.create(
                commune=commune,
                plan_year=plan_year,
                profile=profile,
                proposals_due=proposals_due,
                synthesis_due=synthesis_due,
                approval_due=approval_due,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # a second click at the same moment
        raise ApplicationError(
            "round_exists",
            _("%(commune)s already has a planning round for %(year)s.")
            % {"commune": commune.name, "year": plan_year},
            Where(field="plan_year"),
        ) from exc
    plans = VillagePlan.objects.bulk_create(
        [VillagePlan(round=round_, village=v) for v in _villages(commune)]
    )
    for plan in plans:
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=plan,
            operation="create",
            after={"round": str(round_), **snapshot(round_, ROUND_FIELDS)},
        )
    return round_


def _missing(actor: Any, round_: PlanningRound) -> Any:
    """The villages of the commune without a plan in the round (only for who manages its
    rounds: 404 otherwise) — what the writer and its check share."""
    if not has_permission(actor, Action.MANAGE_ROUNDS, round_.commune):
        raise NotFoundError()
    have = set(round_.plans.values_list("village_id", flat=True))
    return _villages(round_.commune).exclude(pk__in=have)


def round_add_missing_plans_check(*, actor: Any, round_: PlanningRound) -> dict[str, int]:
    """How many village plans ``round_add_missing_plans`` would open, writing nothing."""
    return {"village_plans": _missing(actor, round_).count()}


@transaction.atomic
def round_add_missing_plans(*, actor: Any, round_: PlanningRound) -> list[VillagePlan]:
    """Open plans for villages added to the commune after the round was created."""
    plans = VillagePlan.objects.bulk_create(
        [VillagePlan(round=round_, village=v) for v in _missing(actor, round_)]
    )
    for plan in plans:
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=plan,
            operation="create",
            after={"round": str(round_)},
        )
    return plans
