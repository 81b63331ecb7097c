"""Other apps add sections to a commune's, a province's or a village's page and to the home
page without geo importing them (see ``kehoach.core.panels``)."""

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


def register_home_panel(panel: Panel) -> None:
    """Shown on the home page (``obj`` is the user): what each of the user's roles must do now."""
    register_panel("home", panel)


def register_village_panel(panel: Panel) -> None:
    """Shown on a village's page (its plans, for instance)."""
    register_panel("village", panel)


def home_panels(request: HttpRequest) -> list[dict[str, Any]]:
    return panels_for("home", request, request.user)


def village_panels(request: HttpRequest, village: AdministrativeUnit) -> list[dict[str, Any]]:
    return panels_for("village", request, village)
