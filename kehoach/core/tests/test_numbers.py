import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.core.numbers import (
    ParseError,
    format_date_vi,
    format_money_mvnd,
    format_money_mvnd_with_unit,
    format_number_vi,
    parse_date_vi,
    parse_decimal_vi,
    parse_money_mvnd,
    percent,
)


def assert_names_value(error: ParseError, value: str) -> None:
    assert isinstance(error.message, str)
    assert error.message.strip()
    assert value in error.message
    assert str(error) == error.message


# --- parse_decimal_vi ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567,5", Decimal("1234567.5")),
        ("1234567,5", Decimal("1234567.5")),
        ("1.200", Decimal("1200")),  # one dot + exactly three digits: thousands
        ("1.234.567", Decimal("1234567")),
        ("1,5", Decimal("1.5")),
        ("  2 500 ", Decimal("2500")),
        ("2\u00a0500,75", Decimal("2500.75")),  # non-breaking space
        ("1\u202f234\u202f567", Decimal("1234567")),  # narrow non-breaking space
        ("-3,25", Decimal("-3.25")),
        ("\u22123,25", Decimal("-3.25")),  # minus sign
        ("- 3", Decimal("-3")),
        ("+7", Decimal("7")),
        ("2.5", Decimal("2.5")),  # English-locale Excel text
        ("1234.567", Decimal("1234.567")),  # not a thousands grouping: decimal point
        ("0.500", Decimal("0.5")),
        ("0,05", Decimal("0.05")),
        (",5", Decimal("0.5")),
        ("007", Decimal("7")),
        ("0", Decimal("0")),
    ],
)
def test_parse_decimal_vi_accepts(text: str, expected: Decimal) -> None:
    result = parse_decimal_vi(text)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0"])
def test_parse_decimal_vi_blank_is_none(text: str | None) -> None:
    assert parse_decimal_vi(text) is None


def test_parse_decimal_vi_passes_numbers_through() -> None:
    value = Decimal("12.345")
    assert parse_decimal_vi(value) is value
    assert parse_decimal_vi(42) == Decimal(42)
    assert isinstance(parse_decimal_vi(42), Decimal)
    assert parse_decimal_vi(2.675) == Decimal("2.675")  # a spreadsheet float, via its repr
    assert parse_decimal_vi(0.1) == Decimal("0.1")


@pytest.mark.parametrize(
    "text",
    ["1,2,3", "abc", "1.23.4", "1,234.5", "1.2,3.4", "2 5", "12a", "1..2", "--3", "1 234.567"],
)
def test_parse_decimal_vi_rejects(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_decimal_vi(text)
    assert caught.value.code == "not_a_number"
    assert_names_value(caught.value, text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), True])
def test_parse_decimal_vi_rejects_non_finite_and_bool(value: float | Decimal | bool) -> None:
    with pytest.raises(ParseError) as caught:
        parse_decimal_vi(value)
    assert caught.value.code == "not_a_number"
    assert_names_value(caught.value, str(value))


@settings(deadline=None)
@given(st.text(max_size=30))
def test_parse_decimal_vi_raises_only_parse_error(text: str) -> None:
    try:
        result = parse_decimal_vi(text)
    except ParseError as error:
        assert error.message
    else:
        assert result is None or result.is_finite()


# --- format_number_vi ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567.5, 1, "1.234.567,5"),
        (Decimal("1234567.5"), 1, "1.234.567,5"),
        (Decimal("1234567.5"), 0, "1.234.568"),  # half up
        (Decimal("2.5"), 0, "3"),
        (Decimal("-2.5"), 0, "-3"),  # half away from zero
        (Decimal("-1234.565"), 2, "-1.234,57"),
        (2.675, 2, "2,68"),  # the float the user saw, not its binary value
        (1000, 0, "1.000"),
        (999, 0, "999"),
        (0, 2, "0,00"),
        (Decimal("-0.04"), 1, "0,0"),  # no "-0,0"
        (Decimal("0.5"), 3, "0,500"),
        (Decimal("1E+12"), 0, "1.000.000.000.000"),
    ],
)
def test_format_number_vi(value: int | float | Decimal, decimals: int, expected: str) -> None:
    assert format_number_vi(value, decimals) == expected


def test_format_number_vi_none_is_blank() -> None:
    assert format_number_vi(None) == ""


def test_format_number_vi_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_number_vi(1, -1)


@settings(deadline=None)
@given(st.decimals(places=2, allow_nan=False, allow_infinity=False))
def test_format_then_parse_round_trips(value: Decimal) -> None:
    assert parse_decimal_vi(format_number_vi(value, 2)) == value


