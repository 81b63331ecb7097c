"""The community supervision forms (F17): the shape of the input only; the rules are in
``services.supervision``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDateField, show_bounds
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from .choices import MemberOrganisation, MemberRole
from .models import BoardMember, SupervisionBoard, SupervisionVisit

TEXT = {"rows": 3}


class _Versioned(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("version", "stamp")}


class BoardForm(_Versioned):
    established_on = VietDateField(label=_("Established on (dd/mm/yyyy)"))
    decision_ref = forms.CharField(
        label=_("Decision establishing the board"),
        max_length=200,
        help_text=_("Number and date of the commune Fatherland Front's decision."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, SupervisionBoard)


class DissolveForm(_Versioned):
    dissolved_on = VietDateField(label=_("Dissolved on (dd/mm/yyyy)"))


class MemberForm(ServiceErrorsMixin, forms.Form):
    """A member; ``adding`` asks for the confirmation about residence and conflicts of
    interest, ``stamp`` carries the time the row was last saved when editing."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial="member")
    organisation = forms.ChoiceField(
        label=_("Represents"), choices=MemberOrganisation.choices, initial="resident"
    )
    village = forms.ModelChoiceField(
        label=_("Village where they live"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=_("Required for a resident of the village."),
    )
    no_conflict = forms.BooleanField(
        label=_(
            "The member lives in the commune and has no conflict of interest with the work "
            "(not its investor, contractor or supervising consultant, nor a close relative)."
        ),
        required=False,
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, commune: AdministrativeUnit, adding: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = AdministrativeUnit.objects.filter(
            parent=commune, level=Level.VILLAGE
        ).order_by("valid_to", "sort_key", "code")
        field.empty_label = "—"
        if not adding:
            del self.fields["no_conflict"]
        else:
            del self.fields["stamp"]

    @staticmethod
    def initial_for(member: BoardMember, stamp: str) -> dict[str, Any]:
        return {
            "full_name": member.full_name,
            "role": member.role,
            "organisation": member.organisation,
            "village": member.village_id,
            "stamp": stamp,
        }

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "stamp"}


class LeaveForm(ServiceErrorsMixin, forms.Form):
    left_on = VietDateField(label=_("Left the board on (dd/mm/yyyy)"))
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)


class VisitForm(_Versioned):
    visited_on = VietDateField(label=_("Date of the visit (dd/mm/yyyy)"))
    items_checked = forms.CharField(
        label=_("Items checked"),
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Materials, volumes, compliance with the design …"),
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs=TEXT))
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What is to be done, by whom, by when."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, SupervisionVisit)


class FollowUpForm(_Versioned):
    follow_up_on = VietDateField(label=_("Follow-up done on (dd/mm/yyyy)"))
