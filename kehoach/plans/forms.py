"""Shape of the HTML input for rounds, proposals, meetings and transitions; rules stay in
services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.models import FundingSource, Sector, UnitOfMeasure
from kehoach.core.forms import (
    MonthField,
    NamedChoiceField,
    ServiceErrorsMixin,
    VietDecimalField,
    VietIntegerField,
    show_bounds,
)
from kehoach.geo.forms import DATE_WIDGET

from .choices import ImplementationMode, PovertyStatus, Sex
from .models import Attendee, ProposalLine, VillageMeeting


class RoundForm(ServiceErrorsMixin, forms.Form):
    plan_year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    proposals_due = forms.DateField(
        label=_("Village proposals due"), required=False, widget=DATE_WIDGET
    )
    synthesis_due = forms.DateField(
        label=_("Commune synthesis due"), required=False, widget=DATE_WIDGET
    )
    approval_due = forms.DateField(label=_("Approval due"), required=False, widget=DATE_WIDGET)


class LineForm(ServiceErrorsMixin, forms.Form):
    sector = NamedChoiceField(label=_("Sector"), queryset=Sector.objects.none())
    activity = forms.CharField(label=_("Activity"), max_length=300)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    unit = NamedChoiceField(label=_("Unit"), queryset=UnitOfMeasure.objects.none())
    quantity = VietDecimalField(label=_("Quantity"))
    start_month = MonthField(label=_("Start (mm/yyyy)"))
    end_month = MonthField(label=_("End (mm/yyyy)"))
    total_cost_mvnd = VietDecimalField(label=_("Total cost (million VND)"))
    contribution_mvnd = VietDecimalField(label=_("Village contribution"), required=False)
    contribution_cash_mvnd = VietDecimalField(label=_("of which cash"), required=False)
    contribution_labour_days = VietDecimalField(label=_("labour days"), decimals=1, required=False)
    contribution_labour_mvnd = VietDecimalField(label=_("of which labour"), required=False)
    contribution_materials_mvnd = VietDecimalField(
        label=_("of which materials and land"), required=False
    )
    contribution_land_m2 = VietDecimalField(
        label=_("land donated (m²)"), decimals=1, required=False
    )
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
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, plan_year: int, min_priority: int, max_priority: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, ProposalLine)

        def choices_of(name: str) -> forms.ModelChoiceField[Any]:
            return cast("forms.ModelChoiceField[Any]", self.fields[name])

        choices_of("sector").queryset = Sector.objects.filter(is_active=True).order_by(
            "sort_order", "code"
        )
        choices_of("unit").queryset = UnitOfMeasure.objects.filter(is_active=True).order_by(
            "sort_order", "code"
        )
        choices_of("proposed_source").queryset = FundingSource.objects.active_for_year(
            plan_year
        ).order_by("sort_order", "code")
        cast(forms.ChoiceField, self.fields["priority"]).choices = [("", "—")] + [
            (str(p), str(p)) for p in range(min_priority, max_priority + 1)
        ]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for key in (
            "contribution_mvnd",
            "contribution_cash_mvnd",
            "contribution_labour_days",
            "contribution_labour_mvnd",
            "contribution_materials_mvnd",
            "contribution_land_m2",
            "external_support_mvnd",
        ):
            if data.get(key) is None:
                data[key] = Decimal(0)
        for key in ("beneficiary_households", "beneficiary_poor", "beneficiary_em"):
            if data.get(key) is None:
                data[key] = 0
        return data


class MeetingForm(ServiceErrorsMixin, forms.ModelForm[VillageMeeting]):
    households_total = VietIntegerField(label=_("Households in the village"))
    households_represented = VietIntegerField(label=_("Households represented"))
    participants_total = VietIntegerField(label=_("Participants"))
    participants_women = VietIntegerField(label=_("of which women"), required=False)
    participants_poor = VietIntegerField(
        label=_("of which from poor or near-poor households"), required=False
    )
    participants_em = VietIntegerField(label=_("of which ethnic minority"), required=False)
    participants_youth = VietIntegerField(label=_("of which young people"), required=False)
    participants_elderly = VietIntegerField(label=_("of which elderly"), required=False)
    votes_agree = VietIntegerField(label=_("Agree"))
    votes_disagree = VietIntegerField(label=_("Disagree"), required=False)
    votes_abstain = VietIntegerField(label=_("Abstain"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = VillageMeeting
        fields = [
            "held_on",
            "place",
            "chair",
            "secretary",
            "agenda",
            "commune_staff",
            "households_total",
            "households_represented",
            "participants_total",
            "participants_women",
            "participants_poor",
            "participants_em",
            "participants_youth",
            "participants_elderly",
            "decision",
            "votes_agree",
            "votes_disagree",
            "votes_abstain",
        ]
        widgets = {
            "held_on": DATE_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 2}),
            "decision": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        """Rules are checked by the service, not by the model form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, VillageMeeting)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for accepting the meeting"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AttendeeForm(ServiceErrorsMixin, forms.Form):
    """One person of the meeting's attendance list (F8); rules stay in the service."""

    full_name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    ethnicity = forms.CharField(
        label=_("Ethnic group"),
        required=False,
        max_length=100,
        help_text=_("Every group but the Kinh counts as an ethnic minority."),
    )
    poverty_status = forms.ChoiceField(
        label=_("Household"),
        choices=PovertyStatus.choices,
        initial=PovertyStatus.OTHER,
        required=False,
    )
    household = forms.CharField(
        label=_("Household represented"),
        required=False,
        max_length=150,
        help_text=_("The head of the household this person speaks for, if any."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_for(attendee: Attendee) -> dict[str, object]:
        return {
            "full_name": attendee.full_name,
            "sex": attendee.sex,
            "ethnicity": attendee.ethnicity,
            "poverty_status": attendee.poverty_status,
            "household": attendee.household,
            "version": attendee.version,
        }

    def service_data(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