@settings(deadline=None)
@given(st.integers())
def test_format_then_parse_round_trips_integers(value: int) -> None:
    assert parse_decimal_vi(format_number_vi(value)) == value


# --- money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("350", Decimal("350")),
        ("1.234,5", Decimal("1234.5")),
        ("350 triệu", Decimal("350")),
        ("350 triệu đồng", Decimal("350")),
        ("350 tr", Decimal("350")),
        ("350tr", Decimal("350")),
        ("350tr.đ", Decimal("350")),
        ("350 trđ", Decimal("350")),
        ("350 Tr.đ", Decimal("350")),
        ("350 TRIỆU", Decimal("350")),
        ("1,2 tỷ", Decimal("1200")),
        ("1,2 tỉ", Decimal("1200")),
        ("2 tỷ đồng", Decimal("2000")),
        ("500.000 đ", Decimal("0.5")),
        ("500.000 đồng", Decimal("0.5")),
        ("500000 VND", Decimal("0.5")),
        ("500.000₫", Decimal("0.5")),
        ("500 nghìn", Decimal("0.5")),
        ("500 ngàn đồng", Decimal("0.5")),
        ("500k", Decimal("0.5")),
        ("1 đ", Decimal("0.000001")),
        ("1,5 đ", Decimal("0.000002")),  # rounded half up to the nearest đồng
        ("0,4 đ", Decimal("0")),
        ("0 tr", Decimal("0")),
        ("-0", Decimal("0")),
    ],
)
def test_parse_money_mvnd_accepts(text: str, expected: Decimal) -> None:
    result = parse_money_mvnd(text)
    assert isinstance(result, Decimal)
    assert result == expected
    exponent = result.as_tuple().exponent
    assert isinstance(exponent, int)
    assert exponent >= -6


def test_parse_money_mvnd_numbers_are_million_vnd() -> None:
    assert parse_money_mvnd(350) == Decimal("350")
    assert parse_money_mvnd(Decimal("12.5")) == Decimal("12.5")
    assert parse_money_mvnd(0.1) == Decimal("0.1")
    assert parse_money_mvnd(Decimal("0.0000004")) == Decimal("0")
    assert parse_money_mvnd(None) is None
    assert parse_money_mvnd("  ") is None


@pytest.mark.parametrize("text", ["-350", "-1,2 tỷ", "-500.000 đ", "\u22125 tr"])
def test_parse_money_mvnd_rejects_negative(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money_mvnd(text)
    assert caught.value.code == "money_negative"
    assert_names_value(caught.value, text)


def test_parse_money_mvnd_rejects_negative_numbers() -> None:
    with pytest.raises(ParseError) as caught:
        parse_money_mvnd(Decimal("-3.5"))
    assert caught.value.code == "money_negative"
    assert_names_value(caught.value, "-3,5")  # as a Vietnamese spreadsheet shows it


@pytest.mark.parametrize(
    "text", ["abc", "tr", "1,2,3 tr", "1 tỷ 200 triệu", "350 đô", "năm trăm triệu", "1.23.4 đ"]
)
def test_parse_money_mvnd_rejects_unreadable(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money_mvnd(text)
    assert caught.value.code == "money_invalid"
    assert_names_value(caught.value, text)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_parse_money_mvnd_raises_only_parse_error(text: str) -> None:
    try:
        result = parse_money_mvnd(text)
    except ParseError as error:
        assert error.message
    else:
        assert result is None or result >= 0


def test_format_money_mvnd() -> None:
    assert format_money_mvnd(Decimal("1234.5")) == "1.234,5"
    assert format_money_mvnd(Decimal("1234.56")) == "1.234,6"
    assert format_money_mvnd(Decimal("0.5"), 3) == "0,500"
    assert format_money_mvnd(None) == ""


def test_format_money_mvnd_with_unit() -> None:
    assert format_money_mvnd_with_unit(Decimal("1234.5")) == f"1.234,5 {gettext('million VND')}"
    assert format_money_mvnd_with_unit(None) == ""


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/2026", dt.date(2026, 3, 5)),
        ("5/3/2026", dt.date(2026, 3, 5)),
        ("05-03-2026", dt.date(2026, 3, 5)),
        ("05.03.2026", dt.date(2026, 3, 5)),
        (" 05/03/2026 ", dt.date(2026, 3, 5)),
        ("2026-03-05", dt.date(2026, 3, 5)),
        ("2026-03-05 14:30:00", dt.date(2026, 3, 5)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 5), dt.date(2026, 3, 5)),
        (dt.datetime(2026, 3, 5, 14, 30), dt.date(2026, 3, 5)),
        # Excel serial numbers, 1900 date system
        (45658, dt.date(2025, 1, 1)),
        ("45658", dt.date(2025, 1, 1)),
        (45658.75, dt.date(2025, 1, 1)),  # a date-time: the day is the whole part
        (Decimal("45658"), dt.date(2025, 1, 1)),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (2958465, dt.date(9999, 12, 31)),
    ],
)
def test_parse_date_vi_accepts(
    value: str | int | float | Decimal | dt.date, expected: dt.date
) -> None:
    result = parse_date_vi(value)
    assert result == expected
    assert type(result) is dt.date


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_date_vi_blank_is_none(value: str | None) -> None:
    assert parse_date_vi(value) is None


