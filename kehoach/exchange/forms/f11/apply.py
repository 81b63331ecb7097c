"""F11: the confirmation — every change, read now or kept from the check
(``keep``/``restore``/``write``), at once through ``envelope_lines_apply`` with the real user."""

from __future__ import annotations

from typing import Any

from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.services.envelope import (
    ADD,
    CHANGE,
    REMOVE,
    EnvelopeChange,
    envelope_lines_apply,
)

from .. import kept as keeping
from .common import Item, Reading, _refusal


def apply(actor: Any, plan: CommunePlan, reading: Reading) -> dict[str, int]:
    """Every change at once through the envelope's batch writer, with the real user."""
    return write(actor, plan, reading.items)


def write(actor: Any, plan: CommunePlan, items: list[Item]) -> dict[str, int]:
    """Every change (read now or kept from the check) at once through the envelope's batch
    writer, with the real user: the lines it may not change refused first."""
    for item in items:
        refused = _refusal(actor, plan, item)
        if refused is not None:
            raise refused
    kinds = {"add": ADD, "change": CHANGE, "remove": REMOVE}
    envelope_lines_apply(
        actor=actor,
        round_=plan.round,
        changes=[
            EnvelopeChange(
                kinds[item.kind],
                line=item.line,
                data=item.data,
                villages=item.villages,
                version=item.version,
            )
            for item in items
        ],
    )
    counts = {"added": 0, "changed": 0, "deleted": 0}
    for item in items:
        counts[{"add": "added", "change": "changed", "remove": "deleted"}[item.kind]] += 1
    return counts


KEPT_VERSION = 1


def keep(reading: Reading) -> dict[str, Any]:
    """The changes as JSON: ``[kind, row, line, version, data, villages]`` each (the line and
    the villages by key, the values as the check read them)."""
    return {
        "v": KEPT_VERSION,
        "items": [
            [
                item.kind,
                item.row,
                None if item.line is None else keeping.dump(item.line),
                item.version,
                keeping.dump(item.data),
                None if item.villages is None else keeping.dump(item.villages),
            ]
            for item in reading.items
        ],
    }


def restore(plan: CommunePlan, kept: dict[str, Any]) -> list[Item]:
    """The kept changes back: the envelope lines, catalog entries and villages they name read
    once per table (one deleted since refuses the confirmation)."""
    kept = keeping.opened(kept, KEPT_VERSION)
    loader = keeping.Loader()
    loader.fetch(kept["items"])
    return [
        Item(
            kind,
            loader.load(line),
            loader.load(data),
            loader.load(villages),
            version,
            row,
            {},
        )
        for kind, row, line, version, data, villages in kept["items"]
    ]
