"""Shape of the findings forms: SWOT per sector (F3), a problem (F4), a ranking row (F5).

Fields are lenient (nothing required, numbers typed the Vietnamese way) so that the rules and
their messages, which name the field, stay in ``services.findings``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Model, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehoach.catalog.models import Sector
from kehoach.core.forms import NamedChoiceField, ServiceErrorsMixin, show_bounds
from kehoach.core.numbers import format_number_vi

from .forms_info import CountField, problems_in
from .models import Problem, ProposalLine, RankingItem, SwotEntry, VillagePlan
from .services.findings import SCORE_MAX, SCORE_MIN, RankingCriterion
from .services.lines.conflicts import Difference


def _label(model: type[Model], name: str) -> Any:
    return capfirst(getattr(model._meta.get_field(name), "verbose_name", name))


def _version() -> forms.IntegerField:
    """The version of the record the form showed (0: none yet), sent back so that a save over
    someone else's is refused (``expected_version``, D85)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def _shown(field: forms.Field, value: Any) -> tuple[Any, str]:
    """A value of ``field`` (a key or the object for a choice) as compared and as shown."""
    if isinstance(field, forms.ModelChoiceField) and not isinstance(
        field, forms.ModelMultipleChoiceField
    ):
        if value is not None and not isinstance(value, Model):
            value = cast(Any, field.queryset).filter(pk=value).first()
        return (value.pk if value is not None else None), (str(value) if value else "—")
    if value is None or value == "":
        return None, "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return value, format_number_vi(value)
    return value, str(value)


class StaleFormMixin:
    """A form refused because someone else saved the record after it was opened (``conflict``):
    ``differences`` lists, for each field, the value saved by the other person and the one
    typed (the partial ``plans/partials/conflict.html`` shows them, as for a proposal line)."""

    def differences(self, saved: dict[str, Any]) -> list[Difference]:
        form = cast(forms.Form, self)
        found = []
        for bound in form.visible_fields():
            key_saved, text_saved = _shown(bound.field, saved.get(bound.name))
            key_yours, text_yours = _shown(bound.field, form.cleaned_data.get(bound.name))
            if key_saved != key_yours:
                found.append(Difference(bound.name, str(bound.label), text_saved, text_yours))
        return found


class StaleForm:
    """What the page shows above a stale form: the service's message and the differences."""

    def __init__(self, message: str, differences: list[Difference]) -> None:
        self.message = message
        self.differences = differences


