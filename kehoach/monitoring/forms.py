"""The progress report form (F14): the shape of the input only; the rules are in
``services.progress``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDateField, VietDecimalField, show_bounds
from kehoach.synthesis.models import EnvelopeLine
from kehoach.synthesis.services.common import money_text

from .choices import ProgressStatus
from .models import ProgressReport


class ReportForm(ServiceErrorsMixin, forms.Form):
    reported_on = VietDateField(label=_("Reporting date (dd/mm/yyyy)"))
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)
    quantity_done = VietDecimalField(label=_("Quantity done to date"), required=False)
    actual_start = VietDateField(label=_("Actual start"), required=False)
    actual_finish = VietDateField(label=_("Actual finish"), required=False)
    status_reason = forms.CharField(
        label=_("Reason (suspended or cancelled)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contribution_cash_mvnd = VietDecimalField(label=_("Cash given"), required=False)
    contribution_labour_days = VietDecimalField(
        label=_("Labour days given"), decimals=1, required=False
    )
    contribution_labour_mvnd = VietDecimalField(label=_("Value of the labour"), required=False)
    contribution_materials_mvnd = VietDecimalField(label=_("Materials given"), required=False)
    contribution_land_m2 = VietDecimalField(label=_("Land given (m²)"), decimals=1, required=False)
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    excess_reason = forms.CharField(
        label=_("Reason for exceeding the approved plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, funding: dict[EnvelopeLine, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, ProgressReport)
        self.funding = funding
        for envelope_line, approved in funding.items():
            self.fields[f"disbursed_{envelope_line.uid}"] = VietDecimalField(
                label=_("Disbursed from %(source)s (approved %(approved)s)")
                % {
                    "source": envelope_line.source.code,
                    "approved": money_text(approved),
                },
                required=False,
            )

    def disbursed(self) -> dict[EnvelopeLine, Decimal]:
        return {
            envelope_line: self.cleaned_data[f"disbursed_{envelope_line.uid}"]
            for envelope_line in self.funding
            if self.cleaned_data.get(f"disbursed_{envelope_line.uid}") is not None
        }
