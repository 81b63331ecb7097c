"""The difference between two snapshots of a commune plan (amendments, R23)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..choices import LineState

ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")


def active_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for line in data.get("lines", []) if line["state"] == LineState.ACTIVE]


# --- difference between two snapshots --------------------------------------------------------

DIFF_FIELDS = [
    "activity",
    "location",
    "quantity",
    "total",
    "contribution",
    "support",
    "decision",
    "decision_reason",
]
MONEY_FIELDS = {"quantity", "total", "contribution", "support"}


@dataclass
class LineChange:
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def line(self) -> dict[str, Any]:
        return self.new or self.old or {}


@dataclass
class Diff:
    added: list[LineChange]
    removed: list[LineChange]
    changed: list[LineChange]
    totals: dict[str, tuple[Decimal, Decimal]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _funding(line: dict[str, Any]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in line.get("funding", []):
        sums[item["source"]] += Decimal(item["amount"])
    return dict(sums)


def _label(name: str) -> str:
    labels = {
        "activity": _("Activity"),
        "location": _("Location"),
        "quantity": _("Quantity"),
        "total": _("Total cost"),
        "contribution": _("Village contribution"),
        "support": _("External support requested"),
        "decision": _("Commune decision"),
        "decision_reason": _("Reason"),
    }
    return labels.get(name, name)


def versions_diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Lines added, removed and changed (with each changed field, amounts and funding by
    source) from ``old`` to ``new``; lines are matched by their uid."""
    before = {line["uid"]: line for line in active_lines(old)}
    after = {line["uid"]: line for line in active_lines(new)}
    added = [LineChange(None, after[uid]) for uid in after if uid not in before]
    removed = [LineChange(before[uid], None) for uid in before if uid not in after]
    changed = []
    for uid, line in after.items():
        if uid not in before:
            continue
        previous = before[uid]
        fields = []
        for name in DIFF_FIELDS:
            a, b = previous.get(name), line.get(name)
            if name in MONEY_FIELDS:
                a, b = Decimal(a or 0), Decimal(b or 0)
            if a != b:
                fields.append((name, a, b))
        fa, fb = _funding(previous), _funding(line)
        for source in sorted(set(fa) | set(fb)):
            if fa.get(source, ZERO) != fb.get(source, ZERO):
                fields.append((f"funding:{source}", fa.get(source, ZERO), fb.get(source, ZERO)))
        if fields:
            changed.append(LineChange(previous, line, fields))
    totals = {}
    for name in ("total", "contribution", "support"):
        totals[name] = (
            sum((Decimal(x[name]) for x in before.values()), ZERO),
            sum((Decimal(x[name]) for x in after.values()), ZERO),
        )
    totals["funded"] = (
        sum((sum(_funding(x).values(), ZERO) for x in before.values()), ZERO),
        sum((sum(_funding(x).values(), ZERO) for x in after.values()), ZERO),
    )
    order = lambda change: change.line.get("number", 0)  # noqa: E731
    return Diff(
        added=sorted(added, key=order),
        removed=sorted(removed, key=order),
        changed=sorted(changed, key=order),
        totals=totals,
    )


def field_label(name: str) -> str:
    if name.startswith("funding:"):
        return _("Funding from %(source)s") % {"source": name.split(":", 1)[1]}
    return _label(name)


# --- feedback to a village (F13) -------------------------------------------------------------
