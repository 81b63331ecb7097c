"""The commune plan's table (F9): the synthesis, merging, undoing and the history. A line's
page is in ``line``, the commune's own lines (R14) in ``own_lines``, scoring (F10) in
``scoring``; their views are named here too, as ``urls`` knows them."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kehoach.approvals.history import plan_history
from kehoach.core.errors import NotFoundError
from kehoach.plans.choices import PlanStatus

from ..choices import CommunePlanStatus, Decision, LineState
from ..forms import MergeForm
from ..models import CommuneLine, LineFunding, LineSource, SynthesisOperation
from ..plan_page import (
    LineFilters,
    line_totals_by_sector,
    lines_to_review,
    open_comments_by_line,
    plan_line_totals,
    plan_lines_filtered,
    plan_lines_page,
    plan_sectors,
    plan_totals_by_village,
    totals_of,
)
from ..plan_page_state import plan_page_state
from ..selectors import commune_line_get
from ..services.common import commune_plan_for
from ..services.lines.operations import lines_merge
from ..services.lines.synthesis import commune_plan_synthesise
from ..services.lines.undo import operation_undo
from ..services.scoring import stored_ranks
from ..services.scoring.stored import ranks_key
from .common import envelope_context, plan_context, plan_or_404, round_or_404, service_action
from .line import (  # noqa: F401  (views of ``urls``)
    line_decide_view,
    line_decision_clear_view,
    line_detail,
    line_edit_view,
    line_rank_view,
    line_reviewed_view,
    line_split_view,
)
from .own_lines import (  # noqa: F401  (views of ``urls``)
    own_line_create,
    own_line_edit,
    own_line_remove,
    own_line_restore,
)
from .plan_rows import ANY_UID, RowWriter, groups_of, with_url

OTHER_STATES = (LineState.MERGED, LineState.SPLIT, LineState.WITHDRAWN, LineState.REMOVED)
PAGE_SIZE = 50
"""Lines on a page of the commune plan: a plan of 450 lines is 9 pages (issue 16)."""
MAX_PAGE = 10_000
"""The highest page number asked that is kept as asked (a plan's last page is at most this)."""
REVIEW_SHOWN = 20
"""Lines to review listed above the table; the filter "only lines to review" shows them all."""


def _filters(request: HttpRequest) -> LineFilters:
    """The filter form's answers (sector, village, decision, to review, search words)."""
    get = request.GET
    decision = get.get("decision", "").strip()
    return LineFilters(
        sector=get.get("sector", "").strip(),
        village=get.get("village", "").strip(),
        decision=decision if decision in Decision.values else "",
        review=get.get("review") == "1",
        search=" ".join(get.get("q", "").split())[:100],
    )


def _page_number(request: HttpRequest, pages: int) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), pages)


ANY = str(ANY_UID)


@login_required
def plan_for_round(request: HttpRequest, uid: Any) -> HttpResponse:
    """The round's commune plan (created, empty, the first time someone opens it)."""
    round_ = round_or_404(request, uid)
    return redirect("synthesis:plan", uid=commune_plan_for(round_).uid)


