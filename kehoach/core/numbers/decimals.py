"""Numbers the Vietnamese way (1.234.567,5): reading and writing."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from .common import (
    NumberInput,
    _finite,
    _not_a_number,
)

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
