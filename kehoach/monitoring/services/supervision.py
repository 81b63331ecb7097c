"""Community investment supervision (F17): the one way a work's supervision board, its members
and its visits are recorded.

The rules, each refusal naming its field:

- a work has one board, established on a date (not in the future) by a decision of the commune
  Fatherland Front; the board is dissolved on a date that is not before its last visit;
- a member has a name (kept NFC), a role (one current head at most), stands for the commune
  Front, the People's Inspectorate, the residents of a village or a mass organisation; a
  resident names the village they live in, and every village named is a village of the work's
  commune; the person entering a member confirms that they live in the commune and have no
  conflict of interest with the work; one person is not on the board twice;
- a member who leaves keeps their row with the date they left (the board's composition at
  each visit stays readable); a member entered by mistake can be removed only while the board
  has no visit;
- a visit is recorded only while the board has at least the minimum number of members serving
  on the visit date (five by law; a process profile may say otherwise with
  ``supervision_min_members`` in its ``extra``); its date is not in the future, not before the
  board was established and not after it was dissolved; what was checked and what was found
  are required;
- a follow-up is marked done on a date that is not before the visit and not in the future.

Every write locks the work's row (``require_work``), so two edits of one board never interleave,
and edits made from a form that was opened before someone else saved are refused
(``version``; for members, who have no version column, the time the row was last saved).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import snapshot
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.numbers import format_date_vi
from kehoach.core.text import fold, nfc
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.services.common import check_version
from kehoach.synthesis.models import CommuneLine, CommunePlan, LineSource

from ..choices import MemberOrganisation, MemberRole
from ..models import BoardMember, SupervisionBoard, SupervisionVisit
from .common import record, require_work, works_of

MIN_MEMBERS = 5
"""At least five members (Law on investment supervision by the community, [S]); a process
profile may set ``supervision_min_members`` in its ``extra``."""

BOARD_FIELDS = ["established_on", "decision_ref", "dissolved_on", "notes"]
MEMBER_FIELDS = ["full_name", "role", "organisation", "village", "left_on"]
VISIT_FIELDS = [
    "visited_on",
    "items_checked",
    "findings",
    "recommendations",
    "follow_up",
    "follow_up_done",
    "follow_up_on",
]
ROLE_ORDER: dict[str, int] = {MemberRole.HEAD: 0, MemberRole.DEPUTY: 1, MemberRole.MEMBER: 2}


# --- reading ---------------------------------------------------------------------------------


def min_members(plan: CommunePlan) -> int:
    """The minimum number of members of a board for the plan's process profile."""
    value = (plan.round.profile.extra or {}).get("supervision_min_members", MIN_MEMBERS)
    try:
        number = int(value)
    except (TypeError, ValueError):
        return MIN_MEMBERS
    return number if number >= 1 else MIN_MEMBERS


def member_stamp(member: BoardMember) -> str:
    """What an edit form of a member carries to detect a change saved in between."""
    return member.updated_at.isoformat() if member.updated_at else ""


def members_in_order(members: list[BoardMember]) -> list[BoardMember]:
    """Current members first (head, deputies, members, by name), then those who left."""
    return sorted(
        members,
        key=lambda m: (m.left_on is not None, ROLE_ORDER.get(m.role, 9), fold(m.full_name)),
    )


def serving(members: list[BoardMember], day: datetime.date | None = None) -> list[BoardMember]:
    """Members on the board on ``day`` (today when not given): not yet left by then."""
    if day is None:
        return [m for m in members if m.left_on is None]
    return [m for m in members if m.left_on is None or m.left_on > day]


def board_for(line: CommuneLine) -> SupervisionBoard | None:
    """The work's board with its members (and their villages) and visits, newest first."""
    return (
        SupervisionBoard.objects.filter(line=line)
        .prefetch_related(
            Prefetch("members", queryset=BoardMember.objects.select_related("village")),
            Prefetch(
                "visits",
                queryset=SupervisionVisit.objects.select_related("recorded_by").order_by(
                    "-visited_on", "-id"
                ),
            ),
        )
        .first()
    )


