"""The evaluation forms (F15, F16 achieved): the shape of the input only; the rules are in
``services.evaluation``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehoach.core.forms import ServiceErrorsMixin, VietDateField, VietDecimalField, show_bounds

from .choices import Opinion
from .models import LineEvaluation, PlanEvaluation
from .services.evaluation import TargetRow


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LineEvaluationForm(ServiceErrorsMixin, forms.Form):
    deviation_reason = forms.CharField(
        label=_("Reasons for the difference from the plan"),
        required=False,
        widget=_area(),
        help_text=_("Required when less than planned was done or the work is not completed."),
    )
    beneficiary_opinion = forms.ChoiceField(
        label=_("Beneficiaries' opinion"), choices=Opinion.choices, initial=Opinion.NOT_ASKED
    )
    opinion_notes = forms.CharField(
        label=_("What the beneficiaries said"), required=False, widget=_area(2)
    )
    operation_maintenance = forms.CharField(
        label=_("Operation and maintenance arrangement"),
        required=False,
        widget=_area(2),
        help_text=_("Required for a completed work: who runs and maintains it, with what money."),
    )
    lesson = forms.CharField(label=_("Lesson"), required=False, widget=_area(2))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, LineEvaluation)


class PlanEvaluationForm(ServiceErrorsMixin, forms.Form):
    evaluated_on = VietDateField(label=_("Evaluated on (dd/mm/yyyy)"), required=False)
    results = forms.CharField(
        label=_("Results achieved"),
        required=False,
        widget=_area(5),
        help_text=_("What the year achieved against the plan: works, money mobilised, targets."),
    )
    shortcomings = forms.CharField(
        label=_("Shortcomings and their causes"), required=False, widget=_area(4)
    )
    lessons = forms.CharField(label=_("Lessons"), required=False, widget=_area(3))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, PlanEvaluation)


class TargetsAchievedForm(ServiceErrorsMixin, forms.Form):
    """One "achieved" and one "notes" box per target of the plan, named
    ``<indicator code>__achieved`` and ``<indicator code>__notes``."""

    def __init__(self, *args: Any, rows: list[TargetRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_rows = rows
        for row in rows:
            code, name = row.indicator.code, row.indicator.name
            self.fields[f"{code}__achieved"] = VietDecimalField(
                label=_("%(indicator)s: achieved") % {"indicator": name},
                required=False,
                initial=row.achieved,
            )
            self.fields[f"{code}__notes"] = forms.CharField(
                label=_("%(indicator)s: notes") % {"indicator": name},
                required=False,
                max_length=300,
                initial=row.notes,
            )

    def rows(self) -> list[tuple[TargetRow, forms.BoundField, forms.BoundField]]:
        """Each target with its two boxes, for the table."""
        return [
            (row, self[f"{row.indicator.code}__achieved"], self[f"{row.indicator.code}__notes"])
            for row in self.target_rows
        ]

    def data_for_service(self) -> dict[str, dict[str, Any]]:
        return {
            row.indicator.code: {
                "achieved": self.cleaned_data.get(f"{row.indicator.code}__achieved"),
                "notes": self.cleaned_data.get(f"{row.indicator.code}__notes") or "",
            }
            for row in self.target_rows
        }
