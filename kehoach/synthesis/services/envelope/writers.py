"""Writing the envelope: ``envelope_lines_apply`` adds, changes, deletes and restores envelope
lines in one transaction under the plan's lock (versions checked, bulk writes, one audit row
per change); the single-line services of the page are one-change calls to it. Publishing
copies the lines as they are to the villages (R19).

A change to an envelope line that funds commune lines (its amount, source, sector, type,
counterpart, area or eligible activities) takes that funding back: the commune lines return
to "not decided" and are marked for review, so no envelope is ever exceeded (R16).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.validation import Problem, raise_errors
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound

from ...choices import EnvelopeOrigin
from ...models import CommunePlan, Envelope, EnvelopeLine
from ...permissions import may_edit_line, may_enter_origin, origin_for
from ..common import bump, commune_plan_for, ensure_draft, envelope_for, lock
from ..eligibility import matching_words
from .take_back import take_back_funding
from .validators import (
    AUDIT_FIELDS,
    FIELDS,
    FUNDING_FIELDS,
    EnvelopeLineContext,
    clean_envelope_line,
)

ADD, CHANGE, REMOVE, RESTORE = "add", "change", "remove", "restore"


@dataclass
class EnvelopeChange:
    """One change to the envelope: ``add`` (``data``, ``villages``, ``origin``), ``change``
    (``line``, ``data`` over its values, ``villages`` or None to keep them, ``version`` the one
    the user saw), ``remove`` or ``restore`` (``line``, and ``version`` when the caller
    read one: the API's)."""

    kind: str
    line: EnvelopeLine | None = None
    data: dict[str, Any] = field(default_factory=dict)
    villages: list[AdministrativeUnit] | None = None
    version: int | None = None
    origin: str | None = None
    position: int | None = None
    """The change's place in a batch (the API's, from 1): its problems name it (``where.row``)."""


@dataclass
class EnvelopeResult:
    lines: list[EnvelopeLine]
    """The line of each change, in the order of the changes."""
    taken: int = 0
    """How many commune lines lost their funding."""


def _audit_fields(line: EnvelopeLine, villages: list[AdministrativeUnit]) -> dict[str, Any]:
    data = snapshot(line, AUDIT_FIELDS)
    data["area_villages"] = sorted(v.name for v in villages)
    return data


def _conflict(line: EnvelopeLine) -> ApplicationError:
    return ApplicationError(
        "conflict",
        _(
            "Envelope line %(number)s was changed by someone else after you opened it. "
            "Nothing was saved; reload the page and make your change again."
        )
        % {"number": line.number},
    )


def _origin_of_add(actor: Any, round_: PlanningRound, asked: str | None) -> str:
    allowed = origin_for(actor, round_)
    if allowed is None:
        raise NotFoundError()
    origin = asked or allowed
    if origin != allowed and not (
        origin == EnvelopeOrigin.COMMUNE and may_enter_origin(actor, round_, origin)
    ):
        raise NotFoundError()
    return origin


def _placed(problems: list[Problem], position: int | None) -> list[Problem]:
    if position is None:
        return problems
    return [p.at(Where(field=p.where.field, row=position)) for p in problems]


def envelope_version(envelope: Envelope | None) -> int:
    """The envelope's version: the sum of its lines' versions, deleted ones included. Every
    add (a new line at 1), change, delete and restore (one more on its line) raises it, so a
    client that read the envelope can name what it read (the API's ``If-Match``)."""
    if envelope is None or envelope.pk is None:
        return 0
    total = EnvelopeLine.objects.filter(envelope=envelope).aggregate(v=Sum("version"))["v"]
    return int(total or 0)


def _envelope_conflict() -> ApplicationError:
    return ApplicationError(
        "conflict",
        _(
            "The envelope was changed by someone else after you opened it. Nothing was saved; "
            "reload the page and make your change again."
        ),
    )


def _named_lines(
    envelope: Envelope, changes: list[EnvelopeChange], *, locking: bool
) -> dict[int, EnvelopeLine]:
    wanted = [c.line.pk for c in changes if c.line is not None]
    if not wanted:
        return {}
    rows = EnvelopeLine.objects.all()
    if locking:
        rows = rows.select_for_update(of=("self",))
    found = {
        line.pk: line
        for line in rows.select_related("envelope__round__commune", "source", "sector").filter(
            pk__in=wanted
        )
    }
    for pk in wanted:
        if pk not in found or found[pk].envelope_id != envelope.pk:
            raise NotFoundError()
    return found


@dataclass
class _Prepared:
    """What the checks found: the plan and envelope, each change with its line (its clean
    values set) and the villages chosen, the clean values of each changed line, the villages
    of each named line before."""

    plan: CommunePlan
    envelope: Envelope
    planned: list[tuple[EnvelopeChange, EnvelopeLine, list[AdministrativeUnit] | None]]
    cleaned: dict[int, dict[str, Any]]
    villages_now: dict[int, list[AdministrativeUnit]]


def _prepare(
    actor: Any,
    round_: PlanningRound,
    changes: list[EnvelopeChange],
    *,
    expected_version: int | None,
    locking: bool,
) -> _Prepared:
    """Every check of ``envelope_lines_apply``: permissions per line (each user only the lines
    of their own origin), the plan still a draft, versions (the envelope's when
    ``expected_version`` is given, each changed line's), then the rules of every line (all
    problems at once). ``locking``: under the plan's lock, creating the plan and the envelope
    when missing (the writer); else reading only (``envelope_lines_check``)."""
    origins: dict[int, str] = {}
    for index, change in enumerate(changes):
        if change.kind == ADD:
            origins[index] = _origin_of_add(actor, round_, change.origin)
        elif change.line is None or not may_edit_line(actor, change.line, round_):
            raise NotFoundError()
    if locking:
        plan = lock(commune_plan_for(round_))
        envelope = envelope_for(round_)
    else:
        plan = CommunePlan.objects.filter(round=round_).first() or CommunePlan(round=round_)
        envelope = Envelope.objects.filter(round=round_).first() or Envelope(round=round_)
    ensure_draft(plan)
    if expected_version is not None and envelope_version(envelope) != expected_version:
        raise _envelope_conflict()
    current = _named_lines(envelope, changes, locking=locking)
    for change in changes:
        if change.line is None:
            continue
        line = current[change.line.pk]
        if change.kind == CHANGE and line.deleted_at is not None:
            raise NotFoundError()
        if change.version is not None and line.version != change.version:
            conflict = _conflict(line)
            conflict.where = Where(row=change.position)
            raise conflict
    villages_now = {pk: list(line.area_villages.all()) for pk, line in current.items()}
    number = (envelope.lines.aggregate(m=Max("number"))["m"] or 0) if envelope.pk else 0
    problems: list[Problem] = []
    cleaned: dict[int, dict[str, Any]] = {}
    planned: list[tuple[EnvelopeChange, EnvelopeLine, list[AdministrativeUnit] | None]] = []
    for index, change in enumerate(changes):
        if change.kind == ADD:
            number += 1
            context = EnvelopeLineContext(round_, number, origins[index])
            values, chosen, found = clean_envelope_line(
                context, {**change.data, "area_villages": change.villages}
            )
            problems += _placed(found, change.position)
            line = EnvelopeLine(envelope=envelope, number=number, origin=origins[index])
            if not found:  # a refused value (a code not in the catalogue) fits no field
                for name, value in values.items():
                    setattr(line, name, value)
            planned.append((change, line, chosen))
            continue
        assert change.line is not None
        line = current[change.line.pk]
        if change.kind == CHANGE:
            context = EnvelopeLineContext(round_, line.number, line.origin)
            villages = change.villages if change.villages is not None else villages_now[line.pk]
            values, chosen, found = clean_envelope_line(
                context,
                {**{f: getattr(line, f) for f in FIELDS}, **change.data, "area_villages": villages},
            )
            problems += _placed(found, change.position)
            planned.append((change, line, chosen))
            cleaned[line.pk] = values
        else:
            planned.append((change, line, None))
    raise_errors(problems)
    return _Prepared(plan, envelope, planned, cleaned, villages_now)


@transaction.atomic
def envelope_lines_apply(
    *,
    actor: Any,
    round_: PlanningRound,
    changes: list[EnvelopeChange],
    expected_version: int | None = None,
) -> EnvelopeResult:
    """Apply all the changes or none: the checks of ``_prepare`` under the plan's lock, then
    the writes in bulk and one audit row per change. ``expected_version``: the envelope's
    version the client read (``envelope_version``), or None not to check it."""
    ready = _prepare(actor, round_, changes, expected_version=expected_version, locking=True)
    return _write(
        actor, ready.plan, ready.envelope, ready.planned, ready.cleaned, ready.villages_now
    )


def envelope_lines_check(
    *,
    actor: Any,
    round_: PlanningRound,
    changes: list[EnvelopeChange],
    expected_version: int | None = None,
) -> dict[str, int]:
    """What ``envelope_lines_apply`` would do, by kind of change (``add``, ``change``,
    ``remove``, ``restore``), or the problems it would raise — the same checks, writing
    nothing and locking nothing (a dry run of the API, a preview)."""
    _prepare(actor, round_, changes, expected_version=expected_version, locking=False)
    counts = dict.fromkeys((ADD, CHANGE, REMOVE, RESTORE), 0)
    for change in changes:
        counts[change.kind] += 1
    return counts


def _write(
    actor: Any,
    plan: CommunePlan,
    envelope: Envelope,
    planned: list[tuple[EnvelopeChange, EnvelopeLine, list[AdministrativeUnit] | None]],
    cleaned: dict[int, dict[str, Any]],
    villages_now: dict[int, list[AdministrativeUnit]],
) -> EnvelopeResult:
    now = timezone.now()
    entries: list[AuditEntry | None] = []
    added = [line for change, line, _chosen in planned if change.kind == ADD]
    EnvelopeLine.objects.bulk_create(added)
    through = EnvelopeLine.area_villages.through
    links = [
        through(envelopeline_id=line.pk, administrativeunit_id=v.pk)
        for change, line, chosen in planned
        if change.kind == ADD
        for v in chosen or []
    ]
    take_back: list[tuple[EnvelopeLine, str]] = []
    updated: list[EnvelopeLine] = []
    relinked: list[int] = []
    for change, line, chosen in planned:
        if change.kind == ADD:
            entries.append(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=line,
                    operation=AuditEntry.Operation.CREATE,
                    after=snapshot(line, AUDIT_FIELDS),
                )
            )
        elif change.kind == CHANGE:
            values = cleaned[line.pk]
            old_villages = villages_now[line.pk]
            before = _audit_fields(line, old_villages)
            changed_funding = (
                any(
                    values[f] != getattr(line, f)
                    for f in FUNDING_FIELDS
                    if f != "activity_keywords"
                )
                or matching_words(values["activity_keywords"])
                != matching_words(line.activity_keywords)
                or {v.pk for v in chosen or []} != {v.pk for v in old_villages}
            )
            for name, value in values.items():
                setattr(line, name, value)
            line.version += 1
            line.updated_at = now
            updated.append(line)
            if {v.pk for v in chosen or []} != {v.pk for v in old_villages}:
                relinked.append(line.pk)
                links += [
                    through(envelopeline_id=line.pk, administrativeunit_id=v.pk)
                    for v in chosen or []
                ]
            if changed_funding:
                take_back.append(
                    (
                        line,
                        _("The envelope line %(number)s (%(source)s) changed; allocate again.")
                        % {"number": line.number, "source": line.source.code},
                    )
                )
            entries.append(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=line,
                    operation=AuditEntry.Operation.UPDATE,
                    before=before,
                    after=_audit_fields(line, chosen or []),
                )
            )
        elif change.kind == REMOVE and line.deleted_at is None:
            take_back.append(
                (
                    line,
                    _("The envelope line %(number)s (%(source)s) was deleted; allocate again.")
                    % {"number": line.number, "source": line.source.code},
                )
            )
            line.deleted_at = now
            line.version += 1
            line.updated_at = now
            updated.append(line)
            entries.append(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=line,
                    operation=AuditEntry.Operation.DELETE,
                    before=_audit_fields(line, villages_now[line.pk]),
                )
            )
        elif change.kind == RESTORE and line.deleted_at is not None:
            line.deleted_at = None
            line.version += 1
            line.updated_at = now
            updated.append(line)
            entries.append(
                audit_entry(
                    actor=actor,
                    plan_uid=plan.uid,
                    obj=line,
                    operation=AuditEntry.Operation.RESTORE,
                    after=snapshot(line, AUDIT_FIELDS),
                )
            )
    if updated:
        EnvelopeLine.objects.bulk_update(updated, [*FIELDS, "version", "deleted_at", "updated_at"])
    if relinked:
        through.objects.filter(envelopeline_id__in=relinked).delete()
    through.objects.bulk_create(links)
    taken = take_back_funding(actor, take_back)
    if added or updated:
        envelope.changed_at = now
        envelope.save(update_fields=["changed_at", "updated_at"])
        bump(plan)
    audit_bulk(entries)
    return EnvelopeResult(lines=[line for _change, line, _chosen in planned], taken=taken)