def work_villages(line: CommuneLine) -> list[AdministrativeUnit]:
    """The villages the work came from (its residents are the board's village members)."""
    return list(
        AdministrativeUnit.objects.filter(
            pk__in=LineSource.objects.filter(line=line, withdrawn=False).values(
                "village_line__plan__village"
            )
        ).order_by("sort_key", "code")
    )


def boards_of(plan: CommunePlan) -> QuerySet[CommuneLine]:
    """The plan's works, each with its board (or none) and the board's counts: current
    members, visits, last visit, open follow-ups — one query."""
    return (
        works_of(plan)
        .select_related("supervision_board")
        .annotate(
            board_members=Count(
                "supervision_board__members",
                filter=Q(supervision_board__members__left_on__isnull=True),
                distinct=True,
            ),
            board_visits=Count("supervision_board__visits", distinct=True),
            board_last_visit=Max("supervision_board__visits__visited_on"),
            board_open=Count(
                "supervision_board__visits",
                filter=Q(supervision_board__visits__follow_up_done=False)
                & ~Q(supervision_board__visits__follow_up=""),
                distinct=True,
            ),
        )
    )


def open_follow_ups(plan: CommunePlan) -> QuerySet[SupervisionVisit]:
    """Visits of the plan's boards whose follow-up is not done yet, oldest first."""
    return (
        SupervisionVisit.objects.filter(board__line__plan=plan, follow_up_done=False)
        .exclude(follow_up="")
        .select_related("board__line")
        .order_by("visited_on", "id")
    )


# --- checking --------------------------------------------------------------------------------


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


def _error(model: type[models.Model], name: str, code: str, text: str) -> ApplicationError:
    message = _("%(field)s: %(problem)s") % {"field": _label(model, name), "problem": text}
    return ApplicationError(code, message, Where(field=name), detail=text)


def _day(value: datetime.date) -> str:
    return format_date_vi(value)


def _text(value: Any) -> str:
    """Several lines of text, each NFC with its spaces collapsed."""
    lines = [nfc(x) for x in str(value or "").splitlines()]
    return "\n".join(lines).strip()


def _date(
    model: type[models.Model],
    name: str,
    value: Any,
    errors: list[ApplicationError],
    *,
    today: datetime.date,
    missing: str | None = None,
) -> datetime.date | None:
    """A date that has happened; ``missing`` is the message when it is required and empty."""
    if value in (None, ""):
        if missing:
            errors.append(_error(model, name, "required", missing))
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        errors.append(_error(model, name, "date_invalid", _("write the date as dd/mm/yyyy.")))
        return None
    if value > today:
        errors.append(
            _error(
                model,
                name,
                "date_future",
                _("%(date)s is in the future; record what has happened.") % {"date": _day(value)},
            )
        )
        return None
    return value


def _locked(actor: Any, board: SupervisionBoard) -> tuple[CommuneLine, SupervisionBoard]:
    """The work (locked, permission checked) and its board as saved now (locked)."""
    line = require_work(actor, board.line, Action.RECORD_SUPERVISION)
    current = SupervisionBoard.objects.select_for_update().get(pk=board.pk)
    current.line = line
    return line, current


def _refuse_if_dissolved(board: SupervisionBoard, text: str) -> None:
    if board.dissolved_on is not None:
        raise ApplicationError(
            "board_dissolved",
            text % {"date": _day(board.dissolved_on)},
        )


# --- the board -------------------------------------------------------------------------------


