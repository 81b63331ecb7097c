"""Rows already stored outside their bounds (``out_of_bounds``), for ``manage.py check_bounds``
and for the migrations that add the constraints (``refuse_out_of_bounds``), which report them
and repair nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from .checks import number_text
from .limits import is_number_field, limits_of


@dataclass(frozen=True)
class StoredProblem:
    """A stored row outside its bound (for reports)."""

    table: str
    pk: Any
    field: str
    value: Any
    problem: str


def out_of_bounds(model: type[models.Model], manager: Any = None) -> list[StoredProblem]:
    """Rows of ``model`` already stored with a value outside its bound, found by the database
    (so values that Python cannot even read are found too) and described in words. Used by
    the migration that adds the constraints, which reports and repairs nothing."""
    queryset = (manager if manager is not None else model._default_manager).all()
    found: list[StoredProblem] = []
    for field in model._meta.local_concrete_fields:
        if field.primary_key or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField) and field.max_length:
            rows = queryset.annotate(_length=Length(field.name)).filter(
                _length__gt=field.max_length
            )
            for pk, length in rows.values_list("pk", "_length")[:1000]:
                found.append(
                    StoredProblem(
                        model._meta.db_table,
                        pk,
                        field.name,
                        _("%(n)s characters") % {"n": length},
                        _("longer than %(max)s characters") % {"max": field.max_length},
                    )
                )
            continue
        if not is_number_field(field):
            continue
        limits = limits_of(model, field.name)
        outside = Q()
        if limits.maximum is not None:
            outside |= Q(**{f"{field.name}__gt": limits.maximum})
        if limits.minimum is not None:
            outside |= Q(**{f"{field.name}__lt": limits.minimum})
        if not outside:
            continue
        # The value is read as text by the database: a stored 1e20 cannot be read as a
        # decimal of its field.
        rows = queryset.filter(outside).annotate(
            _text=models.functions.Cast(field.name, models.TextField())
        )
        for pk, text in rows.values_list("pk", "_text")[:1000]:
            found.append(
                StoredProblem(
                    model._meta.db_table,
                    pk,
                    field.name,
                    text,
                    _("outside %(min)s … %(max)s")
                    % {
                        "min": number_text(limits.minimum or Decimal(0)),
                        "max": number_text(limits.maximum or Decimal(0)),
                    },
                )
            )
    return found


class OutOfBoundsRows(Exception):
    """Stored rows that a new bound would refuse: the migration stops and names them."""


def refuse_out_of_bounds(*labels: str) -> Any:
    """A ``RunPython`` step for the migration that adds bounds: if any stored row of the given
    models (``"app.Model"``) is outside its bound, stop the migration and list the rows —
    nothing is changed or clamped. Correct or delete them on the pages (a page shows such a
    row and lets it be edited or deleted) or list them first with ``manage.py check_bounds``,
    then migrate again."""

    def run(apps: Any, schema_editor: Any) -> None:
        found: list[StoredProblem] = []
        for label in labels:
            found.extend(out_of_bounds(apps.get_model(label)))
        if found:
            lines = [
                f"  {p.table} id={p.pk}: {p.field} = {p.value} ({p.problem})" for p in found[:200]
            ]
            more = f"\n  … and {len(found) - 200} more" if len(found) > 200 else ""
            raise OutOfBoundsRows(
                f"{len(found)} stored value(s) are outside the bounds this migration adds; "
                "nothing was changed. Correct or delete them (manage.py check_bounds lists "
                "them), then run migrate again:\n" + "\n".join(lines) + more
            )

    return run
