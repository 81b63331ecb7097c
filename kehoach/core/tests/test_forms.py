import datetime as dt

import pytest
from django import forms

from kehoach.core.forms import VietDateField


class DateForm(forms.Form):
    day = VietDateField(required=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05/03/2026", dt.date(2026, 3, 5)),
        ("5/3/2026", dt.date(2026, 3, 5)),
        (" 05.03.2026 ", dt.date(2026, 3, 5)),
        ("2026-03-05", dt.date(2026, 3, 5)),  # what a browser's date picker sends
        ("", None),
    ],
)
def test_viet_date_field_reads_dates_as_vietnamese_write_them(
    typed: str, expected: dt.date | None
) -> None:
    form = DateForm({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


def test_viet_date_field_says_in_vietnamese_that_a_date_does_not_exist() -> None:
    form = DateForm({"day": "31/02/2026"})

    assert not form.is_valid()
    assert form.errors["day"] == [
        "“31/02/2026” không phải là ngày có thật; hãy kiểm tra lại ngày và tháng. "
        "Hãy ghi ngày theo dạng dd/mm/yyyy (ngày/tháng/năm), ví dụ 05/03/2026."
    ]
    assert form.errors.as_data()["day"][0].code == "date_invalid"


@pytest.mark.parametrize("typed", ["hôm qua", "5/3/26", "2026"])
def test_viet_date_field_says_how_to_write_a_date(typed: str) -> None:
    form = DateForm({"day": typed})

    assert not form.is_valid()
    assert form.errors["day"] == [
        f"“{typed}” không phải là ngày. Hãy ghi ngày theo dạng dd/mm/yyyy (ngày/tháng/năm), "
        "ví dụ 05/03/2026."
    ]


def test_viet_date_field_is_required_when_asked() -> None:
    class RequiredForm(forms.Form):
        day = VietDateField()

    form = RequiredForm({"day": "  "})

    assert not form.is_valid()
    assert form.errors.as_data()["day"][0].code == "required"


def test_viet_date_field_shows_a_date_back_as_dd_mm_yyyy() -> None:
    form = DateForm(initial={"day": dt.date(2026, 3, 5)})

    assert 'value="05/03/2026"' in str(form["day"])
    assert 'placeholder="dd/mm/yyyy"' in str(form["day"])
