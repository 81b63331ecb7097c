"""A commune line's page: its village lines, score, rank, decision, texts, split and history
(F9). The plan's table is in ``plan``, the commune's own lines in ``own_lines``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.accounts.permissions import Action, has_permission
from kehoach.approvals.models import AuditEntry
from kehoach.approvals.services import comments_of
from kehoach.core.errors import ApplicationError, NotFoundError

from ..choices import DecisionOrigin, LineState
from ..forms import DecisionForm, LineTextForm, RankForm, SplitForm
from ..models import CommuneLine, CommunePlan, SynthesisOperation
from ..selectors import commune_line_get, lines_with_sources, remaining_for
from ..services.funding import line_decide, line_decision_clear
from ..services.lines.operations import Part, line_split
from ..services.lines.single import commune_line_update, line_mark_reviewed
from ..services.scoring import line_rank_set, line_scores
from .common import plan_context, plan_or_404, service_action


def villages_of(line: CommuneLine) -> list[Any]:
    seen: dict[int, Any] = {}
    for source in line.sources.all():
        if not source.withdrawn:
            village = source.village_line.plan.village
            seen.setdefault(village.pk, village)
    return list(seen.values())


def line_context(request: HttpRequest, plan: CommunePlan, line: CommuneLine) -> dict[str, Any]:
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
    line = commune_line_get(plan, line_uid)
    return render(request, "synthesis/line.html", line_context(request, plan, line))


@login_required
def line_edit_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """Name, location, expenditure type and notes (the amounts come from the villages)."""
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
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
        except NotFoundError:
            raise  # the 404 page (middleware), not a form error
        except ApplicationError as exc:  # shown on the line's page, where the form is
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
    line = commune_line_get(plan, line_uid)
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
    line = commune_line_get(plan, line_uid)
    if request.method != "POST":
        return redirect("synthesis:line", uid=plan.uid, line_uid=line.uid)
    context = line_context(request, plan, line)
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
        except ApplicationError as exc:
            form.add_service_error(exc)
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
    line = commune_line_get(plan, line_uid)
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
    line = commune_line_get(plan, line_uid)
    line_mark_reviewed(actor=request.user, line=line)
    return (
        _("Line %(number)s marked as reviewed.") % {"number": line.number},
        request.POST.get("next") or reverse("synthesis:line", args=[plan.uid, line.uid]),
    )


@login_required
def line_split_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
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
    except NotFoundError:
        raise  # the 404 page (middleware), not a form error
    except ApplicationError as exc:
        context = line_context(request, plan, line)
        form.add_service_error(exc)
        context["split_form"] = form
        context["split_open"] = True
        return render(request, "synthesis/line.html", context, status=400)
    messages.success(
        request,
        _("Line %(number)s split into lines %(parts)s.")
        % {"number": line.number, "parts": ", ".join(str(p.number) for p in created)},
    )
    return redirect("synthesis:plan", uid=plan.uid)
