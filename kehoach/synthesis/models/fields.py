"""The keyword arguments of the synthesis' number fields: column size and declared bound."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator

from kehoach.core import bounds

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
LINE_MONEY: dict[str, Any] = {**MONEY, "validators": bounds.MONEY_MVND.validators()}
HH: dict[str, Any] = {"validators": bounds.HOUSEHOLDS.validators()}
INDICATOR: dict[str, Any] = {
    "max_digits": 16,
    "decimal_places": 3,
    "null": True,
    "blank": True,
    "validators": bounds.INDICATOR.validators(),
}
PERCENT: dict[str, Any] = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}
