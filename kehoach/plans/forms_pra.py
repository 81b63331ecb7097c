"""Shape of the PRA forms (F2): an output (tool, date, facilitators, women and men, findings,
the SWOT entries and problems it supports) and a photo upload.

Fields are lenient (nothing required, numbers and dates typed the Vietnamese way) so that the
rules and their messages, which name the field, stay in ``services.pra``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.choices import PraTheme
from kehoach.catalog.models import PraTool
from kehoach.core.forms import ServiceErrorsMixin, VietDateField, show_bounds
from kehoach.core.images.limits import CAPTION_MAX

from .forms_findings import StaleFormMixin
from .forms_info import CountField
from .models import PraOutput, Problem, SwotEntry, VillagePlan


def _label(name: str) -> Any:
    return capfirst(getattr(PraOutput._meta.get_field(name), "verbose_name", name))


class _ToolChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name())


class _Findings(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, SwotEntry):
            return str(obj.sector.display_name())
        return str(obj)


class PraOutputForm(StaleFormMixin, ServiceErrorsMixin, forms.Form):
    """One PRA output. The tool list is grouped by thematic area (§6.2); the findings it may
    support are the plan's own SWOT entries and problems."""

    tool = _ToolChoice(
        label=_label("tool"), queryset=PraTool.objects.none(), required=False, to_field_name="code"
    )
    held_on = VietDateField(label=_label("held_on"), required=False)
    facilitators = forms.CharField(
        label=_label("facilitators"),
        required=False,
        help_text=_("Who led the tool, e.g. “Tổ kế hoạch thôn, cán bộ xã Nguyễn Văn A”."),
    )
    participants_women = CountField(label=_label("participants_women"), required=False)
    participants_men = CountField(label=_label("participants_men"), required=False)
    findings = forms.CharField(
        label=_label("findings"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    supports_swot = _Findings(
        label=_("SWOT entries it supports (F3)"),
        queryset=SwotEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supports_problems = _Findings(
        label=_("Problems it supports (F4)"),
        queryset=Problem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    SERVICE_FIELDS = (
        "tool",
        "held_on",
        "facilitators",
        "participants_women",
        "participants_men",
        "findings",
        "supports_swot",
        "supports_problems",
    )

    def __init__(self, *args: Any, plan: VillagePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tool = self.fields["tool"]
        assert isinstance(tool, _ToolChoice)
        current = self.initial.get("tool")
        tools = PraTool.objects.active()
        if isinstance(current, PraTool):  # an output keeps its retired tool until changed
            tools = PraTool.objects.filter(pk__in=[*tools.values_list("pk", flat=True), current.pk])
        tool.queryset = tools.order_by("sort_order", "code")
        tool.choices = self._grouped(list(tool.queryset))
        swot = self.fields["supports_swot"]
        assert isinstance(swot, _Findings)
        swot.queryset = (
            SwotEntry.objects.filter(plan=plan)
            .select_related("sector")
            .order_by("sector__sort_order", "sector__code")
        )
        problems = self.fields["supports_problems"]
        assert isinstance(problems, _Findings)
        problems.queryset = Problem.objects.filter(plan=plan).order_by("priority", "id")
        show_bounds(self, PraOutput)

    @staticmethod
    def _grouped(tools: list[PraTool]) -> list[Any]:
        """The tools as ``<optgroup>``s by thematic area, in the order of §6.2."""
        choices: list[Any] = [("", "---------")]
        for theme in PraTheme:
            group = [(tool.code, tool.display_name()) for tool in tools if tool.theme == theme]
            if group:
                choices.append((str(theme.label), group))
        return choices

    @staticmethod
    def initial_for(output: PraOutput | None) -> dict[str, Any]:
        if output is None:
            return {"version": 0}
        return {
            "tool": output.tool,
            "held_on": output.held_on,
            "facilitators": output.facilitators,
            "participants_women": output.participants_women,
            "participants_men": output.participants_men,
            "findings": output.findings,
            "supports_swot": list(output.supports_swot.all()),
            "supports_problems": list(output.supports_problems.all()),
            "version": output.version,
        }

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.SERVICE_FIELDS}
        data["supports_swot"] = list(data["supports_swot"] or [])
        data["supports_problems"] = list(data["supports_problems"] or [])
        return data


class PraPhotoForm(ServiceErrorsMixin, forms.Form):
    """The shape of the upload only: every rule (file given, size, type, caption, how many) is
    checked by ``services.pra.pra_photo_add``."""

    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=CAPTION_MAX,
        help_text=_("What the photo shows, e.g. “Sơ đồ tài nguyên vẽ tại nhà văn hóa”."),
    )
    image = forms.FileField(
        label=_("Photo or scan (JPEG, PNG or WebP)"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
