"""Writes of the ranking matrix (F5): ``ranking_items_apply`` adds, changes and removes rows
in one transaction (all judged first with ``ranking_validators.clean_ranking_item``, the
version the caller read of each row changed or removed checked under the lock, written in bulk
with the versions bumped, one audit row each); ``ranking_item_create/update/delete`` are
one-change calls to it.
``ranking_apply_priorities`` turns the ranking into proposal priorities (R2, R3): within each
sector, the best-ranked linked proposals get ``min_priority``, ``min_priority + 1`` … for at
most ``max_priority_activities_per_sector`` lines (capped at ``max_priority``); the sector's
other linked proposals lose their priority; proposals that no ranking item links to are left
alone."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.validation import Problem, raise_errors

from ...models import ProposalLine, RankingItem, VillagePlan
from ..common import check_version, lock_editable, record_update, require_editable
from .fields import LINE_PRIORITY_FIELDS, RANKING_AUDIT_FIELDS
from .ranking_validators import RankingContext, clean_ranking_item
from .selectors import plan_lines, ranking_criteria, ranking_table


@dataclass(frozen=True)
class RankingItemChange:
    """A row to change: ``data`` has its ``label``, ``line`` (a proposal, its key or None) and
    ``scores``, all replaced; ``version``: the version the caller read (None: no check)."""

    item: RankingItem
    data: Mapping[str, Any]
    version: int | None = None


@dataclass
class RankingChanges:
    adds: list[Mapping[str, Any]] = field(default_factory=list)
    changes: list[RankingItemChange] = field(default_factory=list)
    removals: list[RankingItem] = field(default_factory=list)
    removal_versions: list[int | None] | None = None
    """The version the caller read of each removal, in order (None, or missing: no check)."""
    positions: list[int] | None = None
    """Where each add, then each change, then each removal stands in the caller's list (a
    batch of the API): its problems name that position as ``where.row``."""


@dataclass
class RankingResult:
    added: list[RankingItem] = field(default_factory=list)
    changed: list[RankingItem] = field(default_factory=list)
    removed: int = 0


def _line_key(line: Any) -> Any:
    return line.pk if isinstance(line, ProposalLine) else line


@dataclass
class _Ready:
    """The changes judged: the rows named (locked when writing), the cleaned values with the
    line each names, and the plan's lines they link to."""

    plan: VillagePlan
    current: dict[int, RankingItem]
    cleaned: list[tuple[Any, Any]]
    lines: dict[int, ProposalLine]


def _prepare(actor: Any, plan: VillagePlan, changes: RankingChanges, *, lock: bool) -> _Ready:
    """Every check of ``ranking_items_apply``, shared with ``ranking_items_check``: the actor
    may edit the draft plan, the rows named are the plan's, the values of each added or
    changed row (every problem at once), the linked proposals among the plan's alive lines."""
    if lock:
        plan = lock_editable(actor, plan)
    else:
        require_editable(actor, plan)
    context = RankingContext(ranking_criteria(plan))
    wanted = [c.item.pk for c in changes.changes] + [item.pk for item in changes.removals]
    rows = RankingItem.objects.select_related("line").filter(plan=plan, pk__in=wanted)
    if lock:
        rows = rows.select_for_update(of=("self",))
    current = {item.pk: item for item in rows}
    if len(current) != len(set(wanted)):
        raise NotFoundError()
    _check_versions(changes, current)
    problems: list[Problem] = []
    cleaned = []
    for index, data in enumerate([*changes.adds, *(c.data for c in changes.changes)]):
        clean = clean_ranking_item(context, data)
        if changes.positions is None:
            problems.extend(clean.problems)
        else:
            row = changes.positions[index]
            problems.extend(
                p.at(Where(field=p.where.field, row=row, column=p.where.column))
                for p in clean.problems
            )
        cleaned.append((clean, data.get("line")))
    raise_errors(problems)
    keys = {_line_key(line) for _clean, line in cleaned if line is not None}
    lines = {line.pk: line for line in plan_lines(plan, keys)}
    return _Ready(plan, current, cleaned, lines)


