"""The commune plan pages: the synthesis table (F9) with merge, a line's page (its village
lines, score, decision, split, undo), commune-level lines (R14), the history. Scoring (F10)
is in ``scoring.py``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.history import plan_history
from kehoach.approvals.models import AuditEntry
from kehoach.approvals.services import comments_of
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.choices import PlanStatus

from ..choices import CommunePlanStatus, Decision, DecisionOrigin, LineState
from ..forms import CommuneLineForm, DecisionForm, LineTextForm, MergeForm, RankForm, SplitForm
from ..models import CommuneLine, CommunePlan, SynthesisOperation
from ..selectors import commune_line_get
from ..services.common import commune_plan_for
from ..services.funding import line_decide, line_decision_clear, remaining_for
from ..services.lines import (
    Part,
    commune_line_create,
    commune_line_remove,
    commune_line_restore,
    commune_line_update,
    commune_plan_synthesise,
    line_mark_reviewed,
    line_split,
    lines_merge,
    lines_with_sources,
    operation_undo,
)
from ..services.scoring import line_rank_set, line_scores
from .common import plan_context, plan_or_404, round_or_404, service_action

OTHER_STATES = (LineState.MERGED, LineState.SPLIT, LineState.WITHDRAWN, LineState.REMOVED)


def villages_of(line: CommuneLine) -> list[Any]:
    seen: dict[int, Any] = {}
    for source in line.sources.all():
        if not source.withdrawn:
            village = source.village_line.plan.village
            seen.setdefault(village.pk, village)
    return list(seen.values())


def _groups(
    lines: list[CommuneLine], scores: dict[int, Any]
) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    groups: dict[int, dict[str, Any]] = {}
    grand = {"total": Decimal(0), "contribution": Decimal(0), "support": Decimal(0)}
    for line in lines:
        line.villages = villages_of(line)  # type: ignore[attr-defined]
        line.score = scores.get(line.pk)  # type: ignore[attr-defined]
        group = groups.setdefault(
            line.sector_id,
            {
                "sector": line.sector,
                "lines": [],
                "total": Decimal(0),
                "contribution": Decimal(0),
                "support": Decimal(0),
            },
        )
        group["lines"].append(line)
        for target in (group, grand):
            target["total"] += line.total_cost_mvnd
            target["contribution"] += line.contribution_mvnd
            target["support"] += line.external_support_mvnd
    ordered = sorted(groups.values(), key=lambda g: (g["sector"].sort_order, g["sector"].code))
    return ordered, grand


def _by_village(lines: list[CommuneLine]) -> list[dict[str, Any]]:
    """F9 totals by village: lines, lines per village priority, cost and support (R13)."""
    rows: dict[int, dict[str, Any]] = {}
    for line in lines:
        for source in line.sources.all():
            if source.withdrawn:
                continue
            vline = source.village_line
            village = vline.plan.village
            row = rows.setdefault(
                village.pk,
                {
                    "village": village,
                    "lines": 0,
                    "priorities": defaultdict(int),
                    "total": Decimal(0),
                    "support": Decimal(0),
                },
            )
            row["lines"] += 1
            row["priorities"][vline.priority or 0] += 1
            row["total"] += vline.total_cost_mvnd * source.share
            row["support"] += vline.external_support_mvnd * source.share
    return sorted(rows.values(), key=lambda r: (r["village"].sort_key, r["village"].code))


def _filtered(
    request: HttpRequest, lines: list[CommuneLine]
) -> tuple[list[CommuneLine], dict[str, str]]:
    """The lines the filter form asks for (sector, village, decision, to review); a big commune
    with hundreds of lines works on one part at a time. Totals and scores stay plan-wide."""
    filters = {key: request.GET.get(key, "").strip() for key in ("sector", "village", "decision")}
    filters["review"] = "1" if request.GET.get("review") == "1" else ""
    shown = []
    for line in lines:
        villages = {v.code for v in villages_of(line)}
        if filters["sector"] and line.sector.code != filters["sector"]:
            continue
        if filters["village"] and filters["village"] not in villages:
            continue
        if filters["decision"] and line.decision != filters["decision"]:
            continue
        if filters["review"] and not line.review:
            continue
        shown.append(line)
    return shown, filters


@login_required
def plan_for_round(request: HttpRequest, uid: Any) -> HttpResponse:
    """The round's commune plan (created, empty, the first time someone opens it)."""
    round_ = round_or_404(request, uid)
    return redirect("synthesis:plan", uid=commune_plan_for(round_).uid)


