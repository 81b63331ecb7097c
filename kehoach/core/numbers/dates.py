"""Dates dd/mm/yyyy and Excel serial numbers: reading and writing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _

from .common import (
    EXCEL_SERIAL_MAX,
    DateInput,
    ParseError,
    _shown,
)

# --- dates ------------------------------------------------------------------------------------

_DMY_RE = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
_ISO_RE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_SERIAL_RE = re.compile(r"[0-9]{1,7}")

# Excel's 1900 date system: serial 1 is 01/01/1900 and serial 60 is the 29/02/1900 that
# never existed (kept for Lotus 1-2-3 compatibility); from serial 61 on, day 0 is 30/12/1899.
_EXCEL_EPOCH_BEFORE_LEAP = dt.date(1899, 12, 31)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_PHANTOM_LEAP_DAY = 60


def _not_a_date(value: object) -> ParseError:
    shown = _shown(value)
    return ParseError(
        "date_format",
        _("“%(value)s” is not a date. Write dates as dd/mm/yyyy, e.g. 05/03/2026.")
        % {"value": shown},
        value=shown,
    )


def _no_such_date(value: object) -> ParseError:
    shown = _shown(value)
    return ParseError(
        "date_invalid",
        _(
            "“%(value)s” is not a date that exists; check the day and the month. "
            "Write dates as dd/mm/yyyy, e.g. 05/03/2026."
        )
        % {"value": shown},
        value=shown,
    )


def _from_excel_serial(serial: int, original: object) -> dt.date:
    if serial == _EXCEL_PHANTOM_LEAP_DAY:
        raise _no_such_date(original)
    if not 1 <= serial <= EXCEL_SERIAL_MAX:
        raise _not_a_date(original)
    if serial < _EXCEL_PHANTOM_LEAP_DAY:
        return _EXCEL_EPOCH_BEFORE_LEAP + dt.timedelta(days=serial)
    return _EXCEL_EPOCH + dt.timedelta(days=serial)


def _make_date(year: str, month: str, day: str, original: object) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise _no_such_date(original) from None


def parse_date_vi(text: DateInput, *, excel_serials: bool = True) -> dt.date | None:
    """Read a date: "05/03/2026", "5/3/2026", "05-03-2026", "05.03.2026", "2026-03-05",
    a ``date`` or ``datetime``, or an Excel serial number (45658 is 01/01/2025).

    Blank gives ``None``. Raises :class:`ParseError`: ``date_format`` for text that is not a
    date, ``date_invalid`` for a date that does not exist ("31/02/2026"). With
    ``excel_serials=False`` (what a person types into a form) a bare number is not a date:
    "2026" typed alone is a slip, not the 18/07/1905 of Excel's serial 2026.
    """
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if isinstance(text, bool) or (not excel_serials and isinstance(text, int | float | Decimal)):
        raise _not_a_date(text)
    if isinstance(text, int):
        return _from_excel_serial(text, text)
    if isinstance(text, float | Decimal):
        # A date-time serial: the whole part is the day.
        number = Decimal(repr(text)) if isinstance(text, float) else text
        if not number.is_finite():
            raise _not_a_date(text)
        return _from_excel_serial(int(number), text)
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return None
    if match := _DMY_RE.fullmatch(value):
        return _make_date(match["y"], match["m"], match["d"], text)
    if match := _ISO_RE.fullmatch(value):
        return _make_date(match["y"], match["m"], match["d"], text)
    if excel_serials and _SERIAL_RE.fullmatch(value):
        return _from_excel_serial(int(value), text)
    raise _not_a_date(text)


def format_date_vi(value: dt.date | None) -> str:
    """Write a date as dd/mm/yyyy: "05/03/2026"; ``None`` gives ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