@pytest.mark.parametrize("value", ["31/02/2026", "29/02/2025", "00/01/2026", "15/13/2026", "60"])
def test_parse_date_vi_rejects_dates_that_do_not_exist(value: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date_vi(value)
    assert caught.value.code == "date_invalid"
    assert_names_value(caught.value, value)
    assert "dd/mm/yyyy" in caught.value.message


@pytest.mark.parametrize(
    "value", ["hôm nay", "5/3/26", "05/03-2026", "2026/03/05", "0", "2958466", "3 tháng 5"]
)
def test_parse_date_vi_rejects_text_that_is_not_a_date(value: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date_vi(value)
    assert caught.value.code == "date_format"
    assert_names_value(caught.value, value)
    assert "dd/mm/yyyy" in caught.value.message


@pytest.mark.parametrize("value", ["2026", "45658", 45658, 45658.5, Decimal("45658")])
def test_parse_date_vi_without_excel_serials_rejects_bare_numbers(
    value: str | int | float | Decimal,
) -> None:
    assert parse_date_vi(value) is not None  # a serial number from a workbook cell
    with pytest.raises(ParseError) as caught:
        parse_date_vi(value, excel_serials=False)  # typed into a form: a slip
    assert caught.value.code == "date_format"
    assert_names_value(caught.value, str(value))


def test_parse_date_vi_without_excel_serials_still_reads_dates() -> None:
    assert parse_date_vi("5/3/2026", excel_serials=False) == dt.date(2026, 3, 5)
    assert parse_date_vi("2026-03-05", excel_serials=False) == dt.date(2026, 3, 5)
    assert parse_date_vi(dt.date(2026, 3, 5), excel_serials=False) == dt.date(2026, 3, 5)
    assert parse_date_vi("", excel_serials=False) is None


@pytest.mark.parametrize("value", [0, -1, 2958466, float("nan"), True])
def test_parse_date_vi_rejects_serials_out_of_range(value: int | float) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date_vi(value)
    assert caught.value.code == "date_format"
    assert_names_value(caught.value, str(value))


def test_parse_date_vi_rejects_excel_phantom_leap_day() -> None:
    with pytest.raises(ParseError) as caught:
        parse_date_vi(60)
    assert caught.value.code == "date_invalid"


@settings(deadline=None)
@given(st.text(max_size=30))
def test_parse_date_vi_raises_only_parse_error(text: str) -> None:
    try:
        parse_date_vi(text)
    except ParseError as error:
        assert error.message


@settings(deadline=None)
@given(st.dates())
def test_format_then_parse_date_round_trips(value: dt.date) -> None:
    assert parse_date_vi(format_date_vi(value)) == value


def test_format_date_vi() -> None:
    assert format_date_vi(dt.date(2026, 3, 5)) == "05/03/2026"
    assert format_date_vi(dt.datetime(2026, 12, 31, 23, 59)) == "31/12/2026"
    assert format_date_vi(None) == ""


# --- percent ------------------------------------------------------------------------------------


def test_percent() -> None:
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(Decimal("2.5"), 10, 0) == Decimal("25")
    assert percent(1, 8, 2) == Decimal("12.50")
    assert percent(5, 4) == Decimal("125.0")
    assert isinstance(percent(1, 3), Decimal)


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 0), (1, None), (None, 4), (0, 0)])
def test_percent_undefined_is_none(numerator: int | None, denominator: int | None) -> None:
    assert percent(numerator, denominator) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [(-50.0, "-50"), (-1350.5, "-1.350,5"), (Decimal("-1234567.25"), "-1.234.567,25"), (-3, "-3")],
)
def test_a_negative_number_cell_is_shown_as_the_spreadsheet_shows_it(
    value: object, shown: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money_mvnd(value)  # type: ignore[arg-type]
    assert caught.value.value == shown
    assert f"“{shown}”" in caught.value.message
