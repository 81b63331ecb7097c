"""What every part of a chunk shares: the catalog read once, the run, the stages of a round,
the random identifiers and dates, and a status-change row."""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kehoach.accounts.models import User
from kehoach.approvals.models import StatusChange
from kehoach.catalog.models import FundingSource, ProcessProfile, Sector, UnitOfMeasure
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.models import CommunePlan

from ..options import ScaleOptions, ScaleReport
from ..write import make

MILLI = Decimal("0.001")
ONE = Decimal(1)

DRAFT, SYNTHESISED, APPROVED, PUBLISHED = range(4)
"""The stage a round is left in."""

PLAN_LABEL = VillagePlan._meta.label_lower
COMMUNE_PLAN_LABEL = CommunePlan._meta.label_lower


@dataclass
class Catalog:
    """The catalog rows the generated lines name, read once."""

    profile: ProcessProfile
    sectors: dict[str, Sector]
    units: dict[str, UnitOfMeasure]
    sources: dict[str, FundingSource]


@dataclass
class Run:
    """What every chunk of one generation shares."""

    options: ScaleOptions
    catalog: Catalog
    user: User
    today: datetime.date
    report: ScaleReport
    now: datetime.datetime = field(default_factory=timezone.now)


def new_uid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``: the same seed gives the same public identifiers."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def stage_of(options: ScaleOptions, commune_code: str, year: int) -> int:
    """The stage of a round, drawn from its own stream so that it depends only on the seed,
    the commune and the year (not on how many villages or lines the run makes)."""
    draw = random.Random(f"{options.seed}:{commune_code}:{year}:stage").random()
    if draw < options.published:
        return PUBLISHED
    if draw < options.approved:
        return APPROVED
    if draw < options.synthesised:
        return SYNTHESISED
    return DRAFT


def aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def before(day: datetime.date, today: datetime.date) -> datetime.date:
    return min(day, today)


def status_change(
    user: User, plan_uid: uuid.UUID, label: str, action: str, before: str, after: str
) -> StatusChange:
    return make(
        StatusChange,
        plan_uid=plan_uid,
        subject_label=label,
        action=action,
        from_state=before,
        to_state=after,
        actor=user,
    )
