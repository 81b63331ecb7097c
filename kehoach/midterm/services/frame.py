"""The five-year resource frame of the commune plan: how much each programme is expected to
give for a sector (or any sector) in each year of the period. Its lines are added, changed and
deleted only while the plan is a draft; the plan cannot be submitted while its funded lines
ask a programme for more than the frame gives (R16, as the yearly envelope:
``selectors_commune.frame_excess``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import snapshot
from kehoach.catalog.models import FundingSource, Sector
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, problem_of, raise_errors

from ..models import MediumTermCommunePlan, MediumTermFrameLine
from .commune import record, require_editable

FRAME_AUDIT = ["source", "sector", "year", "amount_mvnd", "notes"]


def _problem(code: str, text: str, field: str) -> Problem:
    label = str(getattr(MediumTermFrameLine._meta.get_field(field), "verbose_name", field))
    label = label.capitalize()
    return problem_of(
        ApplicationError(
            code,
            _("Resource frame, %(field)s: %(problem)s") % {"field": label, "problem": text},
            Where(field=field),
            detail=text,
        )
    )


def frame_line_problems(
    plan: MediumTermCommunePlan,
    data: dict[str, Any],
    others: list[MediumTermFrameLine],
) -> tuple[dict[str, Any], list[Problem]]:
    """The clean values of a frame line and its problems; pure: ``others`` are the plan's other
    frame lines (for the one line per programme × sector × year)."""
    round_ = plan.round
    found: list[Problem] = []
    source = data.get("source")
    sector = data.get("sector") or None
    year = data.get("year")
    notes = nfc(str(data.get("notes") or "")).strip()
    raw = data.get("amount_mvnd")
    amount: Decimal | None = None
    if raw is not None and raw != "":
        try:
            amount = raw if isinstance(raw, Decimal) else Decimal(str(raw))
        except (InvalidOperation, ValueError):
            amount = None
    if not isinstance(source, FundingSource):
        found.append(_problem("frame_source", _("choose a programme from the list."), "source"))
    if sector is not None and not isinstance(sector, Sector):
        found.append(_problem("frame_sector", _("choose a sector from the list."), "sector"))
    if not isinstance(year, int) or not round_.covers(year):
        found.append(
            _problem(
                "frame_year",
                _("choose a year of the period %(first)s–%(last)s.")
                % {"first": round_.first_year, "last": round_.last_year},
                "year",
            )
        )
    elif isinstance(source, FundingSource) and not source.is_active_for_year(year):
        found.append(
            _problem(
                "frame_source_inactive",
                _("the programme “%(source)s” is not in use in %(year)s; choose another.")
                % {"source": source.code, "year": year},
                "source",
            )
        )
    if amount is None or not amount.is_finite():
        found.append(_problem("frame_amount", _("enter the amount in million VND."), "amount_mvnd"))
    else:
        limits = bounds.errors_for(
            MediumTermFrameLine,
            {"amount_mvnd": amount},
            lambda f, code, text: _problem(code, text, f),
            ["amount_mvnd"],
        )
        found.extend(limits)
        if not limits and amount < 0:
            found.append(
                _problem(
                    "frame_amount_negative", _("the amount cannot be negative."), "amount_mvnd"
                )
            )
    if len(notes) > bounds.NOTE_TEXT:
        found.append(
            _problem(
                "frame_notes_long",
                _("write at most %(n)s characters.") % {"n": bounds.NOTE_TEXT},
                "notes",
            )
        )
    if not found and isinstance(source, FundingSource):
        sector_id = sector.pk if sector is not None else None
        for other in others:
            if (other.source_id, other.sector_id, other.year) == (source.pk, sector_id, year):
                found.append(
                    _problem(
                        "frame_duplicate",
                        _(
                            "the frame already has a line for %(source)s, %(sector)s, "
                            "%(year)s; change that line instead."
                        )
                        % {
                            "source": source.code,
                            "sector": sector.name if sector is not None else _("any sector"),
                            "year": year,
                        },
                        "source",
                    )
                )
                break
    clean = {
        "source": source,
        "sector": sector,
        "year": year,
        "amount_mvnd": amount,
        "notes": notes,
    }
    return clean, found


@transaction.atomic
def frame_line_save(
    *,
    actor: Any,
    plan: MediumTermCommunePlan,
    data: dict[str, Any],
    line: MediumTermFrameLine | None = None,
    expected_version: int | None = None,
) -> MediumTermFrameLine:
    """Add a frame line (``line`` None) or change one; ``expected_version`` is the version of
    ``line`` the user read (a change made meanwhile is refused)."""
    plan = require_editable(actor, plan)
    current: MediumTermFrameLine | None = None
    if line is not None:
        current = (
            MediumTermFrameLine.objects.select_for_update()
            .filter(plan=plan, pk=line.pk)
            .order_by()
            .first()
        )
        if current is None:
            raise NotFoundError()
        _check_version(current, expected_version)
    others = list(plan.frame.exclude(pk=current.pk) if current else plan.frame.all())
    clean, problems = frame_line_problems(plan, data, others)
    raise_errors(problems)
    if current is None:
        current = MediumTermFrameLine.objects.create(plan=plan, **clean)
        record(actor, plan, current, "create", fields=FRAME_AUDIT)
        return current
    before = snapshot(current, FRAME_AUDIT)
    for name, value in clean.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    record(actor, plan, current, "update", fields=FRAME_AUDIT, before=before)
    return current


@transaction.atomic
def frame_line_delete(
    *, actor: Any, line: MediumTermFrameLine, expected_version: int | None = None
) -> None:
    """Delete a frame line (its history stays in the plan's history)."""
    plan = require_editable(actor, line.plan)
    current = (
        MediumTermFrameLine.objects.select_for_update()
        .filter(plan=plan, pk=line.pk)
        .order_by()
        .first()
    )
    if current is None:
        raise NotFoundError()
    _check_version(current, expected_version)
    before = snapshot(current, FRAME_AUDIT)
    record(actor, plan, current, "delete", fields=FRAME_AUDIT, before=before)
    current.delete()


def _check_version(line: MediumTermFrameLine, expected: int | None) -> None:
    if expected is not None and line.version != expected:
        raise ApplicationError(
            "conflict",
            _(
                "This line of the resource frame was changed by someone else after you opened "
                "it. Nothing was saved; reload the page and make your change again."
            ),
        )
