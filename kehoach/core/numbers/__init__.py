"""Vietnamese numbers, money and dates: parsing what people type, formatting what they read.

Vietnamese writes ``1.234.567,5``: dot for thousands, comma for decimals. Values also arrive
from Excel cells as ints, floats or text typed on English-locale machines, so the parser
accepts a few more forms; the rules are:

* one comma is the decimal separator; dots (or spaces) before it group thousands in threes
  ("1.234.567,5", "2 500,75"); more than one comma is an error ("1,2,3");
* without a comma, dots that group digits in threes are thousands separators ("1.234.567");
  in particular **a single dot followed by exactly three digits is a thousands separator**
  ("1.200" is 1200), because that is what a Vietnamese user means;
* any other single dot is a decimal point ("2.5", "1234.567", "0.500"), which is what an
  Excel cell formatted on an English-locale machine gives. The one ambiguous case, "1.500"
  meaning one and a half, is read as 1500: write "1,5";
* spaces (including non-breaking and thin spaces) may group thousands; leading "-" (or "−")
  makes a number negative; anything else is an error.

Money is kept in million VND (triệu đồng), the unit of planning documents, as ``Decimal``
with at most six decimal places (one đồng). Floats are never used for arithmetic: a float
coming from a spreadsheet is converted through its shortest ``repr``.

Dates are written dd/mm/yyyy. Excel serial numbers use the 1900 date system, including its
phantom 29/02/1900 (serial 60, rejected).

Message ids (English; the Vietnamese goes in locale/vi/LC_MESSAGES/django.po). Each entry is
one msgid, split over lines here only to fit the line length:

    not_a_number:   "“%(value)s” is not a number. Write numbers like 1.234,5 "
                    "(dot for thousands, comma for decimals)."
    money_invalid:  "“%(value)s” is not an amount of money. Write it in million VND, "
                    "e.g. 350, 350 triệu or 1,2 tỷ."
    money_negative: "“%(value)s” is negative; an amount of money cannot be below zero."
    date_format:    "“%(value)s” is not a date. Write dates as dd/mm/yyyy, e.g. 05/03/2026."
    date_invalid:   "“%(value)s” is not a date that exists; check the day and the month. "
                    "Write dates as dd/mm/yyyy, e.g. 05/03/2026."
    (unit)          "million VND"

One module per job: ``common`` (the error), ``decimals``, ``money``, ``dates``,
``percentages``; every name is importable from ``kehoach.core.numbers``.
"""

from __future__ import annotations

from .common import (
    EXCEL_SERIAL_MAX,
    MONEY_PLACES,
    DateInput,
    NumberInput,
    ParseError,
)
from .dates import (
    format_date_vi,
    parse_date_vi,
)
from .decimals import (
    format_number_vi,
    parse_decimal_vi,
)
from .money import (
    format_money_mvnd,
    format_money_mvnd_with_unit,
    parse_money_mvnd,
)
from .percentages import (
    percent,
)

__all__ = [
    "EXCEL_SERIAL_MAX",
    "MONEY_PLACES",
    "DateInput",
    "NumberInput",
    "ParseError",
    "format_date_vi",
    "format_money_mvnd",
    "format_money_mvnd_with_unit",
    "format_number_vi",
    "parse_date_vi",
    "parse_decimal_vi",
    "parse_money_mvnd",
    "percent",
]
