"""The commune plan's table (F9): the synthesis, merging, undoing and the history. A line's
page is in ``line``, the commune's own lines (R14) in ``own_lines``, scoring (F10) in
``scoring``; their views are named here too, as ``urls`` knows them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.approvals.history import plan_history
from kehoach.approvals.services import comments_of
from kehoach.core.errors import NotFoundError
from kehoach.plans.choices import PlanStatus

from ..choices import CommunePlanStatus, Decision, LineState
from ..forms import MergeForm
from ..models import CommuneLine, SynthesisOperation
from ..selectors import lines_with_sources
from ..services.common import commune_plan_for
from ..services.lines.operations import lines_merge
from ..services.lines.synthesis import commune_plan_synthesise
from ..services.lines.undo import operation_undo
from ..services.scoring import line_scores
from .common import plan_context, plan_or_404, round_or_404, service_action
from .line import (  # noqa: F401  (views of ``urls``)
    line_decide_view,
    line_decision_clear_view,
    line_detail,
    line_edit_view,
    line_rank_view,
    line_reviewed_view,
    line_split_view,
    villages_of,
)
from .own_lines import (  # noqa: F401  (views of ``urls``)
    own_line_create,
    own_line_edit,
    own_line_remove,
    own_line_restore,
)

OTHER_STATES = (LineState.MERGED, LineState.SPLIT, LineState.WITHDRAWN, LineState.REMOVED)


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
