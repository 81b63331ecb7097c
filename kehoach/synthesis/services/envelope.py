"""The resource envelope of a round (F11) and its publication to the villages (R19).

The province officer enters the programme and provincial money for a commune
(``origin = province``); the commune planner adds the commune budget and other sources
(``origin = commune``). Each may change only the lines of their own origin. Publishing copies
the lines as they are into ``Envelope.published_lines``: that copy is what every village plan
page of the round shows, so villages plan knowing what money exists before they meet.

A change to an envelope line that funds commune lines (its amount, source, sector, type,
counterpart, area or eligible activities) takes that funding back: the commune lines return
to "not decided" and are marked for review, so no envelope is ever exceeded (R16) and the
planner re-runs the allocation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.audit import audit_record, snapshot
from kehoach.approvals.models import StatusChange
from kehoach.approvals.workflow import Reason
from kehoach.catalog.choices import ExpenditureType, FundingKind
from kehoach.catalog.models import FundingSource, Sector
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.core.text import nfc
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import PlanningRound

from ..choices import (
    AreaScope,
    Decision,
    DecisionOrigin,
    EnvelopeOrigin,
    Firmness,
    Review,
    VillageFlag,
)
from ..models import CommuneLine, CommunePlan, Envelope, EnvelopeLine, LineFunding
from .common import (
    bump,
    commune_plan_for,
    draft_reason,
    ensure_draft,
    envelope_for,
    lock,
    money,
    money_text,
    record,
)
from .eligibility import area_text, keywords, matching_words

FIELDS = [
    "source",
    "sector",
    "expenditure_type",
    "content",
    "activity_keywords",
    "amount_mvnd",
    "firmness",
    "counterpart_share_pct",
    "area_scope",
    "area_flags",
    "notes",
]
AUDIT_FIELDS = ["number", "origin", *FIELDS]
FUNDING_FIELDS = [
    "source",
    "sector",
    "expenditure_type",
    "activity_keywords",
    "amount_mvnd",
    "counterpart_share_pct",
    "area_scope",
    "area_flags",
]
"""Fields whose change takes back the funding drawn from the line; the eligible activities only
when they match differently (retyping "duong" as "đường" keeps the funding)."""

PROVINCE_KINDS = frozenset(
    {
        FundingKind.PROVINCIAL_BUDGET,
        FundingKind.NATIONAL_TARGET_PROGRAMME,
        FundingKind.PROGRAMME,
    }
)
"""Money that only the province enters for a commune [I]: provincial budget and programmes.
The commune enters its own budget, donors' and enterprises' money, credit and other sources."""


def _label(name: str) -> str:
    field = EnvelopeLine._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def _error(number: int, field: str, code: str, text: str) -> ApplicationError:
    return ApplicationError(
        code,
        _("Envelope line %(number)s, %(field)s: %(problem)s")
        % {"number": number, "field": _label(field), "problem": text},
        Where(field=field),
    )


def origin_for(actor: Any, round_: PlanningRound) -> str | None:
    """The origin of the lines this actor enters: province for a province officer, commune for
    the commune planner (a system administrator counts as the province)."""
    if has_permission(actor, Action.EDIT_ENVELOPE_PROVINCE, round_.commune):
        return EnvelopeOrigin.PROVINCE
    if has_permission(actor, Action.EDIT_ENVELOPE_COMMUNE, round_.commune):
        return EnvelopeOrigin.COMMUNE
    return None


def may_edit_line(actor: Any, line: EnvelopeLine, round_: PlanningRound) -> bool:
    action = (
        Action.EDIT_ENVELOPE_PROVINCE
        if line.origin == EnvelopeOrigin.PROVINCE
        else Action.EDIT_ENVELOPE_COMMUNE
    )
    return has_permission(actor, action, round_.commune)


def can_edit_line(user: Any, line: EnvelopeLine, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not change (edit, delete, restore) this envelope line now, or None:
    the services' own checks (the line's origin, a commune plan still in draft)."""
    if not may_edit_line(user, line, plan.round):
        return Reason.of(NotFoundError())
    return draft_reason(plan)


def can_publish(user: Any, plan: CommunePlan) -> Reason | None:
    """Why ``user`` may not publish the envelope of the plan's round now, or None."""
    if not has_permission(user, Action.PUBLISH_ENVELOPE, plan.round.commune):
        return Reason.of(NotFoundError())
    return draft_reason(plan)


