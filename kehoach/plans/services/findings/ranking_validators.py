"""The rules of a row of the ranking matrix (F5), pure: ``validate_ranking_item`` (and
``clean_ranking_item``, the cleaned values with the problems) judge a row's label and scores
against the criteria of the plan's process profile, read nothing and write nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem

from ...models import RankingItem
from .fields import SCORE_MAX, SCORE_MIN, whole_number
from .selectors import RankingCriterion


@dataclass(frozen=True)
class RankingContext:
    """The criteria of the plan's process profile (``selectors.ranking_criteria``)."""

    criteria: list[RankingCriterion]


@dataclass
class CleanRankingItem:
    label: str
    scores: dict[str, int]
    problems: list[Problem] = field(default_factory=list)


# --- F5: ranking matrix -----------------------------------------------------------------------


def _clean_scores(
    context: RankingContext, scores: Mapping[str, Any] | None, errors: list[Problem]
) -> dict[str, int]:
    criteria = {c.code: c for c in context.criteria}
    cleaned: dict[str, int] = {}
    for code, value in (scores or {}).items():
        criterion = criteria.get(code)
        if criterion is None:
            errors.append(
                Problem(
                    "unknown_criterion",
                    _("“%(code)s” is not a ranking criterion of this plan's process.")
                    % {"code": code},
                    Where(field="scores", column=code),
                )
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # not yet scored
        try:
            number = whole_number(value)
        except ValueError:
            number = None
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            errors.append(
                Problem(
                    "score_out_of_range",
                    _(
                        "%(criterion)s: the score must be a whole number from %(min)s to "
                        "%(max)s, or empty if not yet scored."
                    )
                    % {"criterion": criterion.name, "min": SCORE_MIN, "max": SCORE_MAX},
                    Where(field="scores", column=code),
                )
            )
            continue
        cleaned[code] = int(number)
    # Keep the profile's order, so the stored object reads like the matrix.
    return {code: cleaned[code] for code in criteria if code in cleaned}


def _clean_label(label: Any, errors: list[Problem]) -> str:
    text = nfc(str(label or ""))
    limit = RankingItem._meta.get_field("label").max_length or 300
    if not text:
        errors.append(
            Problem(
                "label_required",
                _("Problem or activity: enter the problem or activity to be scored."),
                Where(field="label"),
            )
        )
    elif len(text) > limit:
        errors.append(
            Problem(
                "label_too_long",
                _("Problem or activity: it can have at most %(max)s characters.") % {"max": limit},
                Where(field="label"),
            )
        )
    return text


def clean_ranking_item(context: RankingContext, data: Mapping[str, Any]) -> CleanRankingItem:
    """A ranking row's label and scores (criterion code → whole number from ``SCORE_MIN`` to
    ``SCORE_MAX``; empty or missing when not yet scored), with every problem found. The linked
    proposal (``data["line"]``) is the writer's to find."""
    errors: list[Problem] = []
    text = _clean_label(data.get("label"), errors)
    scores = _clean_scores(context, data.get("scores"), errors)
    return CleanRankingItem(text, scores, errors)


def validate_ranking_item(context: RankingContext, data: Mapping[str, Any]) -> list[Problem]:
    """The problems of a ranking row's label and scores (see ``clean_ranking_item``). Pure."""
    return clean_ranking_item(context, data).problems
