"""The rows of the tables of units (a commune's villages, a province's communes), each cell
worked out once per page rather than by template filters row by row."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from .choices import Kind
from .models import AdministrativeUnit

# A unit code that ``reverse`` would put into a URL as it is (no quoting needed).
_PLAIN_CODE = re.compile(r"[0-9A-Za-z._-]+")


def _unit_url_maker() -> Callable[[str], str]:
    """``reverse("geo:unit", args=[code])`` for many codes at the price of one ``reverse`` (a
    list of 30 villages would otherwise spend more on its links than on the rest of the page)."""
    marker = "code"
    head, _sep, tail = reverse("geo:unit", args=[marker]).rpartition(marker)

    def url(code: str) -> str:
        if _PLAIN_CODE.fullmatch(code):
            return f"{head}{code}{tail}"
        return reverse("geo:unit", args=[code])

    return url


def _dmy(day: datetime.date | None) -> str:
    """``day|date:"d/m/Y"`` without the template filter ("" for no date)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def unit_rows(units: QuerySet[AdministrativeUnit]) -> list[dict[str, Any]]:
    """The rows of a table of units (a commune's villages, a province's communes) with what each
    cell shows worked out once per page — the kind's label (``get_kind_display`` translates every
    kind of unit on each call), the link, the date — and only the columns the tables show."""
    kinds = {value: str(label) for value, label in Kind.choices}
    url = _unit_url_maker()
    return [
        {
            "code": v["code"],
            "name": v["name"],
            "valid_to": v["valid_to"],
            "url": url(v["code"]),
            "kind_label": kinds.get(v["kind"], v["kind"]),
            "since": _dmy(v["valid_from"]),
        }
        for v in units.values("code", "name", "kind", "valid_from", "valid_to")
    ]
