"""The rules of a supervision board's members and visits (F17), pure; the board's own rules and
the helpers are in ``validators/supervision.py``. The services resolve what a form names (a
village chosen by its id) and build the context; a village that could not be found is passed as
it was typed and is refused here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core import bounds
from kehoach.core.errors import Where
from kehoach.core.text import fold, nfc
from kehoach.core.validation import Problem
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit

from ..choices import MemberOrganisation, MemberRole
from ..models import BoardMember, SupervisionVisit
from .supervision import day_text, past_date, problem, serving, text_of

# --- members ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberContext:
    """The work's commune, the board's members (those who left among them) and, for a change,
    the member being changed; ``adding`` asks for the no-conflict confirmation."""

    commune: AdministrativeUnit
    members: Sequence[BoardMember]
    editing: BoardMember | None = None
    adding: bool = False


def clean_member(
    context: MemberContext, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of a member (``full_name``, ``role``, ``organisation``, ``village``)."""
    problems: list[Problem] = []
    name = nfc(str(data.get("full_name") or ""))
    role = data.get("role") or MemberRole.MEMBER
    organisation = data.get("organisation") or ""
    village = data.get("village")
    commune = context.commune
    if not name:
        problems.append(
            problem(BoardMember, "full_name", "required", _("enter the member's full name."))
        )
    elif len(name) > 150:
        problems.append(
            problem(
                BoardMember,
                "full_name",
                "too_long",
                _("write it in at most %(max)s characters.") % {"max": 150},
            )
        )
    if role not in MemberRole.values:
        problems.append(problem(BoardMember, "role", "invalid", _("choose a role from the list.")))
    if organisation not in MemberOrganisation.values:
        problems.append(
            problem(
                BoardMember,
                "organisation",
                "invalid",
                _("choose whom the member represents from the list."),
            )
        )
    if village is not None and not isinstance(village, AdministrativeUnit):
        problems.append(
            problem(BoardMember, "village", "invalid", _("choose a village from the list."))
        )
        village = None
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != commune.pk):
        problems.append(
            problem(
                BoardMember,
                "village",
                "village_elsewhere",
                _(
                    "%(village)s is not a village of %(commune)s; the board's members live in "
                    "the commune of the work."
                )
                % {"village": village.name, "commune": commune.name},
            )
        )
        village = None
    if (
        village is None
        and organisation == MemberOrganisation.RESIDENT
        and not any(p.where.field == "village" for p in problems)
    ):
        problems.append(
            problem(
                BoardMember,
                "village",
                "village_required",
                _("a member who represents the residents names the village where they live."),
            )
        )
    problems += _among_others(context, name, role, village)
    if context.adding and not data.get("no_conflict"):
        problems.append(
            Problem(
                "conflict_of_interest",
                _(
                    "Confirm that the member lives in the commune and has no conflict of "
                    "interest with the work (not its investor, contractor or supervising "
                    "consultant, nor a close relative of theirs)."
                ),
                Where(field="no_conflict"),
            )
        )
    values = {"full_name": name, "role": role, "organisation": organisation, "village": village}
    return values, problems


def _among_others(
    context: MemberContext, name: str, role: str, village: AdministrativeUnit | None
) -> list[Problem]:
    editing = context.editing
    others = [
        m for m in context.members if m.left_on is None and (editing is None or m.pk != editing.pk)
    ]
    found = []
    if role == MemberRole.HEAD:
        head = next((m for m in others if m.role == MemberRole.HEAD), None)
        if head is not None:
            found.append(
                problem(
                    BoardMember,
                    "role",
                    "one_head",
                    _(
                        "%(name)s is already the head of the board; a board has one head. Make "
                        "this member a deputy or a member, or change %(name)s first."
                    )
                    % {"name": head.full_name},
                )
            )
    if name and any(
        fold(m.full_name) == fold(name) and m.village_id == getattr(village, "pk", None)
        for m in others
    ):
        found.append(
            problem(
                BoardMember,
                "full_name",
                "duplicate",
                _("%(name)s is already a member of the board.") % {"name": name},
            )
        )
    return found


