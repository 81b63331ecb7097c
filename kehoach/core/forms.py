"""Form fields for what Vietnamese users type: numbers like 1.234,5, dates like 05/03/2026,
months like 03/2027."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .errors import NotFoundError, PermissionDeniedError
from .numbers import ParseError, format_date_vi, format_number_vi, parse_date_vi, parse_decimal_vi


def _shown_number(value: Decimal) -> str:
    """A typed number for a message: the Vietnamese way, or as typed when absurdly long."""
    if abs(value) >= Decimal("1e18"):
        return str(value)
    text = format_number_vi(value, 6)
    return text.rstrip("0").rstrip(",") if "," in text else text


class VietDecimalField(forms.CharField):
    """A number typed the Vietnamese way ("1.234,5"); shown back the same way."""

    def __init__(
        self,
        *,
        decimals: int = 3,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        self.decimals = decimals
        self.min_value = min_value
        self.max_value = max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            text = format_number_vi(Decimal(str(value)), self.decimals)
            if "," in text:
                text = text.rstrip("0").rstrip(",")
            return text
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            number = parse_decimal_vi(text)
        except ParseError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        if number is not None and self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(
                _("The number cannot be less than %(min)s."), params={"min": self.min_value}
            )
        if number is not None and self.max_value is not None and number > self.max_value:
            raise forms.ValidationError(
                _("%(value)s is more than the largest value allowed, %(max)s."),
                params={
                    "value": _shown_number(number),
                    "max": format_number_vi(self.max_value, 0),
                },
                code="value_too_large",
            )
        return number


class VietIntegerField(VietDecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(decimals=0, min_value=Decimal(0), **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise forms.ValidationError(_("Enter a whole number."), code="not_integer")
        return int(number)


class VietDateField(forms.CharField):
    """A date typed as dd/mm/yyyy (05/03/2026), read by :func:`~.numbers.parse_date_vi`, so a
    bad date gets the same message as in an Excel import ("“31/02/2026” is not a date that
    exists; ..."); shown back as dd/mm/yyyy in every language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return format_date_vi(value)
        return value

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_date_vi(text, excel_serials=False)
        except ParseError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


_MONTH_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


class MonthField(forms.CharField):
    """A month typed as mm/yyyy (03/2027); stored as the first day of that month."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "mm/yyyy"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime("%m/%Y")
        return value

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH_RE.match(text)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
        else:
            iso = _ISO_MONTH_RE.match(text)
            if not iso:
                raise forms.ValidationError(
                    _("“%(value)s” is not a month. Write it as mm/yyyy, e.g. 03/2027."),
                    params={"value": text},
                    code="month_format",
                )
            year, month = int(iso.group(1)), int(iso.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError(
                _("“%(value)s” is not a month. Write it as mm/yyyy, e.g. 03/2027."),
                params={"value": text},
                code="month_format",
            )
        return datetime.date(year, month, 1)


class NamedChoiceField(forms.ModelChoiceField):
    """A choice of reference data shown by its name in the user's language (``display_name()``
    when the model has one), without the code that ``__str__`` adds for the admin."""

    def label_from_instance(self, obj: Any) -> str:
        display = getattr(obj, "display_name", None)
        return str(display()) if callable(display) else str(obj)


def show_bounds(form: forms.BaseForm, model: type[Model]) -> None:
    """Give each field of ``form`` that has a namesake on ``model`` the model's bound
    (``kehoach.core.bounds``): text fields their ``maxlength``; Vietnamese number fields a
    ``max_value`` (checked with the same message as the services) and a hint the page shows
    as the field's tooltip ("Tối đa 1.000.000.000"). The bound stays declared once, on the
    model field."""
    from .bounds import limits_of  # core.bounds imports Django's model layer

    for name, field in form.fields.items():
        try:
            limits = limits_of(model, name)
        except Exception:  # not a field of the model
            continue
        if (
            limits.length
            and isinstance(field, forms.CharField)
            and not isinstance(field, VietDecimalField | VietDateField | MonthField)
        ):
            field.max_length = min(field.max_length or limits.length, limits.length)
            field.widget.attrs["maxlength"] = str(field.max_length)
            if not any(isinstance(v, MaxLengthValidator) for v in field.validators):
                field.validators.append(MaxLengthValidator(field.max_length))
        elif isinstance(field, VietDecimalField) and limits.maximum is not None:
            field.max_value = limits.maximum
            shown = format_number_vi(limits.maximum, 0)
            field.widget.attrs["data-max"] = str(limits.maximum)
            field.widget.attrs["title"] = str(_("At most %(max)s") % {"max": shown})


class ServiceErrorsMixin:
    """Puts each problem a service or validator reports on the field it names (``field_for``
    maps a problem's field/column to a form field when the names differ), or on the whole form.
    The one way a view keeps the values typed when a service refuses them (issue 14)."""

    def field_for(self, field: str | None, column: str | None) -> str | None:
        return field

    def add_service_error(self, error: Any) -> None:
        """``error``: an ``ApplicationError`` (or ``ApplicationErrors``), or problems. A
        "not found" or "not allowed" is not a problem of the form: it goes on to the middleware
        (404/403), so a view's ``except ApplicationError`` cannot turn it into a form error."""
        if isinstance(error, NotFoundError | PermissionDeniedError):
            raise error
        if isinstance(error, list | tuple):
            items = list(error)
        else:
            items = getattr(error, "errors", None) or [error]
        form = self  # a forms.BaseForm
        for item in items:
            if getattr(item, "severity", "error") != "error":
                continue
            name = self.field_for(item.where.field, item.where.column)
            fields = form.fields  # type: ignore[attr-defined]
            form.add_error(name if name and name in fields else None, item.message)  # type: ignore[attr-defined]
