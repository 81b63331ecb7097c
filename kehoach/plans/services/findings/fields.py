"""The fields of the findings (F3, F4, F5) that every part of the package names, and the two
ways their texts and whole numbers are read."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kehoach.core.numbers import ParseError, parse_decimal_vi
from kehoach.core.text import nfc

SCORE_MIN = 1
"""Lowest score of a ranking criterion."""
SCORE_MAX = 5
"""Highest score of a ranking criterion."""

SWOT_TEXT_FIELDS = ["strengths", "weaknesses", "opportunities", "threats", "implication"]
SWOT_AUDIT_FIELDS = ["sector", *SWOT_TEXT_FIELDS]
PROBLEM_FIELDS = [
    "sector",
    "problem",
    "affected_households",
    "affected_poor",
    "affected_women",
    "affected_em",
    "causes",
    "priority",
]
PROBLEM_COUNT_FIELDS = ["affected_households", "affected_poor", "affected_women", "affected_em"]
RANKING_AUDIT_FIELDS = ["label", "line", "scores"]
LINE_PRIORITY_FIELDS = ["priority"]

_BULLET_RE = re.compile(r"^(?:[-–•*+·]|\d{1,2}[.)])\s+")


def multiline_nfc(value: str | None) -> str:
    """NFC-normalise each line (single spaces, stripped) and keep the line breaks; blank lines
    at either end are dropped and runs of blank lines become one."""
    lines = [nfc(line) for line in str(value or "").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def one_per_line(value: str | None) -> str:
    """One item per line: each line normalised, a leading bullet ("-", "•", "1.") removed,
    blank lines dropped."""
    items = [_BULLET_RE.sub("", nfc(line), count=1) for line in str(value or "").splitlines()]
    return "\n".join(item for item in items if item)


def whole_number(value: Any) -> Decimal | None:
    """A whole number from an int or text typed the Vietnamese way; ``None`` when empty.
    Raises ``ValueError`` for anything else (a bool, text that is not a number, a fraction)."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = parse_decimal_vi(value)
    except ParseError as exc:
        raise ValueError(value) from exc
    if number is not None and number != number.to_integral_value():
        raise ValueError(value)
    return number