def _validate(
    round_: PlanningRound, number: int, origin: str, data: dict[str, Any], villages: Any
) -> tuple[dict[str, Any], list[AdministrativeUnit]]:
    """Check one envelope line; return the clean values and the eligible villages."""
    errors: list[ApplicationError] = []
    values: dict[str, Any] = {
        "sector": None,
        "expenditure_type": "",
        "content": "",
        "activity_keywords": "",
        "firmness": Firmness.INDICATIVE,
        "counterpart_share_pct": None,
        "area_scope": AreaScope.ALL,
        "area_flags": [],
        "notes": "",
        **data,
    }
    year = round_.plan_year
    values["content"] = "\n".join(nfc(x) for x in str(values["content"] or "").splitlines()).strip()
    values["notes"] = nfc(values.get("notes") or "")
    out_of_bounds = bounds.errors_for(
        EnvelopeLine,
        values,
        lambda field, code, text: _error(number, field, code, text),
        ("amount_mvnd", "content", "notes", "activity_keywords"),
    )
    if out_of_bounds:
        raise ApplicationErrors(out_of_bounds)
    source = values.get("source")
    if not isinstance(source, FundingSource):
        errors.append(
            _error(number, "source", "source_required", _("choose a programme or source."))
        )
    elif not source.is_active_for_year(year):
        errors.append(
            _error(
                number,
                "source",
                "source_inactive",
                _("the source “%(source)s” is not in use in %(year)s; choose another.")
                % {"source": source.code, "year": year},
            )
        )
    elif source.kind == FundingKind.COMMUNITY or not source.is_external:
        errors.append(
            _error(
                number,
                "source",
                "source_is_contribution",
                _(
                    "the community's contribution is written on each proposal, not in the "
                    "envelope; choose a source of external support."
                ),
            )
        )
    elif origin == EnvelopeOrigin.COMMUNE and source.kind in PROVINCE_KINDS:
        errors.append(
            _error(
                number,
                "source",
                "source_for_province",
                _(
                    "“%(source)s” is money the province notifies; the provincial finance "
                    "department enters it. The commune enters its own budget and other sources."
                )
                % {"source": source.code},
            )
        )
    sector = values.get("sector")
    if sector is not None and (not isinstance(sector, Sector) or not sector.is_active):
        errors.append(
            _error(number, "sector", "sector_invalid", _("choose a sector from the list."))
        )
    if values["expenditure_type"] not in ("", *ExpenditureType.values):
        errors.append(
            _error(number, "expenditure_type", "type_invalid", _("choose a type from the list."))
        )
    if values["firmness"] not in Firmness.values:
        errors.append(
            _error(number, "firmness", "firmness_invalid", _("choose a firmness from the list."))
        )
    amount = values.get("amount_mvnd")
    if amount is None:
        errors.append(_error(number, "amount_mvnd", "amount_required", _("enter the amount.")))
    elif Decimal(amount) < 0:
        errors.append(
            _error(number, "amount_mvnd", "amount_negative", _("the amount cannot be negative."))
        )
    else:
        values["amount_mvnd"] = money(Decimal(amount))
    share = values.get("counterpart_share_pct")
    if share is not None:
        try:
            share = Decimal(share)
        except (InvalidOperation, TypeError, ValueError):
            share = Decimal(-1)
        if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
            errors.append(
                _error(
                    number,
                    "counterpart_share_pct",
                    "share_range",
                    _("enter a percentage from 0 to 100, or leave it empty."),
                )
            )
        values["counterpart_share_pct"] = share
    scope = values.get("area_scope")
    chosen: list[AdministrativeUnit] = []
    if scope not in AreaScope.values:
        errors.append(
            _error(number, "area_scope", "scope_invalid", _("choose an area from the list."))
        )
    elif scope == AreaScope.LISTED:
        chosen = list(villages or [])
        outside = [v for v in chosen if v.parent_id != round_.commune_id]
        if not chosen:
            errors.append(
                _error(
                    number,
                    "area_villages",
                    "villages_required",
                    _("tick the villages where this money may be spent."),
                )
            )
        elif outside:
            raise NotFoundError()
    elif scope == AreaScope.FLAGGED:
        flags = [f for f in (values.get("area_flags") or []) if f in VillageFlag.values]
        if not flags:
            errors.append(
                _error(
                    number,
                    "area_flags",
                    "flags_required",
                    _("tick at least one kind of village this money is for."),
                )
            )
        values["area_flags"] = sorted(set(flags))
    if scope != AreaScope.FLAGGED:
        values["area_flags"] = []
    values["activity_keywords"] = ", ".join(keywords(values.get("activity_keywords") or ""))
    if errors:
        raise ApplicationErrors(errors)
    return {k: values[k] for k in FIELDS}, chosen