@login_required
def plan_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "synthesis")
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    village_plans = list(plan.round.plans.select_related("village").order_by("village__sort_key"))
    shown, filters = _filtered(request, lines)
    groups, grand = _groups(shown, scores)
    open_comments: dict[str, int] = {}
    for thread in comments_of(plan.uid):
        if thread.line_uid and not thread.resolved_at:
            key = str(thread.line_uid)
            open_comments[key] = open_comments.get(key, 0) + 1
    for line in shown:
        line.open_comments = open_comments.get(str(line.uid), 0)  # type: ignore[attr-defined]
    context.update(
        {
            "groups": groups,
            "grand": grand,
            "by_village": _by_village(lines),
            "line_count": len(shown),
            "all_count": len(lines),
            "filters": filters,
            "sectors": sorted(
                {x.sector.pk: x.sector for x in lines}.values(),
                key=lambda s: (s.sort_order, s.code),
            ),
            "filter_villages": [p.village for p in village_plans],
            "to_review": [line for line in lines if line.review],
            "submitted": [p for p in village_plans if p.status == PlanStatus.SUBMITTED],
            "village_plan_count": len(village_plans),
            "not_submitted": [p for p in village_plans if p.status != PlanStatus.SUBMITTED],
            "others": list(
                plan.lines.filter(state__in=OTHER_STATES)
                .select_related("merged_into", "sector")
                .order_by("number")
            ),
            "operations": list(
                SynthesisOperation.objects.filter(plan=plan, undone_at__isnull=True)
                .select_related("line", "actor")
                .order_by("-created_at", "-id")[:10]
            ),
            "merge_form": MergeForm(),
            "decisions": Decision.choices,
        }
    )
    return render(request, "synthesis/plan.html", context)


