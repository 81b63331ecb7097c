"""The pure check of values against their fields' bounds (``problems``): what the services'
validators run for the web forms, the Excel importers and the API alike. Reads nothing, writes
nothing."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from ..numbers import format_number_vi
from .limits import Limits, is_number_field, limits_of


@dataclass(frozen=True)
class Problem:
    """A value outside its field's bound: the field, a stable code, the problem in a sentence
    (without the field's name, which the caller puts where its messages put it)."""

    field: str
    code: str
    text: str


def number_text(value: Decimal) -> str:
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
        ) % {"value": number_text(number), "max": number_text(limits.maximum)}
    if limits.minimum is not None and number < limits.minimum:
        if limits.minimum == 0 and money:
            return "amount_negative", _("the amount cannot be negative.")
        if limits.minimum == 0:
            return "value_negative", _("the number cannot be negative.")
        return "value_too_small", _(
            "%(value)s is less than the smallest value allowed, %(min)s."
        ) % {"value": number_text(number), "min": number_text(limits.minimum)}
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
        if is_number_field(field):
            kinds[field.name] = "number"
        elif isinstance(field, models.CharField | models.TextField):
            kinds[field.name] = "text"
    return kinds


def errors_for(
    model: type[models.Model],
    values: Mapping[str, Any],
    make: Any,
    fields: Iterable[str] | None = None,
) -> list[Any]:
    """``problems`` turned into the caller's errors: ``make(field, code, text)`` builds one
    (each service words "where" its own way: "Line 3, quantity: …", "Ethnic groups, row 2 …")."""
    return [make(p.field, p.code, p.text) for p in problems(model, values, fields)]
