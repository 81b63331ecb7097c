"""Every value a user can write has a bound that fits the real world, declared once.

A bound is declared on the model field, as Django validators (``Bound.validators()``) for
numbers and as ``max_length`` for text. From that one declaration:

* ``problems(model, values)`` — the pure check the services' validators run for the web forms,
  the Excel importers and (later) the API alike: a number that is not finite, below its minimum
  or above its maximum, a text longer than its limit; each with a stable code and a Vietnamese
  sentence that names the limit ("at most 1.000.000.000");
* ``bounded`` — a class decorator that adds one database check constraint per model
  (``<table>_bounds``), so no path (a script, a bug, a forgotten service) can store a value the
  pages cannot show. PostgreSQL already refuses a number that does not fit ``numeric(14, 3)`` or
  ``integer``; SQLite stores anything, which is how a quantity of 1e20 once broke a plan;
* ``out_of_bounds(model)`` — the rows already stored outside their bounds, for the migration
  that adds the constraints (it reports them and repairs nothing) and ``manage.py
  check_bounds``;
* ``limits_of(model, field)`` — minimum, maximum and length, for forms to show.

A numeric field without an explicit bound is still bounded by what its column can hold
(``max_digits``/``decimal_places``, the integer range), which is what keeps every stored value
readable.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext as _

from .numbers import format_number_vi

__all__ = [
    "AREA_HA",
    "COUNT",
    "HEAD",
    "HOUSEHOLDS",
    "INCOME_MVND",
    "INDICATOR",
    "LABOUR_DAYS",
    "LAND_M2",
    "LENGTH_KM",
    "LINE_NUMBER",
    "LONG_TEXT",
    "MONEY_MVND",
    "NOTE_TEXT",
    "PERCENT",
    "PERSONS",
    "QUANTITY",
    "Bound",
    "Limits",
    "Problem",
    "bounded",
    "limits_of",
    "out_of_bounds",
    "problems",
]

M = TypeVar("M", bound=type[models.Model])


@dataclass(frozen=True)
class Bound:
    """The range of one kind of value. ``maximum`` is inclusive."""

    maximum: Decimal
    minimum: Decimal = Decimal(0)

    def validators(self) -> list[Any]:
        return [MinValueValidator(self.minimum), MaxValueValidator(self.maximum)]


# The bounds of the real world, generous enough for the largest commune of the country and
# small enough that every total of a plan still fits its column (design.md: money in million
# VND; a commune line costs at most 10 million million VND).
MONEY_MVND = Bound(Decimal(10_000_000))
"""An amount in million VND: at most 10.000.000 million VND (10 million million đồng)."""
QUANTITY = Bound(Decimal(1_000_000_000))
"""A quantity in its unit of measure (m, m², m³, km, head, household …)."""
LABOUR_DAYS = Bound(Decimal(10_000_000))
LAND_M2 = Bound(Decimal(100_000_000))
"""Land given, in m² (100 km²)."""
HOUSEHOLDS = Bound(Decimal(1_000_000))
PERSONS = Bound(Decimal(10_000_000))
HEAD = Bound(Decimal(100_000_000))
"""Livestock and poultry, in head."""
COUNT = Bound(Decimal(1_000_000))
"""Other counts: classrooms, votes, months …"""
AREA_HA = Bound(Decimal(10_000_000))
"""An area in hectares (the largest province is under 2 million ha)."""
LENGTH_KM = Bound(Decimal(1_000_000))
INCOME_MVND = Bound(Decimal(100_000))
"""An income per person per year in million VND."""
PERCENT = Bound(Decimal(100))
LINE_NUMBER = Bound(Decimal(1_000_000), Decimal(1))
INDICATOR = Bound(Decimal(1_000_000_000_000), Decimal(-1_000_000_000_000))
"""A socio-economic indicator's value, in whatever unit the indicator has."""

NOTE_TEXT = 2_000
"""Characters of a note, a reason or a comment on a line."""
LONG_TEXT = 10_000
"""Characters of a narrative text (a decision, findings, results of the year)."""

_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "PositiveSmallIntegerField": (0, 32_767),
    "SmallIntegerField": (-32_768, 32_767),
    "PositiveIntegerField": (0, 2_147_483_647),
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "PositiveBigIntegerField": (0, 9_223_372_036_854_775_807),
    "BigIntegerField": (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807),
}


@dataclass(frozen=True)
class Limits:
    """What a field accepts: numbers from ``minimum`` to ``maximum``, or at most ``length``
    characters; ``places`` decimals for a decimal field."""

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    length: int | None = None
    places: int = 0


@dataclass(frozen=True)
class Problem:
    """A value outside its field's bound: the field, a stable code, the problem in a sentence
    (without the field's name, which the caller puts where its messages put it)."""

    field: str
    code: str
    text: str


def _is_number_field(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)