def _text(model: type[Model], name: str, rows: int = 3) -> forms.CharField:
    help_text = getattr(model._meta.get_field(name), "help_text", "")
    return forms.CharField(
        label=_label(model, name),
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SwotForm(StaleFormMixin, ServiceErrorsMixin, forms.Form):
    """One sector's SWOT; the sector is in the address the form posts to."""

    strengths = _text(SwotEntry, "strengths")
    weaknesses = _text(SwotEntry, "weaknesses")
    opportunities = _text(SwotEntry, "opportunities")
    threats = _text(SwotEntry, "threats")
    implication = _text(SwotEntry, "implication", rows=2)
    version = _version()

    TEXTS = ("strengths", "weaknesses", "opportunities", "threats", "implication")

    @staticmethod
    def initial_for(entry: SwotEntry | None) -> dict[str, Any]:
        if entry is None:
            return {"version": 0}
        return {name: getattr(entry, name) for name in SwotForm.base_fields}

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.TEXTS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_bounds(self, SwotEntry)


class _LineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class _LinesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _alive_lines(plan: VillagePlan) -> Any:
    return ProposalLine.objects.alive().filter(plan=plan).order_by("number")


class SolutionForm(forms.Form):
    """One solution of a problem and the proposals it produced (F4 col. 6)."""

    text = forms.CharField(label=_("Solution"), required=False, max_length=1000)
    lines = _LinesChoice(
        label=_("Proposals it produced"),
        queryset=ProposalLine.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: VillagePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_LinesChoice, self.fields["lines"]).queryset = _alive_lines(plan)


SolutionFormSet = forms.formset_factory(SolutionForm, extra=0)
SOLUTION_EMPTY_ROWS = 2
"""Empty solution rows offered below the saved ones (save to get more)."""


class ProblemForm(StaleFormMixin, ServiceErrorsMixin, forms.Form):
    """A problem with its causes; its solutions are the formset ``solution_forms``."""

    sector = NamedChoiceField(
        label=_label(Problem, "sector"), queryset=Sector.objects.none(), required=False
    )
    problem = _text(Problem, "problem", rows=2)
    affected_households = CountField(label=_label(Problem, "affected_households"), required=False)
    affected_poor = CountField(label=_label(Problem, "affected_poor"), required=False)
    affected_women = CountField(label=_label(Problem, "affected_women"), required=False)
    affected_em = CountField(label=_label(Problem, "affected_em"), required=False)
    causes = _text(Problem, "causes")
    priority = CountField(
        label=_label(Problem, "priority"),
        required=False,
        help_text=_("1 is the most important problem; leave empty if not yet ranked."),
    )
    version = _version()

    def __init__(
        self, *args: Any, plan: VillagePlan, instance: Problem | None = None, **kwargs: Any
    ) -> None:
        solutions_initial: list[dict[str, Any]] = []
        if instance is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = self.initial_for(instance)
            solutions_initial = self.solutions_initial_for(instance)
        super().__init__(*args, **kwargs)
        show_bounds(self, Problem)
        sectors = Q(is_active=True)
        if instance is not None:
            sectors |= Q(pk=instance.sector_id)  # an old problem keeps its retired sector
        sector_field = cast(forms.ModelChoiceField, self.fields["sector"])
        sector_field.queryset = Sector.objects.filter(sectors).order_by("sort_order", "code")
        self.has_lines = _alive_lines(plan).exists()
        empty: list[dict[str, Any]] = [{} for _row in range(SOLUTION_EMPTY_ROWS)]
        self.solution_forms = SolutionFormSet(
            self.data if self.is_bound else None,
            prefix="solutions",
            initial=None if self.is_bound else [*solutions_initial, *empty],
            form_kwargs={"plan": plan},
        )

    @staticmethod
    def initial_for(problem: Problem) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(problem, name) for name in ProblemForm.base_fields}
        initial["sector"] = problem.sector_id
        return initial

    @staticmethod
    def solutions_initial_for(problem: Problem) -> list[dict[str, Any]]:
        return [
            {
                "text": solution.text,
                "lines": [line.pk for line in solution.lines.all() if line.deleted_at is None],
            }
            for solution in problem.solutions.order_by("position", "id")
        ]

    def differences(self, saved: dict[str, Any]) -> list[Difference]:
        """The fields, then the solutions (one per line) when they differ."""
        found = super().differences(saved)
        mine = [row.cleaned_data.get("text") or "" for row in self.solution_forms.forms]
        theirs = [row["text"] for row in saved.get("solutions", [])]
        mine, theirs = [t for t in mine if t.strip()], [t for t in theirs if t.strip()]
        if mine != theirs:
            found.append(
                Difference(
                    "solutions",
                    str(_("Solutions")),
                    "; ".join(theirs) or "—",
                    "; ".join(mine) or "—",
                )
            )
        return found

    def is_valid(self) -> bool:
        valid = super().is_valid()
        solutions_valid = self.solution_forms.is_valid()
        return valid and solutions_valid

    def add_service_error(self, error: Any) -> None:
        """A problem about a solution row goes next to that row's text; the others to
        ``ServiceErrorsMixin``."""
        rows = self.solution_forms.forms
        others = []
        for item in problems_in(error):
            row = item.where.row
            if item.where.field == "solutions" and row and row <= len(rows):
                if getattr(item, "severity", "error") == "error":
                    rows[row - 1].add_error("text", item.message)
            else:
                others.append(item)
        if others:
            super().add_service_error(others)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["solutions"] = [
            {
                "text": row.cleaned_data.get("text") or "",
                "lines": list(row.cleaned_data.get("lines") or []),
            }
            for row in self.solution_forms.forms
        ]
        return data


def score_name(code: str) -> str:
    return f"score_{code}"


class RankingItemForm(StaleFormMixin, ServiceErrorsMixin, forms.Form):
    label = forms.CharField(label=_label(RankingItem, "label"), required=False)
    line = _LineChoice(
        label=_("Linked proposal"),
        queryset=ProposalLine.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The proposal (form F6) this row stands for, if any."),
    )
    version = _version()

    def __init__(
        self,
        *args: Any,
        plan: VillagePlan,
        criteria: list[RankingCriterion],
        instance: RankingItem | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs and not args:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        cast(_LineChoice, self.fields["line"]).queryset = _alive_lines(plan)
        for criterion in criteria:
            # No bounds here: the service checks them and names the criterion in its message.
            self.fields[score_name(criterion.code)] = forms.IntegerField(
                label=criterion.name,
                required=False,
                widget=forms.NumberInput(
                    attrs={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1, "inputmode": "numeric"}
                ),
            )

    @staticmethod
    def initial_for(item: RankingItem) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "label": item.label,
            "line": item.line_id,
            "version": item.version,
        }
        for code, value in (item.scores or {}).items():
            initial[score_name(code)] = value
        return initial

    def main_fields(self) -> list[forms.BoundField]:
        return [self["label"], self["line"]]

    def score_fields(self) -> list[forms.BoundField]:
        return [self[score_name(c.code)] for c in self.criteria]

    def field_for(self, field: str | None, column: str | None) -> str | None:
        if field == "scores" and column:
            return score_name(column)
        return field

    def service_data(self) -> dict[str, Any]:
        return {
            "label": self.cleaned_data.get("label") or "",
            "line": self.cleaned_data.get("line"),
            "scores": {c.code: self.cleaned_data.get(score_name(c.code)) for c in self.criteria},
        }


__all__ = ["ProblemForm", "RankingItemForm", "StaleForm", "SwotForm", "score_name"]