def _board_values(
    data: dict[str, Any], *, today: datetime.date
) -> tuple[dict[str, Any], list[ApplicationError]]:
    errors: list[ApplicationError] = []
    values: dict[str, Any] = {
        "established_on": _date(
            SupervisionBoard,
            "established_on",
            data.get("established_on"),
            errors,
            today=today,
            missing=_("enter the date the board was established."),
        ),
        "decision_ref": nfc(str(data.get("decision_ref") or "")),
        "notes": _text(data.get("notes")),
    }
    if not values["decision_ref"]:
        errors.append(
            _error(
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
        errors.append(
            _error(
                SupervisionBoard,
                "decision_ref",
                "too_long",
                _("write it in at most %(max)s characters.") % {"max": 200},
            )
        )
    errors.extend(
        bounds.errors_for(
            SupervisionBoard,
            values,
            lambda name, code, text: _error(SupervisionBoard, name, code, text),
            ("notes",),
        )
    )
    return values, errors


@transaction.atomic
def board_establish(*, actor: Any, line: CommuneLine, data: dict[str, Any]) -> SupervisionBoard:
    """Record the supervision board of a work (one per work)."""
    line = require_work(actor, line, Action.RECORD_SUPERVISION)
    existing = SupervisionBoard.objects.filter(line=line).first()
    if existing is not None:
        raise ApplicationError(
            "board_exists",
            _(
                "Work %(number)s already has a supervision board (established on %(date)s); a "
                "work has one board. Change that board instead."
            )
            % {"number": line.number, "date": _day(existing.established_on)},
        )
    values, errors = _board_values(data, today=timezone.localdate())
    if errors:
        raise ApplicationErrors(errors)
    board = SupervisionBoard.objects.create(line=line, **values)
    record(actor, line.plan, board, "create", BOARD_FIELDS)
    return board


@transaction.atomic
def board_update(
    *,
    actor: Any,
    board: SupervisionBoard,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> SupervisionBoard:
    """Correct the board's date, decision or notes (the dissolution has its own service)."""
    line, current = _locked(actor, board)
    check_version(current.version, expected_version, what=_("the supervision board"))
    values, errors = _board_values(data, today=timezone.localdate())
    established = values["established_on"]
    if established is not None:
        first = current.visits.order_by("visited_on").values_list("visited_on", flat=True).first()
        if first is not None and established > first:
            errors.append(
                _error(
                    SupervisionBoard,
                    "established_on",
                    "after_first_visit",
                    _("the board cannot be established after its first visit (%(date)s).")
                    % {"date": _day(first)},
                )
            )
        if current.dissolved_on is not None and established > current.dissolved_on:
            errors.append(
                _error(
                    SupervisionBoard,
                    "established_on",
                    "after_dissolution",
                    _("the board cannot be established after it was dissolved (%(date)s).")
                    % {"date": _day(current.dissolved_on)},
                )
            )
        left = current.members.aggregate(first=models.Min("left_on"))["first"]
        if left is not None and established > left:
            errors.append(
                _error(
                    SupervisionBoard,
                    "established_on",
                    "after_member_left",
                    _("a member left the board on %(date)s, before this date.")
                    % {"date": _day(left)},
                )
            )
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, BOARD_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, BOARD_FIELDS) != before:
        current.version += 1
        current.save()
        record(actor, line.plan, current, "update", BOARD_FIELDS, before=before)
    return current


@transaction.atomic
def board_dissolve(
    *,
    actor: Any,
    board: SupervisionBoard,
    dissolved_on: Any,
    expected_version: int | None = None,
) -> SupervisionBoard:
    """The board has done its task: record the date it was dissolved."""
    line, current = _locked(actor, board)
    check_version(current.version, expected_version, what=_("the supervision board"))
    _refuse_if_dissolved(current, _("The board was already dissolved on %(date)s."))
    errors: list[ApplicationError] = []
    day = _date(
        SupervisionBoard,
        "dissolved_on",
        dissolved_on,
        errors,
        today=timezone.localdate(),
        missing=_("enter the date the board was dissolved."),
    )
    if day is not None:
        last = current.visits.aggregate(last=Max("visited_on"))["last"]
        if day < current.established_on:
            errors.append(
                _error(
                    SupervisionBoard,
                    "dissolved_on",
                    "before_established",
                    _("the board was established on %(date)s; it cannot be dissolved before.")
                    % {"date": _day(current.established_on)},
                )
            )
        elif last is not None and day < last:
            errors.append(
                _error(
                    SupervisionBoard,
                    "dissolved_on",
                    "before_last_visit",
                    _("the board's last visit was on %(date)s; it cannot be dissolved before that.")
                    % {"date": _day(last)},
                )
            )
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, BOARD_FIELDS)
    current.dissolved_on = day
    current.version += 1
    current.save()
    record(actor, line.plan, current, "update", BOARD_FIELDS, before=before)
    return current


# --- members ---------------------------------------------------------------------------------


def _member_values(
    board: SupervisionBoard,
    commune: AdministrativeUnit,
    data: dict[str, Any],
    *,
    exclude: BoardMember | None = None,
) -> tuple[dict[str, Any], list[ApplicationError]]:
    errors: list[ApplicationError] = []
    name = nfc(str(data.get("full_name") or ""))
    role = data.get("role") or MemberRole.MEMBER
    organisation = data.get("organisation") or ""
    village = data.get("village")
    if not name:
        errors.append(
            _error(BoardMember, "full_name", "required", _("enter the member's full name."))
        )
    elif len(name) > 150:
        errors.append(
            _error(
                BoardMember,
                "full_name",
                "too_long",
                _("write it in at most %(max)s characters.") % {"max": 150},
            )
        )
    if role not in MemberRole.values:
        errors.append(_error(BoardMember, "role", "invalid", _("choose a role from the list.")))
    if organisation not in MemberOrganisation.values:
        errors.append(
            _error(
                BoardMember,
                "organisation",
                "invalid",
                _("choose whom the member represents from the list."),
            )
        )
    if village is not None and not isinstance(village, AdministrativeUnit):
        village = AdministrativeUnit.objects.filter(pk=village).first()
        if village is None:
            errors.append(
                _error(BoardMember, "village", "invalid", _("choose a village from the list."))
            )
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != commune.pk):
        errors.append(
            _error(
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
        and not any(e.where.field == "village" for e in errors)
    ):
        errors.append(
            _error(
                BoardMember,
                "village",
                "village_required",
                _("a member who represents the residents names the village where they live."),
            )
        )

    others = [
        m
        for m in board.members.all()
        if m.left_on is None and (exclude is None or m.pk != exclude.pk)
    ]
    if role == MemberRole.HEAD:
        head = next((m for m in others if m.role == MemberRole.HEAD), None)
        if head is not None:
            errors.append(
                _error(
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
        errors.append(
            _error(
                BoardMember,
                "full_name",
                "duplicate",
                _("%(name)s is already a member of the board.") % {"name": name},
            )
        )
    values = {"full_name": name, "role": role, "organisation": organisation, "village": village}
    return values, errors


@transaction.atomic
def member_add(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> BoardMember:
    """Add a member to a board that has not been dissolved. ``data["no_conflict"]`` is the
    confirmation that the person lives in the commune and has no conflict of interest."""
    line, current = _locked(actor, board)
    _refuse_if_dissolved(
        current, _("The board was dissolved on %(date)s; members can no longer be added.")
    )
    values, errors = _member_values(current, line.plan.round.commune, data)
    if not data.get("no_conflict"):
        errors.append(
            ApplicationError(
                "conflict_of_interest",
                _(
                    "Confirm that the member lives in the commune and has no conflict of "
                    "interest with the work (not its investor, contractor or supervising "
                    "consultant, nor a close relative of theirs)."
                ),
                Where(field="no_conflict"),
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    member = BoardMember.objects.create(board=current, **values)
    record(actor, line.plan, member, "create", MEMBER_FIELDS)
    return member


def _locked_member(
    actor: Any, member: BoardMember
) -> tuple[CommuneLine, SupervisionBoard, BoardMember]:
    line, board = _locked(actor, member.board)
    current = BoardMember.objects.select_for_update().filter(pk=member.pk).first()
    if current is None:
        raise ApplicationError(
            "member_gone",
            _("%(name)s was removed from the board by someone else.") % {"name": member.full_name},
        )
    current.board = board
    return line, board, current


def _check_stamp(current: BoardMember, expected: str | None) -> None:
    """Members have no version column: the time their row was last saved stands in."""
    if expected is not None and expected != member_stamp(current):
        check_version(0, 1, what=_("the row of %(name)s") % {"name": current.full_name})


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: BoardMember,
    data: dict[str, Any],
    expected_stamp: str | None = None,
) -> BoardMember:
    """Correct a member's name, role, whom they represent or their village."""
    line, board, current = _locked_member(actor, member)
    _check_stamp(current, expected_stamp)
    values, errors = _member_values(board, line.plan.round.commune, data, exclude=current)
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, MEMBER_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, MEMBER_FIELDS) != before:
        current.save()
        record(actor, line.plan, current, "update", MEMBER_FIELDS, before=before)
    return current


@transaction.atomic
def member_leave(
    *,
    actor: Any,
    member: BoardMember,
    left_on: Any,
    expected_stamp: str | None = None,
) -> BoardMember:
    """A member leaves the board: the row stays with the date (who served at each visit)."""
    line, board, current = _locked_member(actor, member)
    _check_stamp(current, expected_stamp)
    if current.left_on is not None:
        raise ApplicationError(
            "already_left",
            _("%(name)s already left the board on %(date)s.")
            % {"name": current.full_name, "date": _day(current.left_on)},
        )
    errors: list[ApplicationError] = []
    day = _date(
        BoardMember,
        "left_on",
        left_on,
        errors,
        today=timezone.localdate(),
        missing=_("enter the date the member left the board."),
    )
    if day is not None and day < board.established_on:
        errors.append(
            _error(
                BoardMember,
                "left_on",
                "before_established",
                _("the board was established on %(date)s; a member cannot leave before.")
                % {"date": _day(board.established_on)},
            )
        )
    elif day is not None and board.dissolved_on is not None and day > board.dissolved_on:
        errors.append(
            _error(
                BoardMember,
                "left_on",
                "after_dissolution",
                _("the board was dissolved on %(date)s; a member cannot leave after that.")
                % {"date": _day(board.dissolved_on)},
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, MEMBER_FIELDS)
    current.left_on = day
    current.save()
    record(actor, line.plan, current, "update", MEMBER_FIELDS, before=before)
    return current


@transaction.atomic
def member_remove(*, actor: Any, member: BoardMember) -> None:
    """Remove a member entered by mistake — only while the board has no visit; after its first
    visit the board's composition is a record, and a member who goes has a date they left."""
    line, board, current = _locked_member(actor, member)
    if board.visits.exists():
        raise ApplicationError(
            "member_served",
            _(
                "%(name)s cannot be removed: the board has recorded visits, so its members are "
                "kept. Record the date they left the board instead."
            )
            % {"name": current.full_name},
        )
    before = snapshot(current, MEMBER_FIELDS)
    record(actor, line.plan, current, "delete", MEMBER_FIELDS, before=before)
    current.delete()


# --- visits ----------------------------------------------------------------------------------


def _visit_values(
    board: SupervisionBoard, data: dict[str, Any], *, today: datetime.date
) -> tuple[dict[str, Any], list[ApplicationError]]:
    errors: list[ApplicationError] = []
    day = _date(
        SupervisionVisit,
        "visited_on",
        data.get("visited_on"),
        errors,
        today=today,
        missing=_("enter the date of the visit."),
    )
    if day is not None and day < board.established_on:
        errors.append(
            _error(
                SupervisionVisit,
                "visited_on",
                "before_established",
                _("the visit (%(date)s) is before the board was established (%(established)s).")
                % {"date": _day(day), "established": _day(board.established_on)},
            )
        )
    elif day is not None and board.dissolved_on is not None and day > board.dissolved_on:
        errors.append(
            _error(
                SupervisionVisit,
                "visited_on",
                "after_dissolution",
                _("the visit (%(date)s) is after the board was dissolved (%(dissolved)s).")
                % {"date": _day(day), "dissolved": _day(board.dissolved_on)},
            )
        )
    values: dict[str, Any] = {
        "visited_on": day,
        "items_checked": _text(data.get("items_checked")),
        "findings": _text(data.get("findings")),
        "recommendations": _text(data.get("recommendations")),
        "follow_up": _text(data.get("follow_up")),
    }
    if not values["items_checked"]:
        errors.append(
            _error(
                SupervisionVisit,
                "items_checked",
                "required",
                _("say what was checked (materials, volumes, compliance with the design …)."),
            )
        )
    if not values["findings"]:
        errors.append(
            _error(SupervisionVisit, "findings", "required", _("write what the board found."))
        )
    errors.extend(
        bounds.errors_for(
            SupervisionVisit,
            values,
            lambda name, code, text: _error(SupervisionVisit, name, code, text),
            ("items_checked", "findings", "recommendations", "follow_up"),
        )
    )
    return values, errors


def _enough_members(board: SupervisionBoard, day: datetime.date, minimum: int) -> None:
    count = len(serving(list(board.members.all()), day))
    if count < minimum:
        raise ApplicationError(
            "board_too_small",
            ngettext(
                "The board has %(count)s member serving on %(date)s; at least %(min)s are "
                "needed before a visit can be recorded. Add members first.",
                "The board has %(count)s members serving on %(date)s; at least %(min)s are "
                "needed before a visit can be recorded. Add members first.",
                count,
            )
            % {"count": count, "date": _day(day), "min": minimum},
            Where(field="visited_on"),
        )


@transaction.atomic
def visit_record(*, actor: Any, board: SupervisionBoard, data: dict[str, Any]) -> SupervisionVisit:
    """Record a visit of the board to the work."""
    line, current = _locked(actor, board)
    values, errors = _visit_values(current, data, today=timezone.localdate())
    if errors:
        raise ApplicationErrors(errors)
    _enough_members(current, values["visited_on"], min_members(line.plan))
    visit = SupervisionVisit.objects.create(
        board=current, recorded_by=actor if getattr(actor, "pk", None) else None, **values
    )
    record(actor, line.plan, visit, "create", VISIT_FIELDS)
    return visit


def _locked_visit(
    actor: Any, visit: SupervisionVisit
) -> tuple[CommuneLine, SupervisionBoard, SupervisionVisit]:
    line, board = _locked(actor, visit.board)
    current = SupervisionVisit.objects.select_for_update().get(pk=visit.pk)
    current.board = board
    return line, board, current


@transaction.atomic
def visit_update(
    *,
    actor: Any,
    visit: SupervisionVisit,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> SupervisionVisit:
    """Correct a visit's record (the follow-up's completion has its own service). A new date
    is checked against the board's members serving on that date."""
    line, board, current = _locked_visit(actor, visit)
    check_version(current.version, expected_version, what=_("the record of this visit"))
    values, errors = _visit_values(board, data, today=timezone.localdate())
    if (
        current.follow_up_on is not None
        and values["visited_on"] is not None
        and values["visited_on"] > current.follow_up_on
    ):
        errors.append(
            _error(
                SupervisionVisit,
                "visited_on",
                "after_follow_up",
                _("its follow-up was done on %(date)s; the visit cannot be later.")
                % {"date": _day(current.follow_up_on)},
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    if values["visited_on"] != current.visited_on:
        _enough_members(board, values["visited_on"], min_members(line.plan))
    before = snapshot(current, VISIT_FIELDS)
    for name, value in values.items():
        setattr(current, name, value)
    if snapshot(current, VISIT_FIELDS) != before:
        current.version += 1
        current.save()
        record(actor, line.plan, current, "update", VISIT_FIELDS, before=before)
    return current


@transaction.atomic
def follow_up_mark_done(
    *,
    actor: Any,
    visit: SupervisionVisit,
    done_on: Any,
    expected_version: int | None = None,
) -> SupervisionVisit:
    """The follow-up a visit asked for has been done, on ``done_on``."""
    line, _board, current = _locked_visit(actor, visit)
    check_version(current.version, expected_version, what=_("the record of this visit"))
    if not current.follow_up:
        raise ApplicationError(
            "no_follow_up",
            _("The visit of %(date)s has no follow-up to mark done; write it in the visit first.")
            % {"date": _day(current.visited_on)},
        )
    if current.follow_up_done:
        raise ApplicationError(
            "follow_up_done",
            _("The follow-up of the visit of %(visit)s was already marked done on %(date)s.")
            % {
                "visit": _day(current.visited_on),
                "date": _day(current.follow_up_on) if current.follow_up_on else "—",
            },
        )
    errors: list[ApplicationError] = []
    day = _date(
        SupervisionVisit,
        "follow_up_on",
        done_on,
        errors,
        today=timezone.localdate(),
        missing=_("enter the date the follow-up was done."),
    )
    if day is not None and day < current.visited_on:
        errors.append(
            _error(
                SupervisionVisit,
                "follow_up_on",
                "before_visit",
                _("the follow-up (%(date)s) cannot be done before the visit (%(visit)s).")
                % {"date": _day(day), "visit": _day(current.visited_on)},
            )
        )
    if errors:
        raise ApplicationErrors(errors)
    before = snapshot(current, VISIT_FIELDS)
    current.follow_up_done = True
    current.follow_up_on = day
    current.version += 1
    current.save()
    record(actor, line.plan, current, "update", VISIT_FIELDS, before=before)
    return current