def _check_versions(changes: RankingChanges, current: dict[int, RankingItem]) -> None:
    """Each row changed or removed is still at the version the caller read (read under the
    lock when writing): every stale row refused at once (code ``conflict``), each at its
    position in the caller's list when it gave them."""
    removal_versions = changes.removal_versions or []
    named = [(c.item, c.version) for c in changes.changes] + [
        (item, removal_versions[i] if i < len(removal_versions) else None)
        for i, item in enumerate(changes.removals)
    ]
    refused: list[ApplicationError] = []
    for index, (item, expected) in enumerate(named, start=len(changes.adds)):
        row = current[item.pk]
        try:
            what = _("the ranking row “%(label)s”") % {"label": row.label}
            check_version(row.version, expected, what=what)
        except ApplicationError as error:
            if changes.positions is not None and index < len(changes.positions):
                error = ApplicationError(
                    error.code, error.message, Where(row=changes.positions[index])
                )
            refused.append(error)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        raise ApplicationErrors(refused)


def ranking_items_check(
    *, actor: Any, plan: VillagePlan, changes: RankingChanges
) -> dict[str, int]:
    """What ``ranking_items_apply`` would do with ``changes`` (how many rows added, changed,
    removed), or the same refusals; nothing written and nothing locked (a dry run, issue 17)."""
    _prepare(actor, plan, changes, lock=False)
    return {
        "added": len(changes.adds),
        "changed": len(changes.changes),
        "removed": len(changes.removals),
    }


@transaction.atomic
def ranking_items_apply(*, actor: Any, plan: VillagePlan, changes: RankingChanges) -> RankingResult:
    """Apply every change to the plan's ranking matrix, or none: the values of each added or
    changed row are judged first (every problem is reported at once), then the linked
    proposals found among the plan's alive lines (another plan's or a deleted one is refused as
    not found), then the rows are written and audited in bulk."""
    ready = _prepare(actor, plan, changes, lock=True)
    plan, current, cleaned, lines = ready.plan, ready.current, ready.cleaned, ready.lines

    def line_of(line: Any) -> ProposalLine | None:
        return lines[_line_key(line)] if line is not None else None

    added = [
        RankingItem(plan=plan, label=clean.label, line=line_of(line), scores=clean.scores)
        for clean, line in cleaned[: len(changes.adds)]
    ]
    if connection.features.can_return_rows_from_bulk_insert:
        RankingItem.objects.bulk_create(added)
    else:  # a database that cannot give the new keys back
        for item in added:
            item.save()
    entries = [
        audit_entry(
            actor=actor,
            plan_uid=plan.uid,
            obj=item,
            operation="create",
            after=snapshot(item, RANKING_AUDIT_FIELDS),
        )
        for item in added
    ]
    changed: list[RankingItem] = []
    now = timezone.now()
    for change, (clean, line) in zip(changes.changes, cleaned[len(changes.adds) :], strict=True):
        item = current[change.item.pk]
        before = snapshot(item, RANKING_AUDIT_FIELDS)
        item.label, item.line, item.scores = clean.label, line_of(line), clean.scores
        item.updated_at, item.version = now, item.version + 1
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=item,
                operation="update",
                before=before,
                after=snapshot(item, RANKING_AUDIT_FIELDS),
            )
        )
        changed.append(item)
    if changed:
        RankingItem.objects.bulk_update(
            changed, ["label", "line", "scores", "updated_at", "version"]
        )
    removed = [current[item.pk] for item in changes.removals]
    entries += [
        audit_entry(
            actor=actor,
            plan_uid=plan.uid,
            obj=item,
            operation="delete",
            before=snapshot(item, RANKING_AUDIT_FIELDS),
        )
        for item in removed
    ]
    RankingItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
    audit_bulk(entries)
    return RankingResult(added=added, changed=changed, removed=len(removed))


def ranking_item_create(
    *,
    actor: Any,
    plan: VillagePlan,
    label: str,
    line: ProposalLine | int | None = None,
    scores: Mapping[str, Any] | None = None,
) -> RankingItem:
    """Add a row to the ranking matrix. ``scores``: criterion code → whole number from
    ``SCORE_MIN`` to ``SCORE_MAX``, or empty/missing when not yet scored. ``line``: the
    plan's alive proposal the row stands for, if any."""
    data = {"label": label, "line": line, "scores": scores}
    return ranking_items_apply(actor=actor, plan=plan, changes=RankingChanges(adds=[data])).added[0]


