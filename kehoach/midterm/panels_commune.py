"""Sections this app adds to other apps' pages: on a commune's page, the way to the commune
five-year plan of each of its five-year periods.

The panel costs no query (the commune page's query count is bounded and must not grow with
each app's panel): it links to the list of the commune's periods, each linking to its
commune five-year plan (``views.commune.commune_plans_view``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehoach.geo.choices import Level


def commune_five_year_panel(
    request: HttpRequest, commune: Any
) -> tuple[str, dict[str, Any]] | None:
    """The commune page's section leading to the commune five-year plans."""
    if getattr(commune, "level", None) != Level.COMMUNE:
        return None
    return "midterm/commune_panel.html", {"commune": commune}


def register() -> None:
    from kehoach.geo.panels import register_commune_panel

    register_commune_panel(commune_five_year_panel)
