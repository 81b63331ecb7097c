"""Shape of the HTML input for five-year periods and plans; rules stay in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core.forms import (
    NamedChoiceField,
    ServiceErrorsMixin,
    VietDecimalField,
    VietIntegerField,
    show_bounds,
)
from kehoach.geo.forms import DATE_WIDGET
from kehoach.plans.choices import ImplementationMode

from .choices import SET_BY_HAND
from .models import MediumTermLine
from .services.lines import LINE_FIELDS, YearValues, year_field


class PeriodForm(ServiceErrorsMixin, forms.Form):
    first_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    proposals_due = forms.DateField(
        label=_("Village proposals due"), required=False, widget=DATE_WIDGET
    )
    approval_due = forms.DateField(label=_("Approval due"), required=False, widget=DATE_WIDGET)


class MediumTermLineForm(ServiceErrorsMixin, forms.Form):
    """An activity of F7: the F6 columns that do not change by year, then one quantity and
    cost pair per year of the period (``q_<year>``, ``c_<year>``)."""

    sector = NamedChoiceField(label=_("Sector"), queryset=Sector.objects.none())
    activity = forms.CharField(label=_("Activity"), max_length=300)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    unit = NamedChoiceField(label=_("Unit"), queryset=UnitOfMeasure.objects.none())
    contribution_mvnd = VietDecimalField(label=_("Village contribution"), required=False)
    external_support_mvnd = VietDecimalField(label=_("External support requested"), required=False)
    proposed_source = forms.ModelChoiceField(
        label=_("Proposed source"), queryset=FundingSource.objects.none(), required=False
    )
    beneficiary_households = VietIntegerField(label=_("Beneficiary households"), required=False)
    beneficiary_poor = VietIntegerField(label=_("of which poor"), required=False)
    beneficiary_em = VietIntegerField(label=_("of which ethnic minority"), required=False)
    implementation_mode = forms.ChoiceField(
        label=_("Implementation"),
        choices=ImplementationMode.choices,
        initial=ImplementationMode.COMMUNITY,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        show_bounds(self, MediumTermLine)
        for year in years:
            quantity = VietDecimalField(
                label=_("%(year)s: quantity") % {"year": year}, required=False
            )
            cost = VietDecimalField(
                label=_("%(year)s: cost (million VND)") % {"year": year}, required=False
            )
            self.fields[year_field(year, "q")] = quantity
            self.fields[year_field(year, "c")] = cost
        choices_of = lambda name: cast("forms.ModelChoiceField[Any]", self.fields[name])  # noqa: E731
        choices_of("sector").queryset = Sector.objects.filter(is_active=True).order_by(
            "sort_order", "code"
        )
        choices_of("unit").queryset = UnitOfMeasure.objects.filter(is_active=True).order_by(
            "sort_order", "code"
        )
        first = years[0] if years else 2000
        choices_of("proposed_source").queryset = FundingSource.objects.active_for_year(
            first
        ).order_by("sort_order", "code")

    def year_pairs(self) -> list[tuple[int, Any, Any]]:
        """Each year with its quantity and cost fields, for the template."""
        return [
            (year, self[year_field(year, "q")], self[year_field(year, "c")]) for year in self.years
        ]

    def other_fields(self) -> list[Any]:
        return [self[name] for name in LINE_FIELDS]

    def service_data(self) -> tuple[dict[str, Any], dict[int, YearValues]]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in LINE_FIELDS}
        years = {
            year: YearValues(data.get(year_field(year, "q")), data.get(year_field(year, "c")))
            for year in self.years
            if data.get(year_field(year, "q")) is not None
            or data.get(year_field(year, "c")) is not None
        }
        return values, years

    @staticmethod
    def initial_for(line: MediumTermLine) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(line, name) for name in LINE_FIELDS}
        initial["sector"] = line.sector_id
        initial["unit"] = line.unit_id
        initial["proposed_source"] = line.proposed_source_id
        initial["version"] = line.version
        for item in line.years.all():
            initial[year_field(item.year, "q")] = item.quantity
            initial[year_field(item.year, "c")] = item.cost_mvnd
        return initial


class YearStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in SET_BY_HAND])
    reason = forms.CharField(
        label=_("Why the year is dropped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )


class MeetingChoiceForm(forms.Form):
    meeting = forms.ChoiceField(label=_("Village meeting"), required=False)

    def __init__(self, *args: Any, meetings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["meeting"]).choices = [("", "—")] + [
            (str(m.pk), str(m)) for m in meetings
        ]
