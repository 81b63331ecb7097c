"""Commune scoring (F10), the planner's inputs: ``scores_clean`` checks typed scores (pure);
``line_scores_apply(*, actor, plan, changes)`` writes the scores of many lines at once (one
transaction, versions checked, one history row per line) — the grid, the line's page and the
F10 workbook call it (``line_scores_set`` is its one-line form); ``line_rank_set`` moves a line
to a rank with a reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action
from kehoach.approvals.audit import audit_bulk, audit_entry, snapshot
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.text import nfc

from ...models import CommuneLine, CommunePlan
from ...selectors import lines_locked
from ..common import bump, check_version, ensure_draft, record, require, require_editable
from .compute import FIVE, Criterion, criteria_of


def _parsed(raw: Any) -> Decimal | None:
    """A typed score as a number ("4", "4,5", "4.5", 4.5), or None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def scores_clean(
    criteria: list[Criterion], scores: Mapping[str, Any]
) -> tuple[dict[str, int | float | None], list[ApplicationError]]:
    """The planner's scores as they are stored, for the judged criteria named in ``scores``
    (None: emptied, the criterion is not scored), and one problem per wrong value. Pure: the
    grid, the line's page and the F10 workbook all check with it. Computed and unknown criteria
    are left out."""
    manual = {c.code: c for c in criteria if not c.automatic}
    cleaned: dict[str, int | float | None] = {}
    problems: list[ApplicationError] = []
    for code, raw in scores.items():
        criterion = manual.get(code)
        if criterion is None:
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[code] = None
            continue
        value = _parsed(raw)
        if value is None or not Decimal(0) <= value <= FIVE:
            problems.append(
                ApplicationError(
                    "score_range",
                    _("%(criterion)s: the score must be a number from 0 to 5, or empty.")
                    % {"criterion": criterion.name},
                    Where(field=f"score_{code}"),
                    detail=_("the score must be a number from 0 to 5, or empty."),
                )
            )
            continue
        cleaned[code] = float(value) if value != value.to_integral() else int(value)
    return cleaned, problems


@dataclass(frozen=True)
class ScoreChange:
    """The planner's scores of one line (see ``scores_clean``), made on ``version`` (None:
    any)."""

    line: CommuneLine
    scores: Mapping[str, Any]
    version: int | None = None


def _merged(current: dict[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    manual = dict(current)
    for code, value in cleaned.items():
        if value is None:
            manual.pop(code, None)
        else:
            manual[code] = value
    return manual


def _score_steps(
    plan: CommunePlan, changes: Sequence[ScoreChange], saved: Mapping[int, CommuneLine]
) -> list[tuple[CommuneLine, dict[str, Any]]]:
    """Each line (as ``saved`` now) with its new scores, or ``ApplicationErrors`` with every
    problem: the checks of ``line_scores_apply`` and ``line_scores_check``."""
    criteria = criteria_of(plan)
    errors: list[ApplicationError] = []
    steps: list[tuple[CommuneLine, dict[str, Any]]] = []
    for change in changes:
        current = saved.get(change.line.pk)
        if current is None:
            raise NotFoundError()
        try:
            check_version(current, change.version)
        except ApplicationError as exc:
            errors.append(exc)
            continue
        cleaned, problems = scores_clean(criteria, change.scores)
        errors += problems
        steps.append((current, _merged(current.manual_scores or {}, cleaned)))
    if errors:
        raise ApplicationErrors(errors)
    return steps


def line_scores_check(
    *, actor: Any, plan: CommunePlan, changes: Sequence[ScoreChange]
) -> dict[str, int]:
    """What ``line_scores_apply`` would do (the lines whose scores change), or the same
    problems; nothing written or locked (a dry run)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, plan.round)
    ensure_draft(plan)
    saved = CommuneLine.objects.filter(plan=plan, pk__in=[c.line.pk for c in changes])
    steps = _score_steps(plan, changes, {line.pk: line for line in saved})
    return {"changed": sum(1 for line, new in steps if new != (line.manual_scores or {}))}


@transaction.atomic
def line_scores_apply(
    *, actor: Any, plan: CommunePlan, changes: Sequence[ScoreChange]
) -> list[CommuneLine]:
    """Set the planner's scores (0–5, or empty to clear) of the criteria named in each change;
    a line's other scores stay as they are, so a grid may save one cell at a time. All or
    nothing: a line changed since its version, or a wrong value, refuses the whole set
    (``ApplicationErrors`` with every problem). A line whose scores do not change is not
    written (no new version, no history). Returns the lines as they are now."""
    plan = require_editable(actor, plan)
    locked = lines_locked(plan, [c.line.pk for c in changes])
    steps = _score_steps(plan, changes, locked)
    now = timezone.now()
    changed: list[CommuneLine] = []
    entries = []
    for current, manual in steps:
        if manual == (current.manual_scores or {}):
            continue
        before = snapshot(current, ["manual_scores"])
        current.manual_scores = manual
        current.version += 1
        current.updated_at = now
        changed.append(current)
        entries.append(
            audit_entry(
                actor=actor,
                plan_uid=plan.uid,
                obj=current,
                operation="update",
                before=before,
                after=snapshot(current, ["manual_scores"]),
            )
        )
    if changed:
        CommuneLine.objects.bulk_update(changed, ["manual_scores", "version", "updated_at"])
        bump(plan)
        audit_bulk(entries)
    return [line for line, _manual in steps]


def line_scores_set(
    *,
    actor: Any,
    line: CommuneLine,
    scores: Mapping[str, Any],
    expected_version: int | None = None,
) -> CommuneLine:
    """``line_scores_apply`` for one line (the grid's row or cell, the line's page). With
    ``expected_version``, a line changed since the page or workbook was opened is refused
    (nothing saved)."""
    change = ScoreChange(line, scores, expected_version)
    return line_scores_apply(actor=actor, plan=line.plan, changes=[change])[0]


def _rank_reason(rank: int | None, reason: str) -> str:
    """The reason as stored, or the problem with ``rank``: the checks of ``line_rank_set`` and
    ``line_rank_check``."""
    reason = nfc(reason or "")
    if rank is not None:
        if rank < 1:
            raise ApplicationError(
                "rank_range", _("The rank must be 1 or more."), Where(field="rank")
            )
        if not reason:
            raise ApplicationError(
                "rank_reason_required",
                _("Write why this line gets another rank than its score gives it."),
                Where(field="reason"),
            )
    return reason


def line_rank_check(*, actor: Any, line: CommuneLine, rank: int | None, reason: str) -> None:
    """What ``line_rank_set`` would refuse; nothing written or locked (a dry run)."""
    require(actor, Action.EDIT_COMMUNE_PLAN, line.plan.round)
    ensure_draft(line.plan)
    _rank_reason(rank, reason)


@transaction.atomic
def line_rank_set(*, actor: Any, line: CommuneLine, rank: int | None, reason: str) -> CommuneLine:
    """Move a line to ``rank`` (1 = first) with a reason, or give it back its computed rank."""
    plan = require_editable(actor, line.plan)
    current = CommuneLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    reason = _rank_reason(rank, reason)
    fields = ["rank_override", "rank_reason"]
    before = snapshot(current, fields)
    current.rank_override = rank
    current.rank_reason = reason if rank is not None else ""
    current.version += 1
    current.save(update_fields=[*fields, "version", "updated_at"])
    bump(plan)
    record(actor, plan, current, "update", fields, before=before)
    return current
