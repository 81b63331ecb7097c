"""Other apps add sections to a commune's page without geo importing them: an app registers a
function (request, commune) → (template name, context) or None in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from .models import AdministrativeUnit

Panel = Callable[[HttpRequest, AdministrativeUnit], tuple[str, dict[str, Any]] | None]
COMMUNE_PANELS: list[Panel] = []


def register_commune_panel(panel: Panel) -> None:
    if panel not in COMMUNE_PANELS:
        COMMUNE_PANELS.append(panel)


def commune_panels(request: HttpRequest, commune: AdministrativeUnit) -> list[dict[str, Any]]:
    shown = []
    for panel in COMMUNE_PANELS:
        result = panel(request, commune)
        if result is not None:
            template, context = result
            shown.append({"template": template, "context": context})
    return shown
