"""Other apps add sections to a commune's or a province's page without geo importing them
(see ``kehoach.core.panels``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehoach.core.panels import Panel, panels_for, register_panel

from .models import AdministrativeUnit


def register_commune_panel(panel: Panel) -> None:
    register_panel("commune", panel)


def register_province_panel(panel: Panel) -> None:
    """Shown on the page of a province and of a former district."""
    register_panel("province", panel)


def commune_panels(request: HttpRequest, commune: AdministrativeUnit) -> list[dict[str, Any]]:
    return panels_for("commune", request, commune)


def province_panels(request: HttpRequest, unit: AdministrativeUnit) -> list[dict[str, Any]]:
    return panels_for("province", request, unit)
