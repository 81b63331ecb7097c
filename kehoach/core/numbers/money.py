"""Money in million VND (triệu đồng): reading the ways it is typed, writing it."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from .common import (
    MONEY_PLACES,
    NumberInput,
    ParseError,
    _shown,
    _shown_number,
)
from .decimals import (
    _decimal_from,
    _parse_number_text,
    _round,
    format_number_vi,
)

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
        shown = _shown_number(text)
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
