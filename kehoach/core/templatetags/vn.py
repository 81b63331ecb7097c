"""Template filters for Vietnamese numbers: {{ amount|money }} → 1.234,5; {{ n|number:0 }}."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kehoach.core.numbers import format_number_vi

register = template.Library()


@register.filter
def number(value: Any, decimals: int = 0) -> str:
    if value is None or value == "":
        return ""
    return format_number_vi(Decimal(str(value)), int(decimals))


@register.filter
def money(value: Any, decimals: int = 1) -> str:
    """Million VND with the profile's decimals (1 by default); trailing ",0" kept for columns."""
    if value is None or value == "":
        return ""
    return format_number_vi(Decimal(str(value)), int(decimals))


@register.filter
def compact(value: Any) -> str:
    """A decimal without useless zeros: 2,500 → 2,5; 3,000 → 3."""
    if value is None or value == "":
        return ""
    text = format_number_vi(Decimal(str(value)), 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


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
    if value is None or value == "":
        return ""
    return format_number_vi(Decimal(str(value)), int(decimals)) + "%"