@login_required
@service_action
def synthesise_view(request: HttpRequest, uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    report = commune_plan_synthesise(actor=request.user, round_=plan.round)
    text = _(
        "Synthesis of %(plans)s submitted village plans: %(new)s new lines, %(changed)s "
        "changed, %(withdrawn)s withdrawn, %(unchanged)s unchanged."
    ) % {
        "plans": report.plans,
        "new": report.new,
        "changed": report.changed,
        "withdrawn": report.withdrawn,
        "unchanged": report.unchanged,
    }
    if report.not_submitted:
        text += " " + ngettext(
            "Not submitted yet, so not included: %(villages)s.",
            "Not submitted yet, so not included: %(villages)s.",
            len(report.not_submitted),
        ) % {"villages": ", ".join(report.not_submitted)}
    return text, reverse("synthesis:plan", args=[plan.uid])


@login_required
@service_action
def merge_view(request: HttpRequest, uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    uids = request.POST.getlist("lines")
    chosen = list(CommuneLine.objects.filter(plan=plan, uid__in=_uids(uids)))
    if len(chosen) != len(set(uids)):
        raise NotFoundError()
    form = MergeForm(request.POST)
    form.is_valid()
    merged = lines_merge(
        actor=request.user,
        plan=plan,
        lines=chosen,
        activity=form.cleaned_data.get("activity", ""),
        location=form.cleaned_data.get("location", ""),
    )
    return (
        _(
            "Lines %(lines)s merged into line %(number)s. To separate them again, use "
            "“Undo merging lines” below."
        )
        % {
            "lines": ", ".join(str(x.number) for x in sorted(chosen, key=lambda x: x.number)),
            "number": merged.number,
        },
        reverse("synthesis:plan", args=[plan.uid]),
    )


def _uids(values: list[str]) -> list[str]:
    result = []
    for value in values:
        try:
            result.append(str(uuid.UUID(value)))
        except ValueError as exc:
            raise NotFoundError() from exc
    return result


@login_required
@service_action
def undo_view(request: HttpRequest, uid: Any, operation_id: int) -> Any:
    plan = plan_or_404(request, uid)
    operation = SynthesisOperation.objects.filter(plan=plan, pk=operation_id).first()
    if operation is None:
        raise NotFoundError()
    operation_undo(actor=request.user, operation=operation)
    text = (
        _("Undo merging lines done: the lines merged into line %(number)s are back as they were.")
        if operation.kind == SynthesisOperation.Kind.MERGE
        else _("Undo splitting the line done: line %(number)s is whole again.")
    ) % {"number": operation.line.number}
    return text, reverse("synthesis:plan", args=[plan.uid])


def _line_or_404(plan: CommunePlan, line_uid: Any) -> CommuneLine:
    try:
        return commune_line_get(plan, line_uid)
    except NotFoundError as exc:
        raise Http404 from exc


def _line_context(request: HttpRequest, plan: CommunePlan, line: CommuneLine) -> dict[str, Any]:
    context = plan_context(request, plan, "synthesis")
    lines = lines_with_sources(plan)
    scores = line_scores(plan, lines)
    found = next((x for x in lines if x.pk == line.pk), None)
    if found is None:
        others = lines_with_sources(plan, states=[line.state])
        found = next((x for x in others if x.pk == line.pk), line)
    full: CommuneLine = found
    envelope_lines = [row["line"] for row in context["envelope_use"]]
    left = remaining_for(plan, excluding=line)
    current_funding = {f.envelope_line_id: f.amount_mvnd for f in full.funding.all()}
    decision_initial: dict[str, Any] = {
        "decision": line.decision if line.decision_origin == DecisionOrigin.MANUAL else "",
        "reason": line.decision_reason if line.decision_origin == DecisionOrigin.MANUAL else "",
    }
    for e in envelope_lines:
        if e.pk in current_funding:
            decision_initial[f"funding_{e.uid}"] = current_funding[e.pk]
    operations = list(
        SynthesisOperation.objects.filter(plan=plan, line=line, undone_at__isnull=True)
    )
    context.update(
        {
            "line": full,
            "villages": villages_of(full),
            "score": scores.get(line.pk),
            "rank_form": RankForm(
                initial={"rank": line.rank_override, "reason": line.rank_reason}, prefix="rank"
            ),
            "decision_form": DecisionForm(initial=decision_initial, envelope_lines=envelope_lines),
            "left_for_line": [(e, left.get(e.pk, Decimal(0))) for e in envelope_lines],
            "text_form": LineTextForm(
                prefix="text",
                initial={
                    "activity": line.activity,
                    "location": line.location,
                    "expenditure_type": line.expenditure_type,
                    "notes": line.notes,
                    "version": line.version,
                },
            ),
            "split_form": SplitForm(),
            "operations": operations,
            "line_history": AuditEntry.objects.filter(
                plan_uid=plan.uid,
                subject_label=CommuneLine._meta.label_lower,
                subject_id=str(line.pk),
            )
            .select_related("actor")
            .order_by("-at", "-id")[:20],
            "merged_from": list(line.merged_from.order_by("number")),
            "comment_threads": [c for c in comments_of(plan.uid) if c.line_uid == line.uid],
            "may_comment": has_permission(request.user, Action.COMMENT_PLAN, plan.round.commune),
            "parts": list(line.parts.exclude(state=LineState.REMOVED).order_by("number")),
        }
    )
    return context


@login_required
def line_detail(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    return render(request, "synthesis/line.html", _line_context(request, plan, line))


@login_required
def line_edit_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """Name, location, expenditure type and notes (the amounts come from the villages)."""
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    if request.method != "POST":
        return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    form = LineTextForm(request.POST, prefix="text")
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            commune_line_update(
                actor=request.user,
                line=line,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            for item in getattr(exc, "errors", None) or [exc]:
                messages.error(request, item.message)
        else:
            messages.success(request, _("Line %(number)s saved.") % {"number": line.number})
    else:
        messages.error(request, _("Check the fields of the form."))
    return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)


@login_required
@service_action
def line_rank_view(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    form = RankForm(request.POST, prefix="rank")
    if not form.is_valid():
        raise ApplicationError("rank_invalid", _("The rank must be a whole number of 1 or more."))
    line_rank_set(
        actor=request.user,
        line=line,
        rank=form.cleaned_data.get("rank"),
        reason=form.cleaned_data.get("reason") or "",
    )
    return (
        _("Rank of line %(number)s saved.") % {"number": line.number},
        reverse("synthesis:line", args=[plan.uid, line.uid]),
    )


@login_required
def line_decide_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    if request.method != "POST":
        return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context = _line_context(request, plan, line)
    form = DecisionForm(request.POST, envelope_lines=[r["line"] for r in context["envelope_use"]])
    if form.is_valid():
        try:
            line_decide(
                actor=request.user,
                line=line,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                funding=form.funding(),
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            for item in getattr(exc, "errors", None) or [exc]:
                field = item.where.field
                form.add_error(field if field in form.fields else None, item.message)
        else:
            messages.success(
                request, _("Decision on line %(number)s saved.") % {"number": line.number}
            )
            return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context["decision_form"] = form
    return render(request, "synthesis/line.html", context, status=400)


@login_required
@service_action
def line_decision_clear_view(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    line_decision_clear(actor=request.user, line=line)
    return (
        _("Line %(number)s goes back to the allocation; run it again to decide on it.")
        % {"number": line.number},
        reverse("synthesis:line", args=[plan.uid, line.uid]),
    )


@login_required
@service_action
def line_reviewed_view(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    line_mark_reviewed(actor=request.user, line=line)
    return (
        _("Line %(number)s marked as reviewed.") % {"number": line.number},
        request.POST.get("next") or reverse("synthesis:line", args=[plan.uid, line.uid]),
    )


@login_required
def line_split_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    if request.method != "POST":
        return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    form = SplitForm(request.POST)
    form.is_valid()
    parts = []
    for n in range(1, form.parts + 1):
        activity = form.cleaned_data.get(f"activity_{n}") or ""
        cost = form.cleaned_data.get(f"cost_{n}")
        if activity or cost:
            parts.append(
                Part(
                    activity=activity,
                    location=form.cleaned_data.get(f"location_{n}") or "",
                    total_cost_mvnd=cost if cost is not None else Decimal(0),
                )
            )
    try:
        created = line_split(actor=request.user, line=line, parts=parts)
    except NotFoundError as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        context = _line_context(request, plan, line)
        for item in getattr(exc, "errors", None) or [exc]:
            field = item.where.field
            form.add_error(field if field in form.fields else None, item.message)
        context["split_form"] = form
        context["split_open"] = True
        return render(request, "synthesis/line.html", context, status=400)
    messages.success(
        request,
        _("Line %(number)s split into lines %(parts)s.")
        % {"number": line.number, "parts": ", ".join(str(p.number) for p in created)},
    )
    return redirect("synthesis:plan", uid=plan.uid)


def _own_form(plan: CommunePlan, *args: Any, **kwargs: Any) -> CommuneLineForm:
    profile = plan.round.profile
    return CommuneLineForm(
        *args,
        plan_year=plan.round.plan_year,
        min_priority=profile.min_priority,
        max_priority=profile.max_priority,
        **kwargs,
    )


@login_required
def own_line_create(request: HttpRequest, uid: Any) -> HttpResponse:
    """A line proposed by a commune sector or mass organisation (R14)."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "synthesis")
    if not context["can_edit"]:
        raise Http404
    form = _own_form(plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = commune_line_create(actor=request.user, plan=plan, data=form.service_data())
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Line %(number)s added.") % {"number": line.number})
            return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context["form"] = form
    context["editing"] = None
    return render(
        request,
        "synthesis/own_line.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
def own_line_edit(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    context = plan_context(request, plan, "synthesis")
    if not context["can_edit"] or not line.organisation:
        raise Http404
    initial = {
        name: getattr(line, name)
        for name in (
            "organisation",
            "sector",
            "activity",
            "location",
            "unit",
            "quantity",
            "start_month",
            "end_month",
            "total_cost_mvnd",
            "contribution_mvnd",
            "contribution_cash_mvnd",
            "contribution_labour_days",
            "contribution_labour_mvnd",
            "contribution_materials_mvnd",
            "contribution_land_m2",
            "external_support_mvnd",
            "proposed_source",
            "beneficiary_households",
            "beneficiary_poor",
            "beneficiary_em",
            "implementation_mode",
            "notes",
            "expenditure_type",
        )
    }
    initial["priority"] = line.village_priority
    initial["version"] = line.version
    form = _own_form(plan, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            commune_line_update(
                actor=request.user,
                line=line,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Line %(number)s saved.") % {"number": line.number})
            return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context["form"] = form
    context["editing"] = line
    return render(
        request, "synthesis/own_line.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@service_action
def own_line_remove(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    commune_line_remove(actor=request.user, line=line)
    return (
        _("Line %(number)s removed; it can be restored from the list of other lines.")
        % {"number": line.number},
        reverse("synthesis:plan", args=[plan.uid]),
    )


@login_required
@service_action
def own_line_restore(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    plan = plan_or_404(request, uid)
    line = _line_or_404(plan, line_uid)
    commune_line_restore(actor=request.user, line=line)
    return (
        _("Line %(number)s restored.") % {"number": line.number},
        reverse("synthesis:line", args=[plan.uid, line.uid]),
    )


@login_required
def history_view(request: HttpRequest, uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "history")
    labels: dict[str, Any] = {
        **dict(CommunePlanStatus.choices),
        "published": _("Envelope published"),
    }
    context["events"] = plan_history(plan.uid, labels)
    return render(request, "synthesis/history.html", context)
