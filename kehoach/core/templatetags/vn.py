"""Template filters for Vietnamese numbers: {{ amount|money }} → 1.234,5; {{ n|number:0 }}.

A filter never raises: a value that is not a number (or a stored value out of this world)
is shown as it is, so that a page with one bad value still opens and the value can be
corrected.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kehoach.core.numbers import format_number_vi

register = template.Library()


def _formatted(value: Any, decimals: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_number_vi(Decimal(str(value)), int(decimals))
    except (ArithmeticError, TypeError, ValueError):
        return str(value)


@register.filter
def number(value: Any, decimals: int = 0) -> str:
    return _formatted(value, decimals)


@register.filter
def money(value: Any, decimals: int = 1) -> str:
    """Million VND with the profile's decimals (1 by default); trailing ",0" kept for columns."""
    return _formatted(value, decimals)


@register.filter
def compact(value: Any) -> str:
    """A decimal without useless zeros: 2,500 → 2,5; 3,000 → 3."""
    text = _formatted(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text and text[-1:].isdigit() else text


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ row.by_source|get:source.pk }}``: a dictionary's value for a key, or ""."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def pct(value: Any, decimals: int = 1) -> str:
    """A percentage: 62,5% (empty when undefined)."""
    text = _formatted(value, decimals)
    return f"{text}%" if text else ""
