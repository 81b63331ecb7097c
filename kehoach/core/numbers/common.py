"""What the parsers and formatters of numbers, money and dates share: the error and its helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

NumberInput = str | int | float | Decimal | None
DateInput = str | int | float | Decimal | dt.date | None

MONEY_PLACES = 6
"""Decimal places kept for amounts in million VND: 0.000001 million VND is one đồng."""

EXCEL_SERIAL_MAX = 2958465  # 31/12/9999


class ParseError(ValueError):
    """Text that cannot be read as a number, an amount or a date.

    ``code`` is stable (for the API and the Excel importer); ``message`` is the translated
    sentence for the user and names the offending value.
    """

    def __init__(self, code: str, message: str, *, value: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value

    def __str__(self) -> str:
        return self.message


def _shown(value: object) -> str:
    """The value as the user wrote it, for messages."""
    return " ".join(str(value).split())


def _shown_number(value: object) -> str:
    """A number found where a number belongs, as a Vietnamese spreadsheet shows the cell (-50,
    -1.350,5), not as Python writes a float (-50.0, -1350.5); a text as the user wrote it."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number.is_finite():
            text = f"{number.normalize():f}"
            sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
            whole, _dot, fraction = text.partition(".")
            grouped = f"{int(whole):,}".replace(",", ".")
            return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"
    return _shown(value)


def _not_a_number(value: object) -> ParseError:
    shown = _shown(value)
    return ParseError(
        "not_a_number",
        _(
            "“%(value)s” is not a number. Write numbers like 1.234,5 "
            "(dot for thousands, comma for decimals)."
        )
        % {"value": shown},
        value=shown,
    )


def _finite(value: Decimal, original: object) -> Decimal:
    if not value.is_finite():
        raise _not_a_number(original)
    return value
