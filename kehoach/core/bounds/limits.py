"""What a field accepts (``limits_of``): its declared bound, or what its column can hold."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "PositiveSmallIntegerField": (0, 32_767),
    "SmallIntegerField": (-32_768, 32_767),
    "PositiveIntegerField": (0, 2_147_483_647),
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "PositiveBigIntegerField": (0, 9_223_372_036_854_775_807),
    "BigIntegerField": (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807),
}


@dataclass(frozen=True)
class Limits:
    """What a field accepts: numbers from ``minimum`` to ``maximum``, or at most ``length``
    characters; ``places`` decimals for a decimal field."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    length: int | None = None
    places: int = 0


def is_number_field(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)


@functools.lru_cache(maxsize=4096)
def limits_of(model: type[models.Model], name: str) -> Limits:
    """The declared bound of a field, or what its column can hold when none is declared
    (memoised: a model's fields do not change while the process runs)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    if isinstance(field, models.CharField | models.TextField):
        return Limits(length=field.max_length)
    if not is_number_field(field):
        return Limits()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    places = 0
    if isinstance(field, models.DecimalField):
        places = field.decimal_places or 0
        room = Decimal(10) ** ((field.max_digits or 0) - places) - Decimal(1).scaleb(-places)
        minimum, maximum = -room, room
    elif field.get_internal_type() in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[field.get_internal_type()]
        minimum, maximum = Decimal(low), Decimal(high)
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        if callable(limit) or limit is None:
            continue
        if isinstance(validator, MinValueValidator):
            value = Decimal(str(limit))
            minimum = value if minimum is None else max(minimum, value)
        elif isinstance(validator, MaxValueValidator):
            value = Decimal(str(limit))
            maximum = value if maximum is None else min(maximum, value)
    return Limits(minimum=minimum, maximum=maximum, places=places)