@functools.lru_cache(maxsize=4096)
def limits_of(model: type[models.Model], name: str) -> Limits:
    """The declared bound of a field, or what its column can hold when none is declared
    (memoised: a model's fields do not change while the process runs)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    if isinstance(field, models.CharField | models.TextField):
        return Limits(length=field.max_length)
    if not _is_number_field(field):
        return Limits()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    places = 0
    if isinstance(field, models.DecimalField):
        places = field.decimal_places or 0
        room = Decimal(10) ** ((field.max_digits or 0) - places) - Decimal(1).scaleb(-places)
        minimum, maximum = -room, room
    elif field.get_internal_type() in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[field.get_internal_type()]
        minimum, maximum = Decimal(low), Decimal(high)
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        if callable(limit) or limit is None:
            continue
        if isinstance(validator, MinValueValidator):
            value = Decimal(str(limit))
            minimum = value if minimum is None else max(minimum, value)
        elif isinstance(validator, MaxValueValidator):
            value = Decimal(str(limit))
            maximum = value if maximum is None else min(maximum, value)
    return Limits(minimum=minimum, maximum=maximum, places=places)


def _number_text(value: Decimal) -> str:
    """A bound or a value for a message, the Vietnamese way; an absurd value as typed."""
    if not value.is_finite() or abs(value) >= Decimal("1e18"):
        return str(value)
    text = format_number_vi(value, 6)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def number_problem(limits: Limits, value: Any, *, money: bool = False) -> tuple[str, str] | None:
    """(code, text) when a number is not finite or outside ``limits``; None when it fits.
    ``money``: an amount (the message says so)."""
    number = _as_decimal(value)
    if number is None or not number.is_finite():
        return "not_a_number", _("“%(value)s” is not a number.") % {"value": value}
    if limits.maximum is not None and number > limits.maximum:
        return "value_too_large", _(
            "%(value)s is more than the largest value allowed, %(max)s; check the number "
            "and its unit."
        ) % {"value": _number_text(number), "max": _number_text(limits.maximum)}
    if limits.minimum is not None and number < limits.minimum:
        if limits.minimum == 0 and money:
            return "amount_negative", _("the amount cannot be negative.")
        if limits.minimum == 0:
            return "value_negative", _("the number cannot be negative.")
        return "value_too_small", _(
            "%(value)s is less than the smallest value allowed, %(min)s."
        ) % {"value": _number_text(number), "min": _number_text(limits.minimum)}
    return None


def text_problem(limits: Limits, value: Any) -> tuple[str, str] | None:
    if limits.length is not None and isinstance(value, str) and len(value) > limits.length:
        return "text_too_long", _(
            "the text has %(n)s characters; at most %(max)s are allowed. Shorten it."
        ) % {"n": format_number_vi(Decimal(len(value)), 0), "max": limits.length}
    return None


def problems(
    model: type[models.Model], values: Mapping[str, Any], fields: Iterable[str] | None = None
) -> list[Problem]:
    """Every value of ``values`` (field name → value, None and absent fields skipped) that
    its field of ``model`` does not accept. Pure: reads nothing, writes nothing."""
    found: list[Problem] = []
    names = list(values) if fields is None else [f for f in fields if f in values]
    kinds = _field_kinds(model)
    for name in names:
        value = values[name]
        if value is None or value == "":
            continue
        kind = kinds.get(name)
        if kind == "number":
            problem = number_problem(limits_of(model, name), value, money=name.endswith("_mvnd"))
        elif kind == "text":
            problem = text_problem(limits_of(model, name), value)
        else:  # not a bounded field of the model (a form's extra key, a relation)
            problem = None
        if problem is not None:
            found.append(Problem(name, *problem))
    return found


@functools.lru_cache(maxsize=256)
def _field_kinds(model: type[models.Model]) -> dict[str, str]:
    """Field name → "number" or "text" for the fields that have a bound."""
    kinds: dict[str, str] = {}
    for field in model._meta.get_fields():
        if not isinstance(field, models.Field):
            continue
        if _is_number_field(field):
            kinds[field.name] = "number"
        elif isinstance(field, models.CharField | models.TextField):
            kinds[field.name] = "text"
    return kinds


def _conditions(model: type[models.Model]) -> Iterator[Q]:
    for field in model._meta.local_concrete_fields:
        if field.primary_key or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField):
            if field.max_length:
                yield Q(LessThanOrEqual(Length(field.name), field.max_length))
            continue
        if not _is_number_field(field):
            continue
        limits = limits_of(model, field.name)
        if limits.maximum is not None:
            yield Q(**{f"{field.name}__lte": limits.maximum})
        if limits.minimum is not None:
            yield Q(**{f"{field.name}__gte": limits.minimum})


def constraint_name(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_bounds"


def bounded(model: M) -> M:
    """Add the check constraint ``<table>_bounds`` made from the model's declared bounds (every
    number within its range, every text within its length). Apply it to the model class; the
    migration autodetector sees the constraint like any other."""
    conditions = list(_conditions(model))
    if not conditions:
        return model
    condition = conditions[0]
    for more in conditions[1:]:
        condition &= more
    constraint = models.CheckConstraint(condition=condition, name=constraint_name(model))
    meta = model._meta
    meta.constraints = [c for c in meta.constraints if c.name != constraint.name] + [constraint]
    meta.original_attrs["constraints"] = meta.constraints
    return model


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
        if not _is_number_field(field):
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
                        "min": _number_text(limits.minimum or Decimal(0)),
                        "max": _number_text(limits.maximum or Decimal(0)),
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


def errors_for(
    model: type[models.Model],
    values: Mapping[str, Any],
    make: Any,
    fields: Iterable[str] | None = None,
) -> list[Any]:
    """``problems`` turned into the caller's errors: ``make(field, code, text)`` builds one
    (each service words "where" its own way: "Line 3, quantity: …", "Ethnic groups, row 2 …")."""
    return [make(p.field, p.code, p.text) for p in problems(model, values, fields)]
