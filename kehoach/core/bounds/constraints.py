"""``bounded``: the database check constraint ``<table>_bounds`` made from a model's declared
bounds, so no path (a script, a bug, a forgotten service) can store a value the pages cannot
show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from .limits import is_number_field, limits_of

M = TypeVar("M", bound=type[models.Model])


def _conditions(model: type[models.Model]) -> Iterator[Q]:
    for field in model._meta.local_concrete_fields:
        if field.primary_key or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField):
            if field.max_length:
                yield Q(LessThanOrEqual(Length(field.name), field.max_length))
            continue
        if not is_number_field(field):
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
