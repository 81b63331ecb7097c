"""The one writer of a plan's proposals (issue 14): the web form's add, edit, delete and undo,
and a workbook's many changes, all go through ``proposal_lines_apply``.

One transaction; the plan row locked once with the right to edit checked under the lock
(``require_editable``); the lines named by the changes locked and their versions checked; every
add and change checked by the line's rules (unless the caller hands values already cleaned for
this plan, ``validated=True``); nothing written unless every change passes; then bulk writes
and one history row per change, in one query each. New lines a check already validated may
come as database-ready rows (``NewLines``, a workbook's adds): they are inserted without model
instances (``inserts``), in the same transaction, after the same lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.core.errors import ApplicationError, ApplicationErrors, Where
from kehoach.core.validation import errors as error_problems

from ...models import ProposalLine, VillagePlan
from ..common import require_editable
from .conflicts import conflict_error
from .fields import AUDIT_FIELDS, LINE_FIELDS, line_values
from .inserts import NewLines, insert_new_lines
from .validators import check_proposal_line, line_context

IN_LIST_LIMIT = 500
"""Above this many lines named, the plan's lines are read whole instead of by ``pk IN (...)``
(a database caps the parameters of one query)."""


@dataclass
class LineChange:
    """One change of a plan's proposals: new (``line`` is None), changed (``line`` and the
    ``version`` the user or the workbook saw; None: no check), deleted (``delete``) or
    restored (``restore``). ``where`` places its problems in a workbook (sheet, row); a change
    without ``where`` is the web form's, refused the web form's way (``ConflictError`` with
    both values, "restore it first")."""

    data: dict[str, Any]
    line: ProposalLine | None = None
    version: int | None = None
    delete: bool = False
    restore: bool = False
    where: Where | None = None
    batch_item: bool = False
    """An item of a batch sent to the API (``where.row`` its position): a refusal says to read
    the line again, not to download a form."""


@dataclass
class Applied:
    """What ``proposal_lines_apply`` wrote, line by line (the counts are its answer)."""

    added: list[ProposalLine] = field(default_factory=list)
    changed: list[ProposalLine] = field(default_factory=list)
    deleted: list[ProposalLine] = field(default_factory=list)
    restored: list[ProposalLine] = field(default_factory=list)
    touched: dict[int, ProposalLine] = field(default_factory=dict)
    """Every line a change named, as it is now (saved or not), by primary key."""
    inserted: int = 0
    """New lines written from ``NewLines`` (not in ``added``: no model instance was made)."""

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added) + self.inserted,
            "changed": len(self.changed),
            "deleted": len(self.deleted),
            "restored": len(self.restored),
        }


def proposal_lines_apply(
    *,
    actor: Any,
    plan: VillagePlan,
    changes: list[LineChange],
    validated: bool = False,
    new: NewLines | None = None,
) -> dict[str, int]:
    """Apply ``changes`` to the plan's proposals, all or nothing; the counts added, changed,
    deleted and restored. ``validated``: the values of each add and change are already clean
    for this plan (``clean_line_values``) and complete; they are not checked again. ``new``:
    more new lines, validated (``validated`` must be true), numbered after the adds of
    ``changes``."""
    done = lines_apply(actor=actor, plan=plan, changes=changes, validated=validated, new=new)
    return done.counts()


def proposal_lines_import(
    *, actor: Any, plan: VillagePlan, changes: list[LineChange]
) -> dict[str, int]:
    """The former workbook writer, now ``proposal_lines_apply`` (kept while the F6 importer
    moves to it)."""
    return proposal_lines_apply(actor=actor, plan=plan, changes=changes)


def _gone(change: LineChange, number: int) -> ApplicationError:
    if change.where is None:
        return ApplicationError(
            "line_deleted",
            _("Line %(number)s was deleted by someone else; restore it first.")
            % {"number": number},
        )
    if change.batch_item:
        return ApplicationError(
            "line_gone",
            _(
                "Line %(number)s no longer exists in the plan (someone deleted it); read the "
                "plan's lines again."
            )
            % {"number": number},
            change.where,
        )
    return ApplicationError(
        "line_gone",
        _("Line %(number)s no longer exists in the plan; download the form again.")
        % {"number": number},
        change.where,
    )


def _stale(change: LineChange, line: ProposalLine) -> ApplicationError:
    if change.where is None:
        return conflict_error(line, change.data)
    if change.batch_item:
        return ApplicationError(
            "conflict",
            _(
                "Line %(number)s was saved by someone else after you read it (you sent version "
                "%(yours)s, it is now %(saved)s); read it again and send your change on the "
                "current version."
            )
            % {"number": line.number, "yours": change.version, "saved": line.version},
            change.where,
        )
    return ApplicationError(
        "conflict",
        _(
            "Line %(number)s was changed in kehoach after the form was downloaded; "
            "download the form again and make your changes there."
        )
        % {"number": line.number},
        change.where,
    )


def _named_lines(
    plan: VillagePlan, changes: Iterable[LineChange], *, lock: bool
) -> dict[int, ProposalLine]:
    ids = {c.line.pk for c in changes if c.line is not None}
    if not ids:
        return {}
    rows = ProposalLine.objects.filter(plan=plan).select_related(
        "sector", "unit", "proposed_source"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    if len(ids) <= IN_LIST_LIMIT:
        rows = rows.filter(pk__in=ids)
    return {line.pk: line for line in rows if line.pk in ids}


@dataclass
class _Prepared:
    """What the changes will write, every one checked: nothing is written yet."""

    current: dict[int, ProposalLine]
    adds: list[ProposalLine] = field(default_factory=list)
    updates: list[tuple[ProposalLine, dict[str, Any]]] = field(default_factory=list)
    deletes: list[ProposalLine] = field(default_factory=list)
    restores: list[ProposalLine] = field(default_factory=list)
    highest: int | None = None


def _prepare(
    actor: Any, plan: VillagePlan, changes: list[LineChange], *, validated: bool, lock: bool
) -> _Prepared:
    """Check every change as the writer will write it (``lock``: inside the writer's
    transaction, the plan and the named lines locked); ``ApplicationErrors`` with every problem
    if one is refused."""
    require_editable(actor, plan)  # in a transaction: locks the plan row, one writer at a time
    context = line_context(plan.round)
    ready = _Prepared(current=_named_lines(plan, changes, lock=lock))
    current = ready.current
    problems: list[ApplicationError] = []

    def refuse(error: ApplicationError, change: LineChange) -> None:
        if change.where is None:  # the web form's change: refused as it is
            raise error
        problems.append(error)

    for change in changes:
        line = None
        if change.line is not None:
            line = current.get(change.line.pk)
            if line is None:
                refuse(_gone(change, change.line.number), change)
                continue
            if change.restore:
                if line.deleted_at is not None:
                    ready.restores.append(line)
                continue
            if line.deleted_at is not None:
                if not (change.delete and change.where is None):  # deleting twice: done
                    refuse(_gone(change, line.number), change)
                continue
            if change.version is not None and line.version != change.version:
                refuse(_stale(change, line), change)
                continue
            if change.delete:
                ready.deletes.append(line)
                continue
        if line is None:
            ready.highest = _highest(plan) if ready.highest is None else ready.highest
            number = ready.highest + len(ready.adds) + 1
        else:
            number = line.number
        data = {**line_values(line), **change.data} if line is not None else change.data
        if validated:
            values = {name: data[name] for name in LINE_FIELDS}
        else:
            values, found = check_proposal_line(context, number, data)
            found = error_problems(found)
            if found:
                problems.extend(
                    (p.at(change.where) if change.where is not None else p).as_error()
                    for p in found
                )
                continue
        if line is None:
            ready.adds.append(ProposalLine(plan=plan, number=number, **values))
        else:
            ready.updates.append((line, values))
    if problems:
        raise ApplicationErrors(problems)
    return ready


def proposal_lines_check(
    *, actor: Any, plan: VillagePlan, changes: list[LineChange]
) -> dict[str, int]:
    """What ``proposal_lines_apply`` would answer for ``changes`` (the counts added, changed,
    deleted and restored), or the same ``ApplicationErrors``; nothing is written and nothing
    locked (a dry run: the API's ``?dry_run=1``)."""
    ready = _prepare(actor, plan, changes, validated=False, lock=False)
    changed = sum(
        1
        for line, values in ready.updates
        if any(getattr(line, name) != value for name, value in values.items())
    )
    return {
        "added": len(ready.adds),
        "changed": changed,
        "deleted": len(ready.deletes),
        "restored": len(ready.restores),
    }


@transaction.atomic
def lines_apply(
    *,
    actor: Any,
    plan: VillagePlan,
    changes: list[LineChange],
    validated: bool = False,
    new: NewLines | None = None,
) -> Applied:
    """``proposal_lines_apply``, answering the lines themselves (for the one-line services)."""
    if new is not None and not validated:
        raise ValueError("NewLines are written only as validated lines")
    ready = _prepare(actor, plan, changes, validated=validated, lock=True)
    done = Applied(touched=ready.current)
    _write(actor, plan, done, ready.adds, ready.updates, ready.deletes, ready.restores)
    if new is not None and new.rows:
        highest = _highest(plan) if ready.highest is None else ready.highest
        first = highest + len(ready.adds) + 1
        done.inserted = insert_new_lines(
            actor=actor, plan=plan, new=new, first_number=first, now=timezone.now()
        )
    return done


def _highest(plan: VillagePlan) -> int:
    """The highest number given in the plan, deleted lines included (0: none yet)."""
    return ProposalLine.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0


def _write(
    actor: Any,
    plan: VillagePlan,
    done: Applied,
    adds: list[ProposalLine],
    updates: list[tuple[ProposalLine, dict[str, Any]]],
    deletes: list[ProposalLine],
    restores: list[ProposalLine],
) -> None:
    now = timezone.now()
    entries = []

    def entry(line: ProposalLine, operation: str, **kwargs: Any) -> None:
        entries.append(
            audit_entry(actor=actor, plan_uid=plan.uid, obj=line, operation=operation, **kwargs)
        )

    done.added = ProposalLine.objects.bulk_create(adds) if adds else []
    for line in done.added:
        entry(line, "create", after=snapshot(line, AUDIT_FIELDS))
    for line, values in updates:
        before = snapshot(line, AUDIT_FIELDS)
        for name, value in values.items():
            setattr(line, name, value)
        after = snapshot(line, AUDIT_FIELDS)
        if before == after:
            continue
        line.version += 1
        line.updated_at = now
        done.changed.append(line)
        entry(line, "update", before=before, after=after)
    if done.changed:
        ProposalLine.objects.bulk_update(done.changed, [*LINE_FIELDS, "version", "updated_at"])
    for line in deletes:
        line.deleted_at, line.version, line.updated_at = now, line.version + 1, now
        done.deleted.append(line)
        entry(line, "delete", before=snapshot(line, AUDIT_FIELDS))
    for line in restores:
        line.deleted_at, line.version, line.updated_at = None, line.version + 1, now
        done.restored.append(line)
        entry(line, "restore", after=snapshot(line, AUDIT_FIELDS))
    if deletes or restores:
        ProposalLine.objects.bulk_update(
            [*deletes, *restores], ["deleted_at", "version", "updated_at"]
        )
    audit_bulk(entries)
