"""Shape of the HTML input of the commune's five-year plan pages (split, frame line); the rules
stay in the services. Merging, deciding and approving use the yearly commune plan's forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.forms import NamedChoiceField, ServiceErrorsMixin, VietDecimalField

from ..models import MediumTermRound
from ..services.commune_operations import Part

MAX_PARTS = 4


class SplitForm(ServiceErrorsMixin, forms.Form):
    """Two to four parts, each with its activity, location and share of the line (percent)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, parts: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = max(2, min(MAX_PARTS, parts))
        for n in range(1, self.parts + 1):
            self.fields[f"activity_{n}"] = forms.CharField(
                label=_("Part %(n)s: activity") % {"n": n}, required=False, max_length=300
            )
            self.fields[f"location_{n}"] = forms.CharField(
                label=_("Part %(n)s: location") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"share_{n}"] = VietDecimalField(
                label=_("Part %(n)s: share of the line (%%)") % {"n": n},
                required=False,
                decimals=4,
            )

    def part_list(self) -> list[Part]:
        data = self.cleaned_data
        parts = []
        for n in range(1, self.parts + 1):
            share = data.get(f"share_{n}")
            parts.append(
                Part(
                    data.get(f"activity_{n}") or "",
                    data.get(f"location_{n}") or "",
                    Decimal(share) / 100 if share is not None else None,
                )
            )
        return parts

    def field_for(self, field: str | None, column: str | None) -> str | None:
        return field


class FrameLineForm(ServiceErrorsMixin, forms.Form):
    source = NamedChoiceField(label=_("Programme"), queryset=FundingSource.objects.none())
    sector = NamedChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.none(),
        required=False,
        empty_label=_("— any sector —"),
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    amount_mvnd = VietDecimalField(label=_("Amount (million VND)"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, round_: MediumTermRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source_field = self.fields["source"]
        sector_field = self.fields["sector"]
        assert isinstance(source_field, forms.ModelChoiceField)
        assert isinstance(sector_field, forms.ModelChoiceField)
        source_field.queryset = FundingSource.objects.active().order_by("code")
        sector_field.queryset = Sector.objects.filter(is_active=True).order_by("sort_order", "code")
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(y, str(y)) for y in round_.years]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
