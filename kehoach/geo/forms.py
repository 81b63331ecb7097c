from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDateField

from .choices import VILLAGE_KINDS, Kind
from .models import AdministrativeUnit

VILLAGE_KIND_CHOICES = [(k, label) for k, label in Kind.choices if k in VILLAGE_KINDS]

# For Django DateFields elsewhere; the village forms use VietDateField (dd/mm/yyyy, with the
# same Vietnamese messages as an Excel import).
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class VillageCreateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Village name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=VILLAGE_KIND_CHOICES, initial=Kind.VILLAGE)
    valid_from = VietDateField(
        label=_("Since"), required=False, help_text=_("dd/mm/yyyy; empty = today")
    )


class VillageRenameForm(ServiceErrorsMixin, forms.Form):
    new_name = forms.CharField(label=_("New name"), max_length=200)
    effective_date = VietDateField(label=_("Effective date"), required=False)
    decision = forms.CharField(
        label=_("Decision"),
        max_length=200,
        required=False,
        help_text=_("Number and date of the commune council resolution, if any."),
    )


class VillageEndForm(ServiceErrorsMixin, forms.Form):
    valid_to = VietDateField(label=_("Last day"), required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class VillageMergeForm(ServiceErrorsMixin, forms.Form):
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages to merge"),
        queryset=AdministrativeUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    into = forms.ModelChoiceField(
        label=_("Village that remains"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("— a new village —"),
    )
    new_name = forms.CharField(
        label=_("Name of the new village"),
        max_length=200,
        required=False,
        help_text=_("Only when the merged villages form a new village."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of the new village"), choices=VILLAGE_KIND_CHOICES, initial=Kind.VILLAGE
    )
    effective_date = VietDateField(label=_("Effective date"), required=False)
    decision = forms.CharField(label=_("Decision"), max_length=200, required=False)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages  # type: ignore[attr-defined]
        self.fields["into"].queryset = villages  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("into") and not (data.get("new_name") or "").strip():
            self.add_error(
                "new_name", _("Choose the village that remains, or give the new village's name.")
            )
        return data


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One village per row; first row: Tên thôn, Loại (thôn/bản/tổ dân phố), Từ ngày."
        ),
    )
