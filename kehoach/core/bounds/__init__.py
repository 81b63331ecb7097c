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

One module per job: ``kinds`` (the bounds of the real world), ``limits`` (what a field
accepts), ``checks`` (the pure check of values), ``constraints`` (``bounded``) and ``stored``
(rows already stored outside their bounds); every name is importable from
``kehoach.core.bounds``.
"""

from __future__ import annotations

from .checks import Problem, errors_for, number_problem, problems, text_problem
from .constraints import bounded, constraint_name
from .kinds import (
    AREA_HA,
    COUNT,
    HEAD,
    HOUSEHOLDS,
    INCOME_MVND,
    INDICATOR,
    LABOUR_DAYS,
    LAND_M2,
    LENGTH_KM,
    LINE_NUMBER,
    LONG_TEXT,
    MONEY_MVND,
    NOTE_TEXT,
    PERCENT,
    PERSONS,
    QUANTITY,
    Bound,
)
from .limits import Limits, limits_of
from .stored import OutOfBoundsRows, StoredProblem, out_of_bounds, refuse_out_of_bounds

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
    "OutOfBoundsRows",
    "Problem",
    "StoredProblem",
    "bounded",
    "constraint_name",
    "errors_for",
    "limits_of",
    "number_problem",
    "out_of_bounds",
    "problems",
    "refuse_out_of_bounds",
    "text_problem",
]
