"""What the demo knows about one village while it fills its plan (``DemoVillage``), the
activities it proposes (``spec_for``) and the small random draws every part uses. Deterministic:
every draw comes from the village's own ``random.Random``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kehoach.geo.models import AdministrativeUnit

from ..models import VillagePlan
from .content import (
    _CENT,
    _ONE,
    _SAND,
    MEN,
    MEN_MIDDLE,
    RURAL_POOL,
    SURNAMES,
    URBAN_POOL,
    VILLAGES,
    WOMEN,
    Stage,
    VillageSpec,
)


def pick(rng: random.Random, lo: str, hi: str, step: str) -> Decimal:
    low, high, by = Decimal(lo), Decimal(hi), Decimal(step)
    return low + by * rng.randint(0, int((high - low) / by))


def share(rng: random.Random, whole: int, lo: int, hi: int, per: int = 100) -> int:
    """``whole`` × a share drawn between ``lo`` and ``hi`` (out of ``per``), rounded down."""
    return whole * rng.randint(lo, hi) // per


def ha(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def round_total(value: Decimal) -> Decimal:
    step = Decimal(5) if value >= 100 else _ONE
    return (value / step).quantize(_ONE, rounding=ROUND_HALF_UP) * step


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def person(rng: random.Random, *, woman: bool) -> str:
    if woman:
        return f"{rng.choice(SURNAMES)} Thị {rng.choice(WOMEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MEN_MIDDLE)} {rng.choice(MEN)}"


@dataclass
class DemoVillage:
    """What the demo knows about one village while it fills its plan."""

    plan: VillagePlan
    rng: random.Random
    urban: bool
    keys: tuple[str, ...]
    stage: Stage
    ethnic_minority: tuple[tuple[str, int], ...]
    households: int = 0
    population: int = 0
    women: int = 0
    poor: int = 0
    near_poor: int = 0
    em: int = 0

    @property
    def name(self) -> str:
        return lower_first(self.plan.village.name)

    @property
    def sand(self) -> bool:
        return bool(_SAND & set(self.keys))


def spec_for(village: AdministrativeUnit, rng: random.Random, urban: bool) -> VillageSpec:
    known = VILLAGES.get(village.name)
    if known is not None:
        return known
    pool = URBAN_POOL if urban else RURAL_POOL
    return VillageSpec(" ".join(rng.sample(pool.split(), rng.randint(4, 5))))