def _table(plan: Any, filters: LineFilters, asked_page: int, writer: RowWriter) -> dict[str, Any]:
    """What the page's table shows for these filters and this page: the rows and totals, the
    lines to review and the by-village table rendered (they have no form token), the sectors of
    the filter and the lines merged, split or removed — kept in the cache under the plan's
    state (``plan_detail``)."""
    shown = plan_lines_filtered(plan, filters)
    by_sector = line_totals_by_sector(shown)
    plan_totals = plan_line_totals(plan) if filters.any else totals_of(by_sector)
    line_count = sum(row["count"] for row in by_sector.values())
    pages = max(1, -(-line_count // PAGE_SIZE))
    page = min(max(asked_page, 1), pages)
    lines = plan_lines_page(shown, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    scores = stored_ranks(plan)
    comments = open_comments_by_line(plan)
    to_review = [
        with_url(line, writer.url(line)) for line in lines_to_review(plan, limit=REVIEW_SHOWN)
    ]
    parts = {
        "plan": plan,
        "can_edit": writer.can_edit,
        "filters": filters,
        "groups": groups_of(writer, lines, by_sector, scores, comments),
        "grand": totals_of(by_sector) if filters.any else plan_totals,
        "plan_totals": plan_totals,
        "by_village": plan_totals_by_village(plan),
        "line_count": line_count,
        "all_count": plan_totals["count"],
        "pages": pages,
        "to_review": to_review,
        "to_review_count": plan_totals["to_review"],
    }
    return {
        "review_html": render_to_string("synthesis/partials/plan_review.html", parts),
        "rows_html": render_to_string("synthesis/partials/plan_rows.html", parts),
        "by_village_html": render_to_string("synthesis/partials/plan_by_village.html", parts),
        "line_count": line_count,
        "all_count": plan_totals["count"],
        "page": page,
        "pages": pages,
        "sectors": plan_sectors(plan),
        "others": list(
            plan.lines.filter(state__in=OTHER_STATES)
            .select_related("merged_into", "sector")
            .order_by("number")
        ),
    }


@login_required
def plan_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    """The commune plan's table (F9), a page of ``PAGE_SIZE`` lines at a time, with the
    filters; totals, ranks and the by-village table stay plan-wide (aggregate queries), and a
    line's details load on demand (``line_more_view``). A fixed number of queries whatever the
    number of villages and lines.

    What the page shows is kept in the cache under the state of what it reads
    (``plan_page_state``, one query) and what was asked: the table (``_table``), and the whole
    content around it for the visitor whose form token it carries (their CSRF cookie is in its
    key, so a kept page never holds another visitor's token). Asked again before anything
    changed, neither is read nor rendered again."""
    plan = plan_or_404(request, uid)
    context = plan_context(request, plan, "synthesis", envelope=False)
    writer = RowWriter(plan, context["can_edit"])
    filters = _filters(request)
    asked_page = _page_number(request, MAX_PAGE)
    state = [
        str(plan.uid),
        plan_page_state(plan),
        ranks_key(plan),
        get_language(),
        str(writer.can_edit),
        repr(filters),
        str(asked_page),
    ]
    token = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    content_key = _key("cdp-page", *state, str(context["may_edit"]), token)
    content = cache.get(content_key) if token else None
    if content is None:
        content = _content(request, plan, context, filters, asked_page, writer, _key(*state))
        if token:
            cache.set(content_key, content)
    context["content_html"] = content
    return render(request, "synthesis/plan.html", context)


def _key(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _content(
    request: HttpRequest,
    plan: Any,
    context: dict[str, Any],
    filters: LineFilters,
    asked_page: int,
    writer: RowWriter,
    table_key: str,
) -> str:
    """The page's content (``partials/plan_content.html``) rendered for this visitor, with the
    table kept for every visitor who asks the same (``_table``)."""
    key = "cdp-table:" + table_key
    table = cache.get(key)
    if table is None:
        table = _table(plan, filters, asked_page, writer)
        cache.set(key, table)
    village_plans = list(
        plan.round.plans.select_related("village")
        .only("uid", "round", "status", "village__code", "village__name", "village__sort_key")
        .order_by("village__sort_key")
    )
    village_url = reverse("plans:plan", args=[ANY_UID])
    query = {
        name: value
        for name, value in (
            ("q", filters.search),
            ("sector", filters.sector),
            ("village", filters.village),
            ("decision", filters.decision),
            ("review", "1" if filters.review else ""),
        )
        if value
    }
    content = {
        **context,
        **envelope_context(plan.round),
        **table,
        "filters": filters,
        "page_query": urlencode(query),
        "filter_villages": [p.village for p in village_plans],
        "submitted": [p for p in village_plans if p.status == PlanStatus.SUBMITTED],
        "village_plan_count": len(village_plans),
        "not_submitted": [
            with_url(p, village_url.replace(ANY, str(p.uid)))
            for p in village_plans
            if p.status != PlanStatus.SUBMITTED
        ],
        "operations": list(
            SynthesisOperation.objects.filter(plan=plan, undone_at__isnull=True)
            .select_related("line", "actor")
            .order_by("-created_at", "-id")[:10]
        ),
        "merge_form": MergeForm(),
        "decisions": Decision.choices,
    }
    return render_to_string("synthesis/partials/plan_content.html", content, request=request)


@login_required
def line_more_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    """A line's details under its row of the commune plan's table, loaded when the user opens
    them (htmx): the place, the village lines it came from, its funding, the reason of its
    decision and what changed since the last synthesis."""
    plan = plan_or_404(request, uid)
    line = commune_line_get(plan, line_uid)
    sources = list(
        LineSource.objects.filter(line=line)
        .select_related("village_line__plan__village", "village_line__unit")
        .order_by("village_line__plan__village__sort_key", "village_line__number", "id")
    )
    funding = list(
        LineFunding.objects.filter(line=line)
        .select_related("envelope_line__source")
        .order_by("envelope_line__number")
    )
    return render(
        request,
        "synthesis/partials/line_more.html",
        {
            "plan": plan,
            "line": line,
            "sources": sources,
            "funding": funding,
        },
    )


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
