"""Five-year periods: one commune's medium-term planning period (2026–2030 by default);
opening one opens a five-year plan (F7) for every village of the commune, as a yearly round
opens its village plans (``plans.services.rounds``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.catalog.models import ProcessProfile
from kehoach.catalog.selectors import process_profile_for
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.services.rounds import PLAN_YEAR_MAX, PLAN_YEAR_MIN

from ..models import MediumTermPlan, MediumTermRound
from ..models.rounds import MAX_YEARS
from ..permissions import can_add_missing_plans, can_open_round

ROUND_FIELDS = ["first_year", "last_year", "profile", "proposals_due", "approval_due"]


def _villages(commune: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The villages of the commune that exist now (as the yearly round takes them)."""
    return AdministrativeUnit.objects.filter(
        parent=commune, level=Level.VILLAGE, valid_to__isnull=True
    ).order_by("sort_key", "code")


def _profile_of(commune: AdministrativeUnit) -> ProcessProfile:
    """The commune's process profile, chosen as the yearly round chooses it."""
    codes = commune.ancestor_codes()
    return process_profile_for(codes[0] if codes else None)


def _period_error(code: str, message: str, field: str = "first_year") -> ApplicationError:
    return ApplicationError(code, message, Where(field=field))


def _check_period(commune: AdministrativeUnit, first_year: int, last_year: int) -> None:
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if not PLAN_YEAR_MIN <= year <= PLAN_YEAR_MAX:
            raise _period_error(
                "period_year_invalid",
                _("Enter a year between %(min)s and %(max)s, such as 2026.")
                % {"min": PLAN_YEAR_MIN, "max": PLAN_YEAR_MAX},
                name,
            )
    if last_year < first_year:
        raise _period_error(
            "period_order",
            _("The last year (%(last)s) comes before the first year (%(first)s).")
            % {"last": last_year, "first": first_year},
            "last_year",
        )
    if last_year - first_year + 1 > MAX_YEARS:
        raise _period_error(
            "period_too_long",
            _("A period lasts at most %(max)s years; %(first)s–%(last)s is %(count)s.")
            % {
                "max": MAX_YEARS,
                "first": first_year,
                "last": last_year,
                "count": last_year - first_year + 1,
            },
            "last_year",
        )
    overlapping = (
        MediumTermRound.objects.filter(
            commune=commune, first_year__lte=last_year, last_year__gte=first_year
        )
        .order_by("first_year")
        .first()
    )
    if overlapping is not None:
        raise _period_error(
            "period_overlaps",
            _(
                "%(commune)s already has the five-year period %(first)s–%(last)s, which "
                "overlaps these years; choose years after it."
            )
            % {
                "commune": commune.name,
                "first": overlapping.first_year,
                "last": overlapping.last_year,
            },
        )


def _check_dates(proposals_due: datetime.date | None, approval_due: datetime.date | None) -> None:
    if proposals_due and approval_due and approval_due < proposals_due:
        raise ApplicationError(
            "calendar_order",
            _("The dates must follow each other: %(later)s comes before %(earlier)s.")
            % {
                "later": approval_due.strftime("%d/%m/%Y"),
                "earlier": proposals_due.strftime("%d/%m/%Y"),
            },
            Where(field="approval_due"),
        )


def medium_term_period_defaults(commune: AdministrativeUnit) -> tuple[int, int]:
    """The first and last year a new period of the commune opens with by default (its
    profile's ``medium_term_start_year`` and ``medium_term_years``)."""
    profile = _profile_of(commune)
    first = profile.medium_term_start_year
    return first, first + profile.medium_term_years - 1


@transaction.atomic
def open_medium_term_round(
    user: Any,
    commune: AdministrativeUnit,
    *,
    first_year: int | None = None,
    last_year: int | None = None,
    profile: ProcessProfile | None = None,
    proposals_due: datetime.date | None = None,
    approval_due: datetime.date | None = None,
) -> MediumTermRound:
    """Open the commune's five-year period and a five-year plan for each of its villages.
    Years left out come from the profile (the province's, as for a yearly round)."""
    refusal = can_open_round(user, commune)
    if refusal is not None:
        refusal.raise_error()
    if commune.valid_to is not None:
        raise ApplicationError("commune_ended", _("%(name)s has ended.") % {"name": commune.name})
    if profile is None:
        profile = _profile_of(commune)
    if first_year is None:
        first_year = profile.medium_term_start_year
    if last_year is None:
        last_year = first_year + profile.medium_term_years - 1
    # one writer at a time per commune: the overlap check then holds until the commit
    AdministrativeUnit.objects.select_for_update().filter(pk=commune.pk).first()
    _check_period(commune, first_year, last_year)
    _check_dates(proposals_due, approval_due)
    try:
        with transaction.atomic():
            round_ = MediumTermRound.objects.create(
                commune=commune,
                first_year=first_year,
                last_year=last_year,
                profile=profile,
                proposals_due=proposals_due,
                approval_due=approval_due,
                created_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError as exc:  # a second click at the same moment
        raise _period_error(
            "period_overlaps",
            _(
                "%(commune)s already has the five-year period %(first)s–%(last)s, which "
                "overlaps these years; choose years after it."
            )
            % {"commune": commune.name, "first": first_year, "last": last_year},
        ) from exc
    plans = MediumTermPlan.objects.bulk_create(
        [MediumTermPlan(round=round_, village=v) for v in _villages(commune)]
    )
    for plan in plans:
        audit_record(
            actor=user,
            plan_uid=plan.uid,
            obj=plan,
            operation="create",
            after={"round": str(round_), **snapshot(round_, ROUND_FIELDS)},
        )
    return round_


@transaction.atomic
def add_missing_medium_term_plans(user: Any, round_: MediumTermRound) -> list[MediumTermPlan]:
    """Open five-year plans for the villages added to the commune since the period opened."""
    refusal = can_add_missing_plans(user, round_)
    if refusal is not None:
        raise NotFoundError()
    have = set(round_.plans.values_list("village_id", flat=True))
    plans = MediumTermPlan.objects.bulk_create(
        [
            MediumTermPlan(round=round_, village=v)
            for v in _villages(round_.commune).exclude(pk__in=have)
        ]
    )
    for plan in plans:
        audit_record(
            actor=user,
            plan_uid=plan.uid,
            obj=plan,
            operation="create",
            after={"round": str(round_)},
        )
    return plans