def _start(actor: Any, round_: PlanningRound) -> tuple[Envelope, Any]:
    """Lock the commune plan (the envelope changes under the same lock) and return the
    envelope and the locked plan."""
    plan = lock(commune_plan_for(round_))
    ensure_draft(plan)
    return envelope_for(round_), plan


def _touch(envelope: Envelope) -> None:
    envelope.changed_at = timezone.now()
    envelope.save(update_fields=["changed_at", "updated_at"])


def _audit_fields(line: EnvelopeLine) -> dict[str, Any]:
    data = snapshot(line, AUDIT_FIELDS)
    data["area_villages"] = sorted(v.name for v in line.area_villages.all())
    return data


@transaction.atomic
def envelope_line_create(
    *,
    actor: Any,
    round_: PlanningRound,
    data: dict[str, Any],
    villages: Any = None,
    origin: str | None = None,
) -> EnvelopeLine:
    allowed = origin_for(actor, round_)
    if allowed is None:
        raise NotFoundError()
    origin = origin or allowed
    if origin != allowed and not (
        origin == EnvelopeOrigin.COMMUNE
        and has_permission(actor, Action.EDIT_ENVELOPE_COMMUNE, round_.commune)
    ):
        raise NotFoundError()
    envelope, plan = _start(actor, round_)
    number = (envelope.lines.aggregate(m=Max("number"))["m"] or 0) + 1
    values, chosen = _validate(round_, number, origin, data, villages)
    line = EnvelopeLine.objects.create(envelope=envelope, number=number, origin=origin, **values)
    line.area_villages.set(chosen)
    _touch(envelope)
    bump(plan)
    record(actor, plan, line, "create", AUDIT_FIELDS)
    return line


def _line_locked(line: EnvelopeLine) -> EnvelopeLine:
    return (
        EnvelopeLine.objects.select_for_update(of=("self",))
        .select_related("envelope__round__commune", "source", "sector")
        .get(pk=line.pk)
    )


def _require_line(actor: Any, line: EnvelopeLine) -> PlanningRound:
    round_ = line.envelope.round
    if not may_edit_line(actor, line, round_):
        raise NotFoundError()
    return round_


def take_back_funding(actor: Any, line: EnvelopeLine, why: str) -> int:
    """Return the commune lines funded from ``line`` to "not decided", marked for review; the
    plan's history gets one row per line with its decision and funding before and after."""
    from .funding import DECISION_AUDIT, decisions_audit  # funding imports this module

    funded = list(
        CommuneLine.objects.filter(funding__envelope_line=line)
        .select_for_update(of=("self",))
        .select_related("plan")
    )
    audit = decisions_audit(actor, funded, [*DECISION_AUDIT, "review", "review_note"])
    for commune_line in funded:
        LineFunding.objects.filter(line=commune_line).delete()
        commune_line.decision = Decision.PENDING
        commune_line.decision_origin = DecisionOrigin.NONE
        commune_line.decision_reason = ""
        commune_line.decision_code = ""
        commune_line.decision_params = {}
        commune_line.review = Review.CHANGED
        commune_line.review_note = why
        commune_line.version += 1
        commune_line.save()
    audit()
    return len(funded)


@transaction.atomic
def envelope_line_update(
    *,
    actor: Any,
    line: EnvelopeLine,
    data: dict[str, Any],
    villages: Any = None,
    expected_version: int | None = None,
) -> tuple[EnvelopeLine, int]:
    """Change a line; returns the line and how many commune lines lost their funding."""
    round_ = _require_line(actor, line)
    envelope, plan = _start(actor, round_)
    current = _line_locked(line)
    if current.deleted_at is not None:
        raise NotFoundError()
    if expected_version is not None and current.version != expected_version:
        raise ApplicationError(
            "conflict",
            _(
                "Envelope line %(number)s was changed by someone else after you opened it. "
                "Nothing was saved; reload the page and make your change again."
            )
            % {"number": current.number},
        )
    before = _audit_fields(current)
    values, chosen = _validate(
        round_,
        current.number,
        current.origin,
        {**{f: getattr(current, f) for f in FIELDS}, **data},
        villages if villages is not None else list(current.area_villages.all()),
    )
    changed_funding = (
        any(values[f] != getattr(current, f) for f in FUNDING_FIELDS if f != "activity_keywords")
        or matching_words(values["activity_keywords"]) != matching_words(current.activity_keywords)
        or {v.pk for v in chosen} != {v.pk for v in current.area_villages.all()}
    )
    for field, value in values.items():
        setattr(current, field, value)
    current.version += 1
    current.save()
    current.area_villages.set(chosen)
    taken = 0
    if changed_funding:
        taken = take_back_funding(
            actor,
            current,
            _("The envelope line %(number)s (%(source)s) changed; allocate again.")
            % {"number": current.number, "source": current.source.code},
        )
    _touch(envelope)
    bump(plan)
    after = _audit_fields(current)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=after,
    )
    return current, taken


