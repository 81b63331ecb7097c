"""The rules of the findings, pure: ``validate_swot``, ``validate_problem`` and
``validate_ranking_item`` (``clean_*`` give the cleaned values with the problems) judge what a
form or the API gives with what the context says of the plan, read nothing and write nothing.
Each problem names its field ("Problem: describe the problem …"). The ranking row's rules are
in ``ranking_validators`` (re-exported here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.catalog.models import Sector
from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem

from ...models import Problem as ProblemModel
from ...models import Solution, SwotEntry
from .fields import (
    _BULLET_RE,
    PROBLEM_COUNT_FIELDS,
    multiline_nfc,
    one_per_line,
    whole_number,
)
from .ranking_validators import (
    CleanRankingItem,
    RankingContext,
    clean_ranking_item,
    validate_ranking_item,
)

__all__ = [
    "CleanProblem",
    "CleanRankingItem",
    "ProblemContext",
    "RankingContext",
    "clean_problem",
    "clean_ranking_item",
    "clean_swot",
    "sector_problem",
    "validate_problem",
    "validate_ranking_item",
    "validate_swot",
]

SWOT_TEXTS = ("strengths", "weaknesses", "opportunities", "threats", "implication")


# --- contexts and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemContext:
    """What judging a problem needs of its plan: how many problems it has, whether this one is
    new (the priority runs from 1 to the count, this one included) and, for a saved one, its
    sector (an inactive sector stays allowed on the record that has it)."""

    problem_count: int
    is_new: bool = True
    current_sector_id: int | None = None


@dataclass
class CleanProblem:
    values: dict[str, Any]
    solutions: list[tuple[str, list[Any]]]
    """(text, lines as given) in order; the writer finds the lines."""
    problems: list[Problem] = field(default_factory=list)


# --- sector -----------------------------------------------------------------------------------


def sector_problem(sector: Any, *, allowed_inactive: int | None = None) -> Problem | None:
    """An active sector is fine; an inactive one only if it is ``allowed_inactive`` (the
    sector a record already has, so that old records stay editable)."""
    if isinstance(sector, Sector) and (sector.is_active or sector.pk == allowed_inactive):
        return None
    return Problem(
        "sector_invalid",
        _("Sector: choose a sector from the list of sectors in use."),
        Where(field="sector"),
    )


# --- F3: SWOT ---------------------------------------------------------------------------------


def clean_swot(data: Mapping[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    """The SWOT texts normalised (each line NFC, line breaks kept) and the problems: the
    sector first, then texts too long, then an entry with nothing in it."""
    texts = {name: multiline_nfc(data.get(name)) for name in SWOT_TEXTS}
    problem = sector_problem(data.get("sector"))
    if problem is not None:
        return texts, [problem]
    too_long = bounds.errors_for(
        SwotEntry,
        texts,
        lambda name, code, text: Problem(
            code,
            _("%(field)s: %(problem)s")
            % {
                "field": str(
                    getattr(SwotEntry._meta.get_field(name), "verbose_name", name)
                ).capitalize(),
                "problem": text,
            },
            Where(field=name),
        ),
    )
    if too_long:
        return texts, list(too_long)
    if not any(texts[name] for name in ("strengths", "weaknesses", "opportunities", "threats")):
        return texts, [
            Problem(
                "swot_empty",
                _(
                    "Strengths: enter at least one strength, weakness, opportunity or threat "
                    "of the sector."
                ),
                Where(field="strengths"),
            )
        ]
    return texts, []


def validate_swot(context: None, data: Mapping[str, Any]) -> list[Problem]:
    """The problems of a SWOT entry (``sector`` and the texts); no context needed."""
    return clean_swot(data)[1]


# --- F4: problems -----------------------------------------------------------------------------


def _field_label(name: str) -> str:
    model_field = ProblemModel._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name)).capitalize()


def _count(value: Any, name: str, errors: list[Problem]) -> int:
    """A whole number ≥ 0; empty is 0. A problem is added to ``errors`` (and 0 returned)."""
    try:
        number = whole_number(value)
        if number is not None and number < 0:
            raise ValueError(value)
    except ValueError:
        errors.append(
            Problem(
                "invalid_number",
                _("%(field)s: enter a whole number, 0 or more.") % {"field": _field_label(name)},
                Where(field=name),
            )
        )
        return 0
    beyond = (
        bounds.number_problem(bounds.limits_of(ProblemModel, name), number)
        if number is not None
        else None
    )
    if beyond is not None:
        errors.append(
            Problem(
                beyond[0],
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": beyond[1]},
                Where(field=name),
            )
        )
        return 0
    return int(number) if number is not None else 0


def clean_problem(context: ProblemContext, data: Mapping[str, Any]) -> CleanProblem:
    """Clean values of a problem and its solutions (text, the lines as given), with every
    problem found, each naming its field. The lines are the writer's to find (a line of
    another plan is refused as not found)."""
    errors: list[Problem] = []
    values: dict[str, Any] = {}
    sector = data.get("sector")
    problem = sector_problem(sector, allowed_inactive=context.current_sector_id)
    if problem is not None:
        errors.append(problem)
    values["sector"] = sector
    values["problem"] = multiline_nfc(data.get("problem"))
    if not values["problem"]:
        errors.append(
            Problem(
                "problem_required",
                _("Problem: describe the problem the village faces; it cannot be empty."),
                Where(field="problem"),
            )
        )
    for name in PROBLEM_COUNT_FIELDS:
        values[name] = _count(data.get(name), name, errors)
    bad = {e.where.field for e in errors}
    households = values["affected_households"]
    if not bad & {"affected_households", "affected_poor"} and values["affected_poor"] > households:
        errors.append(
            Problem(
                "poor_more_than_households",
                _(
                    "Of which poor: the poor households (%(poor)s) cannot be more than the "
                    "households affected (%(households)s)."
                )
                % {
                    "poor": format_number_vi(values["affected_poor"]),
                    "households": format_number_vi(households),
                },
                Where(field="affected_poor"),
            )
        )
    if not bad & {"affected_households", "affected_em"} and values["affected_em"] > households:
        errors.append(
            Problem(
                "em_more_than_households",
                _(
                    "Of which ethnic minority: the ethnic-minority households (%(em)s) cannot "
                    "be more than the households affected (%(households)s)."
                )
                % {
                    "em": format_number_vi(values["affected_em"]),
                    "households": format_number_vi(households),
                },
                Where(field="affected_em"),
            )
        )
    values["causes"] = one_per_line(data.get("causes"))
    errors.extend(
        bounds.errors_for(
            ProblemModel,
            values,
            lambda name, code, text: Problem(
                code,
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": text},
                Where(field=name),
            ),
            ("problem", "causes"),
        )
    )
    values["priority"] = _clean_problem_priority(context, data.get("priority"), errors)
    solutions = _clean_solutions(data.get("solutions"), errors)
    return CleanProblem(values, solutions, errors)


def validate_problem(context: ProblemContext, data: Mapping[str, Any]) -> list[Problem]:
    """The problems of a problem's values and solutions (see ``clean_problem``). Pure."""
    return clean_problem(context, data).problems


