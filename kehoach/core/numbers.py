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
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _

__all__ = [
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


# --- numbers ----------------------------------------------------------------------------------

# Every kind of space someone may paste between digit groups.
_SPACES_RE = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_MINUS = "-\u2212\u2012\u2013"  # hyphen-minus, minus sign, figure dash, en dash

_GROUPED_DOT = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
_GROUPED_SPACE = r"[1-9][0-9]{0,2}(?: [0-9]{3})+"
_PLAIN = r"[0-9]+"
_COMMA_DECIMAL_RE = re.compile(
    rf"(?P<int>{_GROUPED_DOT}|{_GROUPED_SPACE}|{_PLAIN})?,(?P<frac>[0-9]+)", re.ASCII
)
_THOUSANDS_RE = re.compile(rf"(?P<int>{_GROUPED_DOT}|{_GROUPED_SPACE}|{_PLAIN})", re.ASCII)
_DOT_DECIMAL_RE = re.compile(r"(?P<int>[0-9]*)\.(?P<frac>[0-9]+)", re.ASCII)


def _parse_number_text(text: str, original: object) -> Decimal:
    body = _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    negative = False
    if body[:1] in _MINUS:
        negative, body = True, body[1:].lstrip()
    elif body[:1] == "+":
        body = body[1:].lstrip()

    if match := _COMMA_DECIMAL_RE.fullmatch(body):
        digits = (match["int"] or "0").replace(".", "").replace(" ", "") + "." + match["frac"]
    elif match := _THOUSANDS_RE.fullmatch(body):
        digits = match["int"].replace(".", "").replace(" ", "")
    elif match := _DOT_DECIMAL_RE.fullmatch(body):
        digits = (match["int"] or "0") + "." + match["frac"]
    else:
        raise _not_a_number(original)
    number = Decimal(digits)
    return number.copy_negate() if negative else number


def _decimal_from(value: int | float | Decimal, original: object) -> Decimal:
    if isinstance(value, bool):
        raise _not_a_number(original)
    if isinstance(value, Decimal):
        return _finite(value, original)
    if isinstance(value, int):
        return Decimal(value)
    # A float from a spreadsheet: its shortest repr is the number the user saw.
    try:
        return _finite(Decimal(repr(value)), original)
    except InvalidOperation:
        raise _not_a_number(original) from None


def parse_decimal_vi(text: NumberInput) -> Decimal | None:
    """Read a number written the Vietnamese way (see the module docstring for the rules).

    Blank text and ``None`` give ``None``; ``Decimal`` and ``int`` pass through.
    Raises :class:`ParseError` (code ``not_a_number``) for anything else.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        return _decimal_from(text, text)
    if not text.strip():
        return None
    return _parse_number_text(text, text)


def _to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"cannot format {value!r}")
    return result


def _to_decimal_or_none(value: int | float | Decimal) -> bool:
    """True when *value* is a finite number (formatting it cannot fail)."""
    try:
        return (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)).is_finite()
    except (ArithmeticError, TypeError, ValueError):
        return False


def _round(value: Decimal, decimals: int) -> Decimal:
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    with localcontext() as ctx:
        ctx.prec = max(28, value.adjusted() + decimals + 3)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number_vi(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """Write *value* the Vietnamese way: ``format_number_vi(1234567.5, 1) == "1.234.567,5"``.

    Rounds half up to *decimals* places; ``None`` gives "".
    """
    if value is None:
        return ""
    if not isinstance(value, bool) and not _to_decimal_or_none(value):
        return str(value)  # NaN or infinity: shown as it is, never an error on a page
    rounded = _round(_to_decimal(value), decimals)
    sign = "-" if rounded < 0 else ""  # -0,0 is shown as 0,0
    text = f"{rounded.copy_abs():f}"
    integer, _dot, fraction = text.partition(".")
    groups: list[str] = []
    while len(integer) > 3:
        integer, group = integer[:-3], integer[-3:]
        groups.append(group)
    groups.append(integer)
    result = sign + ".".join(reversed(groups))
    return f"{result},{fraction}" if fraction else result


# --- money ------------------------------------------------------------------------------------

# Unit words, longest first within each scale, matched on casefolded NFC text.
_MONEY_UNITS: list[tuple[str, Decimal]] = [
    # million VND
    (r"triệu\s*(?:đồng|vnđ|vnd|đ)?", Decimal(1)),
    (r"trieu\s*(?:dong|vnd|d)?", Decimal(1)),
    (r"tr\.?\s*(?:đồng|vnđ|vnd|đ)\.?", Decimal(1)),
    (r"tr\.?", Decimal(1)),
    # billion VND
    (r"(?:tỷ|tỉ)\s*(?:đồng|vnđ|vnd|đ)?", Decimal(1000)),
    (r"(?:ty|ti)\s*(?:dong|vnd|d)?", Decimal(1000)),
    # thousand VND
    (r"(?:nghìn|ngàn)\s*(?:đồng|vnđ|vnd|đ)?", Decimal("0.001")),
    (r"(?:nghin|ngan)\s*(?:dong|vnd|d)?", Decimal("0.001")),
    (r"k", Decimal("0.001")),
    # VND
    (r"(?:đồng|dong|vnđ|vnd|đ|₫)", Decimal("0.000001")),
]
_MONEY_RE = re.compile(
    r"(?P<number>.*?)\s*(?:"
    + "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _scale) in enumerate(_MONEY_UNITS))
    + r")",
    re.DOTALL,
)


def _not_money(value: object) -> ParseError:
    shown = _shown(value)
    return ParseError(
        "money_invalid",
        _(
            "“%(value)s” is not an amount of money. Write it in million VND, "
            "e.g. 350, 350 triệu or 1,2 tỷ."
        )
        % {"value": shown},
        value=shown,
    )


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (1200.0 -> 1200)."""
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits), value.adjusted() + 1) + 2
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


