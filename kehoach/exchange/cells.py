"""Reading one cell the way offices type it: numbers as Vietnamese text ("1.200", "1.200,5",
"350 triệu"), money in million VND or in đồng, months as "03/2027", "3/2027", "tháng 3/2027" or
a date cell, dates as dd/mm/yyyy or Excel serials, text in NFC (legacy TCVN3/VNI text is
converted by the caller for the whole sheet). A value that cannot be read raises ``ParseError``
with a Vietnamese message that quotes it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.numbers import ParseError, parse_date_vi, parse_decimal_vi, parse_money_mvnd
from kehoach.core.text import nfc

MONTH_RE = re.compile(r"^(?:th[aá]ng\s*)?(\d{1,2})\s*[/.\-]\s*(\d{4})$", re.IGNORECASE)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    lines = str(value).splitlines()
    return "\n".join(nfc(line) for line in lines).strip()


def decimal(value: Any) -> Decimal | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ParseError("not_a_number", _("“%(value)s” is not a number.") % {"value": value})
    return parse_decimal_vi(value if not isinstance(value, str) else value.strip())


def money(value: Any, divisor: Decimal = Decimal(1)) -> Decimal | None:
    """Million VND; a column in đồng (divisor 1,000,000) is converted."""
    if is_empty(value):
        return None
    if divisor != 1:
        amount = decimal(value)
        return None if amount is None else amount / divisor
    return parse_money_mvnd(value if not isinstance(value, str) else value.strip())


def integer(value: Any) -> int | None:
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ParseError(
            "not_whole", _("“%(value)s” is not a whole number.") % {"value": text(value)}
        )
    return int(number)


def month(value: Any) -> datetime.date | None:
    """The first day of a month."""
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, int | float):
        return parse_date_vi(value).replace(day=1)  # type: ignore[union-attr]
    raw = text(value)
    found = MONTH_RE.match(raw)
    if found:
        number, year = int(found.group(1)), int(found.group(2))
        if 1 <= number <= 12:
            return datetime.date(year, number, 1)
    try:
        day = None if raw.isdigit() else parse_date_vi(raw)
    except ParseError:
        day = None
    if day is None:
        raise ParseError(
            "month_format",
            _("“%(value)s” is not a month. Write it as mm/yyyy, e.g. 03/2027.") % {"value": raw},
        )
    return day.replace(day=1)


def date(value: Any) -> datetime.date | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_date_vi(value if not isinstance(value, str) else value.strip())