@transaction.atomic
def envelope_line_delete(*, actor: Any, line: EnvelopeLine) -> tuple[EnvelopeLine, int]:
    """Delete a line so that it can be restored; its funding is taken back."""
    round_ = _require_line(actor, line)
    envelope, plan = _start(actor, round_)
    current = _line_locked(line)
    taken = 0
    if current.deleted_at is None:
        taken = take_back_funding(
            actor,
            current,
            _("The envelope line %(number)s (%(source)s) was deleted; allocate again.")
            % {"number": current.number, "source": current.source.code},
        )
        current.deleted_at = timezone.now()
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        _touch(envelope)
        bump(plan)
        record(actor, plan, current, "delete", AUDIT_FIELDS, before=_audit_fields(current))
    return current, taken


@transaction.atomic
def envelope_line_restore(*, actor: Any, line: EnvelopeLine) -> EnvelopeLine:
    round_ = _require_line(actor, line)
    envelope, plan = _start(actor, round_)
    current = _line_locked(line)
    if current.deleted_at is not None:
        current.deleted_at = None
        current.version += 1
        current.save(update_fields=["deleted_at", "version", "updated_at"])
        _touch(envelope)
        bump(plan)
        record(actor, plan, current, "restore", AUDIT_FIELDS)
    return current


def published_row(line: EnvelopeLine) -> dict[str, Any]:
    """One envelope line as the villages see it (kept as published; texts in Vietnamese)."""
    return {
        "number": line.number,
        "source_code": line.source.code,
        "source": line.source.name,
        "sector": line.sector.name if line.sector else "",
        "expenditure_type": line.expenditure_type,
        "content": line.content,
        "activity_keywords": line.activity_keywords,
        "amount_mvnd": str(line.amount_mvnd),
        "firmness": line.firmness,
        "counterpart_pct": str(effective_counterpart(line)),
        "area": area_text(line),
    }


def effective_counterpart(line: EnvelopeLine) -> Decimal:
    """The community share required: the line's own, else the funding source's (R17)."""
    if line.counterpart_share_pct is not None:
        return Decimal(line.counterpart_share_pct)
    return Decimal(line.source.counterpart_share_pct)


@transaction.atomic
def envelope_publish(*, actor: Any, round_: PlanningRound) -> Envelope:
    """Publish the envelope as it is now to every village plan of the round (R19)."""
    if not has_permission(actor, Action.PUBLISH_ENVELOPE, round_.commune):
        raise NotFoundError()
    envelope, plan = _start(actor, round_)
    lines = list(
        envelope.lines.alive()
        .select_related("source", "sector")
        .prefetch_related("area_villages")
        .order_by("number")
    )
    if not lines:
        raise ApplicationError(
            "envelope_empty",
            _("The envelope has no lines yet; add the money expected from each source first."),
        )
    envelope.published_lines = [published_row(line) for line in lines]
    envelope.published_at = timezone.now()
    envelope.published_by = actor if getattr(actor, "pk", None) else None
    envelope.save()
    StatusChange.objects.create(
        plan_uid=plan.uid,
        subject_label=Envelope._meta.label_lower,
        action="publish",
        from_state="",
        to_state="published",
        actor=envelope.published_by,
        comment=_("%(count)s lines, %(total)s million VND")
        % {
            "count": len(lines),
            "total": money_text(sum((x.amount_mvnd for x in lines), Decimal(0))),
        },
    )
    return envelope


def envelope_use(envelope: Envelope) -> list[dict[str, Any]]:
    """Every live envelope line with the amount its funding uses and what remains — one
    aggregate query (shown at all times on the commune plan pages, R19)."""
    lines = list(
        envelope.lines.alive()
        .select_related("source", "sector")
        .annotate(used=Sum("funding__amount_mvnd"))
        .order_by("source__sort_order", "source__code", "number")
    )
    rows = []
    for line in lines:
        used = getattr(line, "used", None) or Decimal(0)
        rows.append({"line": line, "used": used, "left": line.amount_mvnd - used})
    return rows
