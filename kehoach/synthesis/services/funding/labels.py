"""How the allocation and the planner's decisions name an envelope line (a pot) and a
commune line, and the villages a commune line serves."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ...models import CommuneLine, EnvelopeLine


def pot_label(envelope_line: EnvelopeLine) -> str:
    if envelope_line.sector_id:
        return _("%(source)s, sector %(sector)s") % {
            "source": envelope_line.source.code,
            "sector": envelope_line.sector.name,  # type: ignore[union-attr]
        }
    return envelope_line.source.code


def line_label(line: CommuneLine) -> str:
    return _("Line %(number)s – %(activity)s") % {"number": line.number, "activity": line.activity}


def villages_of(line: CommuneLine) -> list[Any]:
    seen: dict[int, Any] = {}
    for source in line.sources.all():
        if not source.withdrawn:
            village = source.village_line.plan.village
            seen[village.pk] = village
    return list(seen.values())
