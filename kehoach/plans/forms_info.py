"""Shape of the F1 basic-information form: one input per row of ``F1_ROWS`` with its data
source and date, and the ethnic-group sub-table. Numbers are typed the Vietnamese way
("1.234", "12,5"); the rules stay in ``services.info``."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDecimalField, show_bounds
from kehoach.core.numbers import format_date_vi

from .models import BasicInfo, EthnicGroup
from .services.info import ETHNIC_GROUPS, F1_ROWS, SOURCE_KEYS, SOURCE_MAX_LENGTH, F1Row


class CountField(VietDecimalField):
    """A whole number typed the Vietnamese way ("1.234"). Negative numbers pass through so
    that the service names the field in its message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(decimals=0, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise forms.ValidationError(_("Enter a whole number."), code="not_integer")
        return int(number)


def source_name(key: str) -> str:
    return f"{key}_source"


def date_name(key: str) -> str:
    return f"{key}_date"


def _value_field(row: F1Row) -> forms.Field:
    model_field = BasicInfo._meta.get_field(row.field)
    if row.kind == "count":
        return CountField(label=row.label, required=False)
    if row.kind == "decimal":
        return VietDecimalField(
            label=row.label,
            decimals=getattr(model_field, "decimal_places", 2),
            required=False,
        )
    if row.kind == "text":
        return forms.CharField(
            label=row.label, max_length=getattr(model_field, "max_length", None), required=False
        )
    if row.kind == "yes_no":
        return forms.NullBooleanField(label=row.label, required=False)
    return forms.BooleanField(label=row.label, required=False)


def _source_fields(key: str, label: Any) -> dict[str, forms.Field]:
    return {
        source_name(key): forms.CharField(
            label=_("Data source"),
            max_length=SOURCE_MAX_LENGTH,
            required=False,
            widget=forms.TextInput(
                attrs={"aria-label": format_lazy("{}: {}", label, _("Data source"))}
            ),
        ),
        date_name(key): forms.CharField(
            label=_("Date of the data"),
            max_length=30,
            required=False,
            widget=forms.TextInput(
                attrs={
                    "placeholder": "dd/mm/yyyy",
                    "aria-label": format_lazy("{}: {}", label, _("Date of the data")),
                }
            ),
        ),
    }


def _iso_to_vi(text: str) -> str:
    try:
        return format_date_vi(datetime.date.fromisoformat(text)) if text else ""
    except ValueError:
        return text


def problems_in(error: Any) -> list[Any]:
    """The problems of an ``ApplicationError`` (one or several) or of a list of problems."""
    if isinstance(error, list | tuple):
        return list(error)
    return list(getattr(error, "errors", None) or [error])


class BasicInfoForm(ServiceErrorsMixin, forms.Form):
    """Values, data sources and dates of every F1 row, plus the version the user opened.

    ``ethnic`` is the ethnic-group formset posted with it: a refused row's message goes next
    to that row; messages about the whole table land in ``table_errors``, which the page
    shows above it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, ethnic: forms.BaseFormSet[Any] | None = None, **kwargs: Any
    ) -> None:
        self.ethnic = ethnic
        self.table_errors: list[str] = []
        super().__init__(*args, **kwargs)
        show_bounds(self, BasicInfo)
        for row in F1_ROWS:
            self.fields[row.field] = _value_field(row)
            self.fields.update(_source_fields(row.field, row.label))
        self.fields.update(_source_fields(ETHNIC_GROUPS, _("Ethnic groups")))

    @staticmethod
    def initial_for(info: BasicInfo) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": info.version if info.pk else 0}
        for row in F1_ROWS:
            initial[row.field] = getattr(info, row.field)
        for key, entry in (info.sources or {}).items():
            if key in SOURCE_KEYS and isinstance(entry, dict):
                initial[source_name(key)] = entry.get("source", "")
                initial[date_name(key)] = _iso_to_vi(str(entry.get("date") or ""))
        return initial

    def service_data(self) -> dict[str, Any]:
        return {row.field: self.cleaned_data.get(row.field) for row in F1_ROWS}

    def service_sources(self) -> dict[str, dict[str, str]]:
        sources: dict[str, dict[str, str]] = {}
        for key in SOURCE_KEYS:
            source = self.cleaned_data.get(source_name(key)) or ""
            day = self.cleaned_data.get(date_name(key)) or ""
            if source.strip() or day.strip():
                sources[key] = {"source": source, "date": day}
        return sources

    def field_for(self, field: str | None, column: str | None) -> str | None:
        """A row's data source and date have inputs of their own."""
        if field and column == "source":
            return source_name(field)
        if field and column == "date":
            return date_name(field)
        return field

    def add_service_error(self, error: Any) -> None:
        """Problems of the ethnic-group table go to their row (or ``table_errors``); the others
        next to their input (``ServiceErrorsMixin``)."""
        rows = self.ethnic.forms if self.ethnic is not None else []
        others = []
        for item in problems_in(error):
            where = item.where
            if where.field != ETHNIC_GROUPS or where.column in ("source", "date"):
                others.append(item)
            elif getattr(item, "severity", "error") != "error":
                continue
            elif where.row is not None and 1 <= where.row <= len(rows):
                target = rows[where.row - 1]
                target.add_error(
                    where.column if where.column in target.fields else None, item.message
                )
            else:
                self.table_errors.append(item.message)
        if others:
            super().add_service_error(others)


class EthnicGroupForm(forms.Form):
    name = forms.CharField(
        label=_("Ethnic group"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": _("Ethnic group")}),
    )
    households = CountField(
        label=_("Households"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "aria-label": _("Households")}),
    )
    persons = CountField(
        label=_("Persons"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "aria-label": _("Persons")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, EthnicGroup)


BLANK_ETHNIC_ROWS = 3
MAX_ETHNIC_ROWS = 60

EthnicGroupFormSet = forms.formset_factory(
    EthnicGroupForm,
    extra=BLANK_ETHNIC_ROWS,
    max_num=MAX_ETHNIC_ROWS,
    absolute_max=MAX_ETHNIC_ROWS,
    validate_max=True,
)
ETHNIC_PREFIX = "ethnic"


def ethnic_formset(info: BasicInfo | None = None, data: Any = None) -> forms.BaseFormSet[Any]:
    """Bound to ``data`` when given; otherwise the saved groups plus three blank rows."""
    if data is not None:
        return EthnicGroupFormSet(data, prefix=ETHNIC_PREFIX)
    initial = []
    if info is not None and info.pk:
        initial = [
            {"name": g.name, "households": g.households, "persons": g.persons}
            for g in info.ethnic_groups.all()
        ]
    return EthnicGroupFormSet(initial=initial, prefix=ETHNIC_PREFIX)


def ethnic_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """Every row in the order shown (blank ones included: the service skips them, and its
    row numbers then match the rows on the page)."""
    rows: list[dict[str, Any]] = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        rows.append(
            {
                "name": data.get("name") or "",
                "households": data.get("households"),
                "persons": data.get("persons"),
            }
        )
    return rows


__all__ = [
    "BasicInfoForm",
    "CountField",
    "EthnicGroupForm",
    "EthnicGroupFormSet",
    "date_name",
    "ethnic_formset",
    "ethnic_rows",
    "source_name",
]
