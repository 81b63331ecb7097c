"""Filters of the public pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..tables import month_text

register = template.Library()


@register.filter
def month(value: Any) -> str:
    """A month of a snapshot as people write it: "2027-03" → "03/2027"."""
    if not value:
        return ""
    return month_text(str(value))
