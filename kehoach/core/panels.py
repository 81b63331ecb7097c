"""Sections that one app adds to another app's page without the page's app importing it.

A page has named slots ("commune", "province", "village_plan", "round" …). An app registers a
function ``(request, obj) -> (template name, context) | None`` for a slot in its
``AppConfig.ready()``; the page renders what ``panels_for(slot, request, obj)`` returns, in
registration order. Returning ``None`` shows nothing (for instance to a user without rights).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]
PANELS: dict[str, list[Panel]] = {}


def register_panel(slot: str, panel: Panel) -> None:
    registered = PANELS.setdefault(slot, [])
    if panel not in registered:
        registered.append(panel)


def panels_for(slot: str, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
    shown = []
    for panel in PANELS.get(slot, []):
        result = panel(request, obj)
        if result is not None:
            template, context = result
            shown.append({"template": template, "context": context})
    return shown