def parse_money_mvnd(text: NumberInput) -> Decimal | None:
    """Read an amount of money and return it in million VND.

    Plain numbers are million VND. A unit may follow: "350 triệu", "350 tr", "350tr.đ",
    "350 trđ" (million); "1,2 tỷ", "1,2 tỉ" (billion); "500 nghìn", "500k" (thousand);
    "500.000 đ", "500.000 đồng", "500000 VND" (đồng). Blank gives ``None``. Negative amounts
    raise :class:`ParseError` with code ``money_negative``; unreadable text, ``money_invalid``.
    The result has at most six decimal places (rounded half up to the nearest đồng).
    """
    if text is None:
        return None
    if isinstance(text, str):
        if not text.strip():
            return None
        cleaned = unicodedata.normalize("NFC", text).strip().casefold()
        scale = Decimal(1)
        number_text = cleaned
        if match := _MONEY_RE.fullmatch(cleaned):
            index = next(i for i in range(len(_MONEY_UNITS)) if match[f"u{i}"] is not None)
            scale = _MONEY_UNITS[index][1]
            number_text = match["number"]
        if not number_text.strip():
            raise _not_money(text)
        try:
            number = _parse_number_text(number_text, text)
        except ParseError:
            raise _not_money(text) from None
        with localcontext() as ctx:
            ctx.prec = max(28, len(number.as_tuple().digits) + 2)
            amount = number * scale  # exact: the scales are powers of ten
    else:
        try:
            amount = _decimal_from(text, text)
        except ParseError:
            raise _not_money(text) from None
    if amount < 0:
        shown = _shown(text)
        raise ParseError(
            "money_negative",
            _("“%(value)s” is negative; an amount of money cannot be below zero.")
            % {"value": shown},
            value=shown,
        )
    return _tidy(_round(amount.copy_abs(), MONEY_PLACES))  # copy_abs: -0 -> 0


def format_money_mvnd(value: int | float | Decimal | None, decimals: int = 1) -> str:
    """Amount in million VND without unit: ``format_money_mvnd(Decimal("1234.5")) == "1.234,5"``."""
    return format_number_vi(value, decimals)


def format_money_mvnd_with_unit(value: int | float | Decimal | None, decimals: int = 1) -> str:
    """Amount with its unit: "1.234,5 triệu đồng"; ``None`` gives ""."""
    if value is None:
        return ""
    unit = _("million VND")
    return f"{format_number_vi(value, decimals)} {unit}"


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


# --- percentages ------------------------------------------------------------------------------


def percent(
    numerator: int | float | Decimal | None,
    denominator: int | float | Decimal | None,
    decimals: int = 1,
) -> Decimal | None:
    """``numerator / denominator`` in percent, rounded half up; ``None`` when undefined."""
    if numerator is None or denominator is None:
        return None
    bottom = _to_decimal(denominator)
    if bottom == 0:
        return None
    return _round(_to_decimal(numerator) * 100 / bottom, decimals)
