"""The rules of community investment supervision (F17), pure: given what the board looks like
now (its dates, its members, its visits' dates) and today, the values typed → the problems,
each naming its field. No actor, no query, no write: the services in
``services/supervision/`` build the context under their row lock, call these and raise.

- a board is established on a date that has happened, by a decision (number and date); it is
  not established after its first visit, after it was dissolved or after a member left;
- a board is dissolved on a date that has happened, not before it was established nor before
  its last visit;
- a member has a name, a role (one current head at most), whom they represent; a resident
  names a village of the work's commune; one person is not on the board twice; whoever adds a
  member confirms that they live in the commune and have no conflict of interest;
- a member leaves on a date that has happened, within the board's life;
- a visit has a date that has happened, within the board's life, not after its follow-up was
  done, what was checked and what was found; on that date the board has at least its minimum
  number of members serving;
- a follow-up is marked done on a date that has happened, not before the visit.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.numbers import format_date_vi
from kehoach.core.text import nfc
from kehoach.core.validation import Problem

from ..models import BoardMember, SupervisionBoard


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def problem(model: type[models.Model], name: str, code: str, text: str) -> Problem:
    """A problem of one field: "<Field>: <what is wrong>"."""
    message = _("%(field)s: %(problem)s") % {"field": _label(model, name), "problem": text}
    return Problem(code, message, Where(field=name), detail=text)


def day_text(value: datetime.date) -> str:
    return format_date_vi(value)


def text_of(value: Any) -> str:
    """Several lines of text, each NFC with its spaces collapsed."""
    lines = [nfc(x) for x in str(value or "").splitlines()]
    return "\n".join(lines).strip()


def past_date(
    model: type[models.Model],
    name: str,
    value: Any,
    problems: list[Problem],
    *,
    today: datetime.date,
    missing: str | None = None,
) -> datetime.date | None:
    """A date that has happened; ``missing`` is the message when it is required and empty."""
    if value in (None, ""):
        if missing:
            problems.append(problem(model, name, "required", missing))
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        problems.append(problem(model, name, "date_invalid", _("write the date as dd/mm/yyyy.")))
        return None
    if value > today:
        problems.append(
            problem(
                model,
                name,
                "date_future",
                _("%(date)s is in the future; record what has happened.")
                % {"date": day_text(value)},
            )
        )
        return None
    return value


def serving(members: Sequence[BoardMember], day: datetime.date | None = None) -> list[BoardMember]:
    """Members on the board on ``day`` (today when not given): not yet left by then."""
    if day is None:
        return [m for m in members if m.left_on is None]
    return [m for m in members if m.left_on is None or m.left_on > day]


# --- the board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardContext:
    """A board as saved (nothing when it is being established): its first visit, the date it
    was dissolved, the first date a member left."""

    today: datetime.date
    first_visit: datetime.date | None = None
    dissolved_on: datetime.date | None = None
    first_left: datetime.date | None = None


def clean_board(
    context: BoardContext, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of a board (``established_on``, ``decision_ref``, ``notes``)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {
        "established_on": past_date(
            SupervisionBoard,
            "established_on",
            data.get("established_on"),
            problems,
            today=context.today,
            missing=_("enter the date the board was established."),
        ),
        "decision_ref": nfc(str(data.get("decision_ref") or "")),
        "notes": text_of(data.get("notes")),
    }
    if not values["decision_ref"]:
        problems.append(
            problem(
                SupervisionBoard,
                "decision_ref",
                "required",
                _(
                    "enter the number and date of the commune Fatherland Front's decision "
                    "establishing the board."
                ),
            )
        )
    elif len(values["decision_ref"]) > 200:
        problems.append(
            problem(
                SupervisionBoard,
                "decision_ref",
                "too_long",
                _("write it in at most %(max)s characters.") % {"max": 200},
            )
        )
    problems.extend(
        bounds.errors_for(
            SupervisionBoard,
            values,
            lambda name, code, text: problem(SupervisionBoard, name, code, text),
            ("notes",),
        )
    )
    established = values["established_on"]
    if established is not None:
        problems += _established_after(context, established)
    return values, problems


def _established_after(context: BoardContext, established: datetime.date) -> list[Problem]:
    found = []
    if context.first_visit is not None and established > context.first_visit:
        found.append(
            problem(
                SupervisionBoard,
                "established_on",
                "after_first_visit",
                _("the board cannot be established after its first visit (%(date)s).")
                % {"date": day_text(context.first_visit)},
            )
        )
    if context.dissolved_on is not None and established > context.dissolved_on:
        found.append(
            problem(
                SupervisionBoard,
                "established_on",
                "after_dissolution",
                _("the board cannot be established after it was dissolved (%(date)s).")
                % {"date": day_text(context.dissolved_on)},
            )
        )
    if context.first_left is not None and established > context.first_left:
        found.append(
            problem(
                SupervisionBoard,
                "established_on",
                "after_member_left",
                _("a member left the board on %(date)s, before this date.")
                % {"date": day_text(context.first_left)},
            )
        )
    return found


def validate_board(context: BoardContext, data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a board's values (none: it may be saved)."""
    return clean_board(context, data)[1]


@dataclass(frozen=True)
class DissolutionContext:
    established_on: datetime.date
    last_visit: datetime.date | None
    today: datetime.date


def clean_dissolution(
    context: DissolutionContext, dissolved_on: Any
) -> tuple[datetime.date | None, list[Problem]]:
    """The date a board is dissolved on and its problems."""
    problems: list[Problem] = []
    day = past_date(
        SupervisionBoard,
        "dissolved_on",
        dissolved_on,
        problems,
        today=context.today,
        missing=_("enter the date the board was dissolved."),
    )
    if day is not None and day < context.established_on:
        problems.append(
            problem(
                SupervisionBoard,
                "dissolved_on",
                "before_established",
                _("the board was established on %(date)s; it cannot be dissolved before.")
                % {"date": day_text(context.established_on)},
            )
        )
    elif day is not None and context.last_visit is not None and day < context.last_visit:
        problems.append(
            problem(
                SupervisionBoard,
                "dissolved_on",
                "before_last_visit",
                _("the board's last visit was on %(date)s; it cannot be dissolved before that.")
                % {"date": day_text(context.last_visit)},
            )
        )
    return day, problems


def validate_dissolution(context: DissolutionContext, dissolved_on: Any) -> list[Problem]:
    return clean_dissolution(context, dissolved_on)[1]