def envelope_line_create(
    *,
    actor: Any,
    round_: PlanningRound,
    data: dict[str, Any],
    villages: Any = None,
    origin: str | None = None,
) -> EnvelopeLine:
    change = EnvelopeChange(ADD, data=data, villages=list(villages or []), origin=origin)
    return envelope_lines_apply(actor=actor, round_=round_, changes=[change]).lines[0]


def envelope_line_update(
    *,
    actor: Any,
    line: EnvelopeLine,
    data: dict[str, Any],
    villages: Any = None,
    expected_version: int | None = None,
) -> tuple[EnvelopeLine, int]:
    """Change a line; returns the line and how many commune lines lost their funding."""
    change = EnvelopeChange(
        CHANGE,
        line=line,
        data=data,
        villages=list(villages) if villages is not None else None,
        version=expected_version,
    )
    result = envelope_lines_apply(actor=actor, round_=line.envelope.round, changes=[change])
    return result.lines[0], result.taken


def envelope_line_delete(*, actor: Any, line: EnvelopeLine) -> tuple[EnvelopeLine, int]:
    """Delete a line so that it can be restored; its funding is taken back."""
    result = envelope_lines_apply(
        actor=actor, round_=line.envelope.round, changes=[EnvelopeChange(REMOVE, line=line)]
    )
    return result.lines[0], result.taken


def envelope_line_restore(*, actor: Any, line: EnvelopeLine) -> EnvelopeLine:
    result = envelope_lines_apply(
        actor=actor, round_=line.envelope.round, changes=[EnvelopeChange(RESTORE, line=line)]
    )
    return result.lines[0]