def ranking_item_update(
    *,
    actor: Any,
    item: RankingItem,
    label: str,
    line: ProposalLine | int | None,
    scores: Mapping[str, Any] | None,
    expected_version: int | None = None,
) -> RankingItem:
    """Replace the label, linked proposal and scores of a ranking row (``expected_version``:
    the version read, checked under the lock; None: no check)."""
    data = {"label": label, "line": line, "scores": scores}
    change = RankingItemChange(item, data, version=expected_version)
    result = ranking_items_apply(
        actor=actor, plan=item.plan, changes=RankingChanges(changes=[change])
    )
    return result.changed[0]


def ranking_item_delete(
    *, actor: Any, item: RankingItem, expected_version: int | None = None
) -> None:
    changes = RankingChanges(removals=[item], removal_versions=[expected_version])
    ranking_items_apply(actor=actor, plan=item.plan, changes=changes)


@transaction.atomic
def ranking_version(plan: VillagePlan) -> int:
    """The version of what setting priorities reads: a fingerprint of the ranking rows and of
    the plan's live proposals (uid and version of each), 0 while the ranking is empty. Any save
    of a row or of a proposal (its priority by hand included) changes it."""
    items = sorted(RankingItem.objects.filter(plan=plan).values_list("uid", "version"))
    if not items:
        return 0
    lines = sorted(ProposalLine.objects.alive().filter(plan=plan).values_list("uid", "version"))
    text = "\n".join(f"{uid}\t{version}" for uid, version in [*items, ("-", 0), *lines])
    return int(hashlib.sha256(text.encode()).hexdigest()[:13], 16) or 1


def ranking_apply_priorities(
    *, actor: Any, plan: VillagePlan, expected_version: int | None = None
) -> int:
    """Set the priority of every proposal a ranking row links to from the ranking (see the
    module docstring); return how many proposals changed. ``expected_version``: the
    ``ranking_version`` the caller read, checked under the plan's lock (every writer of the
    rows and the proposals takes it)."""
    plan = lock_editable(actor, plan)
    check_version(ranking_version(plan), expected_version, what=_("the ranking"))
    changed = 0
    for line, priority in _new_priorities(plan, lock=True):
        before = snapshot(line, LINE_PRIORITY_FIELDS)
        line.priority = priority
        line.version += 1
        line.save(update_fields=["priority", "version", "updated_at"])
        record_update(actor, plan, line, before, LINE_PRIORITY_FIELDS)
        changed += 1
    return changed


def ranking_priorities_check(
    *, actor: Any, plan: VillagePlan, expected_version: int | None = None
) -> int:
    """How many proposals ``ranking_apply_priorities`` would change, or the same refusals;
    nothing written and nothing locked (a dry run, issue 17)."""
    require_editable(actor, plan)
    plan = VillagePlan.objects.select_related("round__profile").get(pk=plan.pk)
    check_version(ranking_version(plan), expected_version, what=_("the ranking"))
    return len(_new_priorities(plan, lock=False))


def _new_priorities(plan: VillagePlan, *, lock: bool) -> list[tuple[ProposalLine, int | None]]:
    """The proposals whose priority the ranking changes, each with its new priority (see the
    module docstring)."""
    profile = plan.round.profile
    best: dict[int, tuple[int, ...]] = {}
    for row in ranking_table(plan):
        if row.item.line_id is None:
            continue
        key = (0, row.rank) if row.rank is not None else (1,)
        if row.item.line_id not in best or key < best[row.item.line_id]:
            best[row.item.line_id] = key
    rows = ProposalLine.objects.alive().filter(plan=plan, pk__in=best).order_by("number")
    if lock:
        rows = rows.select_for_update()
    by_sector: dict[int, list[ProposalLine]] = defaultdict(list)
    for line in rows:
        by_sector[line.sector_id].append(line)
    changes: list[tuple[ProposalLine, int | None]] = []
    for sector_lines in by_sector.values():
        ordered = sorted(sector_lines, key=lambda ln: (best[ln.pk], ln.number))
        for position, line in enumerate(ordered):
            ranked = best[line.pk][0] == 0
            priority: int | None = None
            if ranked and position < profile.max_priority_activities_per_sector:
                priority = min(profile.min_priority + position, profile.max_priority)
            if line.priority != priority:
                changes.append((line, priority))
    return changes
