"""What the preview of an F6 upload says about each new line and about the values the file did
not give: every field a new line fills as the officer reads it (a choice by its label), and
one note per value computed from its parts or sector taken from a heading row, with the
count and the first rows."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehoach.core.numbers import format_number_vi
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import LINE_FIELDS, field_label

from ...layouts import FormLayout
from ..base import RowValues, compare

NOTE_ROWS = 5
"""Rows named in a note that says a value was computed or taken from a heading (then "…")."""
PARTS = {
    "contribution_cash_mvnd": gettext_lazy("cash"),
    "contribution_labour_mvnd": gettext_lazy("labour (converted)"),
    "contribution_materials_mvnd": gettext_lazy("materials and land"),
    "contribution_mvnd": gettext_lazy("the contribution"),
    "external_support_mvnd": gettext_lazy("the external support"),
}
"""How a note names the parts a value was computed from (a field's label otherwise)."""


def _computed(row: RowValues) -> set[str]:
    """The keys of a row whose value the reading computed from its parts (``sum_of``,
    ``RowValues.computed``), and "sector" when it came from the heading row above (the file
    has no sector column, or the reading marked it computed)."""
    found = set(getattr(row, "computed", ()) or ())
    if "sector" not in row.letters and row.values.get("sector") is not None:
        found.add("sector")
    return found


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(n) for n in rows[:NOTE_ROWS])
    return shown + (" …" if len(rows) > NOTE_ROWS else "")


def _derived_notes(rows: list[RowValues], layout: FormLayout) -> list[str]:
    """One note per value computed from its parts, and one for the sectors taken from heading
    rows (the file has no sector column, or the reading marked ``"sector"`` computed), each
    with the count and the first rows (readable for 20,000 lines)."""
    found: dict[str, list[int]] = {}
    headed: list[int] = []
    for row in rows:
        for key in _computed(row):
            found.setdefault(key, []).append(row.number)
    headed += found.pop("sector", [])
    notes = []
    for column in layout.columns:
        numbers = found.get(column.key)
        if not numbers:
            continue
        parts = getattr(column, "sum_of", ()) or ()
        notes.append(
            _("%(field)s computed from %(parts)s in %(count)s rows (rows %(rows)s).")
            % {
                "field": field_label(column.key),
                "parts": ", ".join(str(PARTS.get(p) or field_label(p)) for p in parts)
                or _("its parts"),
                "count": format_number_vi(len(numbers)),
                "rows": _rows_text(numbers),
            }
        )
    if headed:
        headed.sort()
        notes.append(
            _("Sector taken from the heading row above in %(count)s rows (rows %(rows)s).")
            % {"count": format_number_vi(len(headed)), "rows": _rows_text(headed)}
        )
    return notes


def _added_fields(
    values: dict[str, Any],
    labels: dict[str, str],
    computed: AbstractSet[str] = frozenset(),
) -> list[tuple[str, str, str]]:
    """Every field a new line fills (in the form's order), as the preview shows it: a choice
    by its label, not its code; a value computed from its parts (or a sector taken from the
    heading row) says so."""
    fields = []
    for key in LINE_FIELDS:
        choices = dict(getattr(ProposalLine._meta.get_field(key), "choices", None) or [])
        for label, _before, after in compare({}, values, labels, [key]):
            shown = str(choices.get(values[key], after))
            if key in computed:
                shown = (
                    _("%(value)s (from the heading row)")
                    if key == "sector"
                    else _("%(value)s (computed from its parts)")
                ) % {"value": shown}
            fields.append((label, "—", shown))
    return fields
