"""The bounds of the real world, one per kind of value, declared once (``Bound``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator


@dataclass(frozen=True)
class Bound:
    """The range of one kind of value. ``maximum`` is inclusive."""

    maximum: Decimal
    minimum: Decimal = Decimal(0)

    def validators(self) -> list[Any]:
        return [MinValueValidator(self.minimum), MaxValueValidator(self.maximum)]


# The bounds of the real world, generous enough for the largest commune of the country and
# small enough that every total of a plan still fits its column (design.md: money in million
# VND; a commune line costs at most 10 million million VND).
MONEY_MVND = Bound(Decimal(10_000_000))
"""An amount in million VND: at most 10.000.000 million VND (10 million million đồng)."""
QUANTITY = Bound(Decimal(1_000_000_000))
"""A quantity in its unit of measure (m, m², m³, km, head, household …)."""
LABOUR_DAYS = Bound(Decimal(10_000_000))
LAND_M2 = Bound(Decimal(100_000_000))
"""Land given, in m² (100 km²)."""
HOUSEHOLDS = Bound(Decimal(1_000_000))
PERSONS = Bound(Decimal(10_000_000))
HEAD = Bound(Decimal(100_000_000))
"""Livestock and poultry, in head."""
COUNT = Bound(Decimal(1_000_000))
"""Other counts: classrooms, votes, months …"""
AREA_HA = Bound(Decimal(10_000_000))
"""An area in hectares (the largest province is under 2 million ha)."""
LENGTH_KM = Bound(Decimal(1_000_000))
INCOME_MVND = Bound(Decimal(100_000))
"""An income per person per year in million VND."""
PERCENT = Bound(Decimal(100))
LINE_NUMBER = Bound(Decimal(1_000_000), Decimal(1))
INDICATOR = Bound(Decimal(1_000_000_000_000), Decimal(-1_000_000_000_000))
"""A socio-economic indicator's value, in whatever unit the indicator has."""

NOTE_TEXT = 2_000
"""Characters of a note, a reason or a comment on a line."""
LONG_TEXT = 10_000
"""Characters of a narrative text (a decision, findings, results of the year)."""