def _clean_solutions(value: Any, errors: list[Problem]) -> list[tuple[str, list[Any]]]:
    """The solutions as (text, lines) in order. ``value`` is a list of ``{"text", "lines"}``
    (a form row each; rows with neither text nor line are skipped), or a text with one solution
    per line and no proposal linked."""
    if value is None:
        return []
    if isinstance(value, str):
        return [(item, []) for item in one_per_line(value).splitlines()]
    cleaned: list[tuple[str, list[Any]]] = []
    for row, item in enumerate(value, start=1):
        text = nfc(str(item.get("text") or ""))
        text = _BULLET_RE.sub("", text, count=1)
        lines = list(item.get("lines") or [])
        if not text and not lines:
            continue
        if not text:
            errors.append(
                Problem(
                    "solution_required",
                    _(
                        "Solution %(row)s: write the solution that the ticked proposals came "
                        "from, or untick them."
                    )
                    % {"row": row},
                    Where(field="solutions", row=row),
                )
            )
            continue
        beyond = bounds.text_problem(bounds.limits_of(Solution, "text"), text)
        if beyond is not None:
            errors.append(
                Problem(
                    beyond[0],
                    _("Solution %(row)s: %(problem)s") % {"row": row, "problem": beyond[1]},
                    Where(field="solutions", row=row),
                )
            )
            continue
        cleaned.append((text, lines))
    return cleaned


def _clean_problem_priority(
    context: ProblemContext, value: Any, errors: list[Problem]
) -> int | None:
    """Empty, or 1..N where N is the number of problems of the plan (this one included)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    highest = context.problem_count + (1 if context.is_new else 0)
    try:
        number = whole_number(value)
    except ValueError:
        number = None
    if number is None or not 1 <= number <= highest:
        errors.append(
            Problem(
                "priority_out_of_range",
                _(
                    "Problem priority: enter a whole number from 1 to %(max)s (the number of "
                    "problems), or leave it empty."
                )
                % {"max": highest},
                Where(field="priority"),
            )
        )
        return None
    return int(number)
