"""Reading a stored decimal never raises.

SQLite does not enforce ``max_digits``: a value such as 1e20 in a ``max_digits=14`` column, or
a text such as ``NaN`` or ``Infinity``, can be stored (by an older release, a hand edit, another
program). Django's converter then raises ``decimal.InvalidOperation`` (or ``TypeError``) on
every read of the row, and every page that shows it answers 500, including the pages that
would let a user correct or delete it. Here a value that cannot be quantized to the field's
places comes back exact (unquantized), a non-finite one as ``Decimal`` NaN or infinity, and a
text that is no number at all as NaN; the bounds checks decide what to do with it.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

# base before operations: Django's sqlite3.operations imports from sqlite3.base, which
# imports sqlite3.operations (a cycle that only works when base is loaded first).
from django.db.backends.sqlite3 import base as _base  # noqa: F401
from django.db.backends.sqlite3 import operations
from django.db.models.expressions import Col

Converter = Callable[[Any, Any, Any], decimal.Decimal | None]

# SQLite keeps 15 significant digits (a REAL): digits beyond come from float inaccuracy.
_FIFTEEN = decimal.Context(prec=15)


def stored_decimal(value: int | float | str | bytes) -> decimal.Decimal:
    """The Decimal of a value as SQLite returns it from a decimal column: an int or float
    rounded to 15 significant digits (what a REAL holds), a text exactly as written; a quiet
    NaN for a text that is no number (or a signalling NaN, which would raise when compared)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        if isinstance(value, str):
            number = decimal.Decimal(value.strip())
        else:
            number = _FIFTEEN.create_decimal_from_float(value)
    except (TypeError, ValueError, decimal.DecimalException):
        return decimal.Decimal("NaN")
    return decimal.Decimal("NaN") if number.is_snan() else number


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Converter:
        if not isinstance(expression, Col):

            def converter(value: Any, expression: Any, connection: Any) -> decimal.Decimal | None:
                return None if value is None else stored_decimal(value)

            return converter

        field: Any = expression.output_field  # a DecimalField (.context is not in the stubs)
        quantum = decimal.Decimal(1).scaleb(-field.decimal_places)
        context = field.context

        def column_converter(
            value: Any, expression: Any, connection: Any
        ) -> decimal.Decimal | None:
            if value is None:
                return None
            number = stored_decimal(value)
            if not number.is_finite():
                return number
            try:
                return number.quantize(quantum, context=context)
            except decimal.DecimalException:  # more digits than the column allows
                return number

        return column_converter