def validate_member(context: MemberContext, data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a member's values (none: they may be saved)."""
    return clean_member(context, data)[1]


@dataclass(frozen=True)
class LifeContext:
    """The board's life: established, dissolved (or not yet), and today."""

    established_on: datetime.date
    dissolved_on: datetime.date | None
    today: datetime.date


def clean_member_leave(
    context: LifeContext, left_on: Any
) -> tuple[datetime.date | None, list[Problem]]:
    problems: list[Problem] = []
    day = past_date(
        BoardMember,
        "left_on",
        left_on,
        problems,
        today=context.today,
        missing=_("enter the date the member left the board."),
    )
    if day is not None and day < context.established_on:
        problems.append(
            problem(
                BoardMember,
                "left_on",
                "before_established",
                _("the board was established on %(date)s; a member cannot leave before.")
                % {"date": day_text(context.established_on)},
            )
        )
    elif day is not None and context.dissolved_on is not None and day > context.dissolved_on:
        problems.append(
            problem(
                BoardMember,
                "left_on",
                "after_dissolution",
                _("the board was dissolved on %(date)s; a member cannot leave after that.")
                % {"date": day_text(context.dissolved_on)},
            )
        )
    return day, problems


# --- visits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitContext:
    """The board's life, its members (with the dates they left) and the minimum serving; for a
    change, the visit's date and follow-up date as saved."""

    life: LifeContext
    members: Sequence[BoardMember]
    min_members: int
    visited_on: datetime.date | None = None
    follow_up_on: datetime.date | None = None


def clean_visit(
    context: VisitContext, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of a visit; the board's size on the visit's date is checked when the
    values are right and the date is new."""
    life = context.life
    problems: list[Problem] = []
    day = past_date(
        SupervisionVisit,
        "visited_on",
        data.get("visited_on"),
        problems,
        today=life.today,
        missing=_("enter the date of the visit."),
    )
    if day is not None and day < life.established_on:
        problems.append(
            problem(
                SupervisionVisit,
                "visited_on",
                "before_established",
                _("the visit (%(date)s) is before the board was established (%(established)s).")
                % {"date": day_text(day), "established": day_text(life.established_on)},
            )
        )
    elif day is not None and life.dissolved_on is not None and day > life.dissolved_on:
        problems.append(
            problem(
                SupervisionVisit,
                "visited_on",
                "after_dissolution",
                _("the visit (%(date)s) is after the board was dissolved (%(dissolved)s).")
                % {"date": day_text(day), "dissolved": day_text(life.dissolved_on)},
            )
        )
    values: dict[str, Any] = {
        "visited_on": day,
        "items_checked": text_of(data.get("items_checked")),
        "findings": text_of(data.get("findings")),
        "recommendations": text_of(data.get("recommendations")),
        "follow_up": text_of(data.get("follow_up")),
    }
    if not values["items_checked"]:
        problems.append(
            problem(
                SupervisionVisit,
                "items_checked",
                "required",
                _("say what was checked (materials, volumes, compliance with the design …)."),
            )
        )
    if not values["findings"]:
        problems.append(
            problem(SupervisionVisit, "findings", "required", _("write what the board found."))
        )
    problems.extend(
        bounds.errors_for(
            SupervisionVisit,
            values,
            lambda name, code, text: problem(SupervisionVisit, name, code, text),
            ("items_checked", "findings", "recommendations", "follow_up"),
        )
    )
    if context.follow_up_on is not None and day is not None and day > context.follow_up_on:
        problems.append(
            problem(
                SupervisionVisit,
                "visited_on",
                "after_follow_up",
                _("its follow-up was done on %(date)s; the visit cannot be later.")
                % {"date": day_text(context.follow_up_on)},
            )
        )
    if not problems and day is not None and day != context.visited_on:
        problems += _enough_members(context, day)
    return values, problems


def _enough_members(context: VisitContext, day: datetime.date) -> list[Problem]:
    count = len(serving(context.members, day))
    if count >= context.min_members:
        return []
    return [
        Problem(
            "board_too_small",
            ngettext(
                "The board has %(count)s member serving on %(date)s; at least %(min)s are "
                "needed before a visit can be recorded. Add members first.",
                "The board has %(count)s members serving on %(date)s; at least %(min)s are "
                "needed before a visit can be recorded. Add members first.",
                count,
            )
            % {"count": count, "date": day_text(day), "min": context.min_members},
            Where(field="visited_on"),
        )
    ]


def validate_visit(context: VisitContext, data: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a visit's values (none: it may be saved)."""
    return clean_visit(context, data)[1]


def clean_follow_up_done(
    visited_on: datetime.date, done_on: Any, today: datetime.date
) -> tuple[datetime.date | None, list[Problem]]:
    problems: list[Problem] = []
    day = past_date(
        SupervisionVisit,
        "follow_up_on",
        done_on,
        problems,
        today=today,
        missing=_("enter the date the follow-up was done."),
    )
    if day is not None and day < visited_on:
        problems.append(
            problem(
                SupervisionVisit,
                "follow_up_on",
                "before_visit",
                _("the follow-up (%(date)s) cannot be done before the visit (%(visit)s).")
                % {"date": day_text(day), "visit": day_text(visited_on)},
            )
        )
    return day, problems
