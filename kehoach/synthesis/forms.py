"""Shape of the HTML input for envelopes, commune lines, decisions and targets; the rules stay
in ``services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.choices import ExpenditureType, FundingKind
from kehoach.catalog.models import FundingSource, Sector
from kehoach.core.forms import (
    NamedChoiceField,
    ServiceErrorsMixin,
    VietDecimalField,
    show_bounds,
)
from kehoach.geo.forms import DATE_WIDGET
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.forms import LineForm

from .choices import AreaScope, Decision, EnvelopeOrigin, Firmness, VillageFlag
from .models import CommuneLine, EnvelopeLine
from .services.envelope import PROVINCE_KINDS


class VillageChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class EnvelopeLineForm(ServiceErrorsMixin, forms.Form):
    source = forms.ModelChoiceField(
        label=_("Programme or source"), queryset=FundingSource.objects.none()
    )
    sector = NamedChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.none(),
        required=False,
        empty_label=_("— any sector —"),
    )
    expenditure_type = forms.ChoiceField(
        label=_("Expenditure type"),
        required=False,
        choices=[("", _("— investment or recurrent —")), *ExpenditureType.choices],
    )
    content = forms.CharField(
        label=_("Support content"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    activity_keywords = forms.CharField(
        label=_("Eligible activities (words, separated by commas)"),
        required=False,
        help_text=_("For example: đường, cầu. Empty: any activity of the sector."),
    )
    amount_mvnd = VietDecimalField(label=_("Amount (million VND)"))
    firmness = forms.ChoiceField(label=_("Firmness"), choices=Firmness.choices)
    counterpart_share_pct = VietDecimalField(
        label=_("Community contribution required (%)"),
        required=False,
        help_text=_("Empty: the share the funding source requires."),
    )
    area_scope = forms.ChoiceField(
        label=_("Eligible area"), choices=AreaScope.choices, widget=forms.RadioSelect
    )
    area_villages = VillageChoices(
        label=_("Eligible villages"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area_flags = forms.MultipleChoiceField(
        label=_("Eligible kinds of village"),
        choices=VillageFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, plan_year: int, commune: AdministrativeUnit, origin: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, EnvelopeLine)
        sources = FundingSource.objects.active_for_year(plan_year).filter(is_external=True)
        sources = sources.exclude(kind=FundingKind.COMMUNITY)
        if origin == EnvelopeOrigin.COMMUNE:
            sources = sources.exclude(kind__in=PROVINCE_KINDS)
        cast(forms.ModelChoiceField, self.fields["source"]).queryset = sources.order_by(
            "sort_order", "code"
        )
        cast(NamedChoiceField, self.fields["sector"]).queryset = Sector.objects.filter(
            is_active=True
        ).order_by("sort_order", "code")
        cast(VillageChoices, self.fields["area_villages"]).queryset = (
            AdministrativeUnit.objects.filter(parent=commune).current().in_vietnamese_order()
        )
        self.fields["area_scope"].initial = AreaScope.ALL
        self.fields["firmness"].initial = Firmness.INDICATIVE

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "area_villages")}
        data["sector"] = data.get("sector") or None
        return data


class MergeForm(forms.Form):
    activity = forms.CharField(label=_("Name of the merged line"), required=False, max_length=300)
    location = forms.CharField(label=_("Location"), required=False, max_length=300)


class SplitForm(ServiceErrorsMixin, forms.Form):
    """Two to four parts; each with a name, a location and its share of the cost."""

    def __init__(self, *args: Any, parts: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, parts + 1):
            self.fields[f"activity_{n}"] = forms.CharField(
                label=_("Part %(n)s: activity") % {"n": n}, required=False, max_length=300
            )
            self.fields[f"location_{n}"] = forms.CharField(
                label=_("Part %(n)s: location") % {"n": n}, required=False, max_length=300
            )
            self.fields[f"cost_{n}"] = VietDecimalField(
                label=_("Part %(n)s: total cost (million VND)") % {"n": n}, required=False
            )
        self.parts = parts


class CommuneLineForm(LineForm):
    """A commune sector's or mass organisation's own line (R14): the F6 fields plus who
    proposes it and its expenditure type."""

    organisation = forms.CharField(
        label=_("Proposed by (commune sector or organisation)"),
        max_length=200,
        help_text=_("For example: Hội Phụ nữ xã, Đoàn Thanh niên, Ban Văn hóa – Xã hội."),
    )
    expenditure_type = forms.ChoiceField(
        label=_("Expenditure type"), choices=ExpenditureType.choices, required=False
    )

    field_order = ["organisation"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["organisation"] = self.cleaned_data.get("organisation") or ""
        data["expenditure_type"] = self.cleaned_data.get("expenditure_type") or ""
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, CommuneLine)


class LineTextForm(forms.Form):
    activity = forms.CharField(label=_("Activity"), max_length=300)
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    expenditure_type = forms.ChoiceField(
        label=_("Expenditure type"), choices=ExpenditureType.choices
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, CommuneLine)


class RankForm(forms.Form):
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=1,
        required=False,
        help_text=_("Empty: the rank the score gives."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Commune decision"),
        choices=[
            (Decision.FUNDED, Decision.FUNDED.label),
            (Decision.UNFUNDED, Decision.UNFUNDED.label),
            (Decision.DEFERRED, Decision.DEFERRED.label),
            (Decision.REJECTED, Decision.REJECTED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the village reads it)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, envelope_lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.envelope_lines = envelope_lines
        for line in envelope_lines:
            self.fields[f"funding_{line.uid}"] = VietDecimalField(
                label=f"{line.number}. {line.source.code}"
                + (f" – {line.sector.name}" if line.sector_id else ""),
                required=False,
            )

    def funding(self) -> dict[Any, Decimal]:
        result = {}
        for line in self.envelope_lines:
            value = self.cleaned_data.get(f"funding_{line.uid}")
            if value:
                result[line] = value
        return result


class ApproveForm(ServiceErrorsMixin, forms.Form):
    resolution_number = forms.CharField(
        label=_("Resolution number"),
        max_length=100,
        required=False,
        help_text=_("For example: 25/NQ-HĐND"),
    )
    resolution_date = forms.DateField(
        label=_("Resolution date"), required=False, widget=DATE_WIDGET
    )
    signer = forms.CharField(
        label=_("Signed by"),
        max_length=200,
        required=False,
        help_text=_("Name and title, e.g. Lê Văn Sơn, Chủ tịch HĐND xã"),
    )
    scan = forms.FileField(
        label=_("Scanned resolution (PDF, JPEG or PNG, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked these details against the signed resolution, and I understand "
            "that the approved version can no longer be changed."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
