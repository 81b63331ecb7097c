"""Percentages computed from two numbers, never stored twice."""

from __future__ import annotations

from decimal import Decimal

from .decimals import (
    _round,
    _to_decimal,
)

# --- percentages ------------------------------------------------------------------------------


def percent(
    numerator: int | float | Decimal | None,
    denominator: int | float | Decimal | None,
    decimals: int = 1,
) -> Decimal | None:
    """``numerator / denominator`` in percent, rounded half up; ``None`` when undefined."""
    if numerator is None or denominator is None:
        return None
    bottom = _to_decimal(denominator)
    if bottom == 0:
        return None
    return _round(_to_decimal(numerator) * 100 / bottom, decimals)
