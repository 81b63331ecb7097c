"""Scores and ranks without the breakdown (issue 16, p16a): ``plan_ranks`` reads the plan's
active lines as plain values in one query and gives exactly the scores and ranks of
``line_scores`` — on generated communes, with the planner's scores, ranks set by hand,
withdrawn sources and lines of organisations — and the commune plan page shows them."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.catalog.services import catalog_load_defaults
from kehoach.geo.tests.factories import hai_lang
from kehoach.monitoring.scale import ScaleOptions, generate

from ..choices import LineState
from ..models import CommuneLine, CommunePlan, LineSource
from ..services.lines import commune_plan_synthesise
from ..services.scoring import line_scores, lines_for_scoring, plan_ranks
from ..views.plan import PAGE_SIZE
from . import factories as f

pytestmark = pytest.mark.django_db


def _generated(villages: int, lines: int) -> list[CommunePlan]:
    """The synthesised commune plans of a small generated Quảng Trị, read as pages read them."""
    catalog_load_defaults()
    hai_lang()
    generate(
        ScaleOptions(
            provinces=("44",),
            villages_per_commune=villages,
            lines_per_plan=lines,
            years=(2027,),
            synthesised=1,
            approved=0,
            published=0,
            progress=0,
        ),
        today=datetime.date(2026, 12, 6),
    )
    plans = list(
        CommunePlan.objects.filter(lines__isnull=False)
        .distinct()
        .select_related("round__profile", "round__commune")
    )
    assert plans
    return plans


def _same(plan: CommunePlan) -> dict[int, Any]:
    """``plan_ranks`` and ``line_scores`` agree on every line; the ranks, by line id."""
    full = line_scores(plan, lines_for_scoring(plan))
    fast = plan_ranks(plan)
    assert set(fast) == set(full)
    for pk, item in full.items():
        assert (fast[pk].score, fast[pk].computed_rank, fast[pk].rank) == (
            item.score,
            item.computed_rank,
            item.rank,
        ), pk
    return fast


def test_plan_ranks_equal_line_scores_on_generated_communes() -> None:
    for plan in _generated(villages=4, lines=6):
        ranks = _same(plan)
        assert sorted(r.rank for r in ranks.values()) == list(range(1, len(ranks) + 1))


def test_they_stay_equal_with_scores_ranks_withdrawn_sources_and_organisations() -> None:
    plan = _generated(villages=4, lines=6)[0]
    lines = list(plan.lines.filter(state=LineState.ACTIVE).order_by("number"))
    assert len(lines) >= 8
    # the planner's scores (whole, half, zero, out of range kept as typed), ranks by hand
    for line, scores in zip(
        lines,
        [{"urgency_safety": 5}, {"readiness": 4.5, "urgency_safety": 0}, {"readiness": 9}],
        strict=False,
    ):
        CommuneLine.objects.filter(pk=line.pk).update(manual_scores=scores)
    CommuneLine.objects.filter(pk=lines[3].pk).update(rank_override=1)
    CommuneLine.objects.filter(pk=lines[4].pk).update(rank_override=len(lines) + 5)
    # a line of an organisation, a line whose only source is withdrawn, no beneficiaries
    CommuneLine.objects.filter(pk=lines[5].pk).update(organisation="Hội Nông dân xã")
    LineSource.objects.filter(line=lines[6]).update(withdrawn=True)
    CommuneLine.objects.filter(pk=lines[7].pk).update(beneficiary_households=0)
    ranks = _same(plan)
    assert ranks[lines[3].pk].rank == 1
    assert ranks[lines[4].pk].rank == len(lines)
    assert ranks[lines[6].pk].line.villages == 0


def test_a_judged_score_and_a_withdrawn_village_change_the_fast_score() -> None:
    """Not only equal to the slow count: each input moves it (a test that can fail)."""
    plan = _generated(villages=4, lines=6)[0]
    line = plan.lines.filter(state=LineState.ACTIVE, sources__isnull=False).first()
    assert line is not None
    before = plan_ranks(plan)[line.pk].score
    CommuneLine.objects.filter(pk=line.pk).update(manual_scores={"urgency_safety": 5})
    scored = plan_ranks(plan)[line.pk].score
    assert scored > before
    LineSource.objects.filter(line=line).update(withdrawn=True)
    assert plan_ranks(plan)[line.pk].score < scored
    _same(plan)


def _synthesised(villages: int, lines: int, start: int = 0) -> CommunePlan:
    """Hải Lăng with ``villages`` more villages of ``lines`` proposals each, synthesised."""
    commune = hai_lang()
    names = [f"Thôn Số {i}" for i in range(start, start + villages)]
    for i, village in enumerate(f.villages(commune, names), start=start):
        f.submitted_plan(
            village,
            [
                f.money_line(str(100 + 10 * k + i), str(k + i % 3), activity=f"Việc {i}.{k}")
                for k in range(lines)
            ],
        )
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=f.planner(commune), round_=round_)
    return CommunePlan.objects.select_related("round__profile").get(round=round_)


def test_plan_ranks_read_one_query_whatever_the_size(django_assert_num_queries: Any) -> None:
    small = _synthesised(3, 2)
    with django_assert_num_queries(1):
        assert len(plan_ranks(small)) == 6
    large = _synthesised(12, 4, start=3)
    with django_assert_num_queries(1):
        assert len(plan_ranks(large)) == 6 + 48
    _same(large)


def _shown(page: str) -> dict[int, tuple[str, str]]:
    """line number → (score, rank) as the table shows them."""
    rows = re.findall(
        r'<tr id="line-[^"]+"[^>]*>.*?<td class="num">(\d+)</td>.*?'
        r'<td class="num">([\d,]+)</td><td class="num">(\d+)\*?</td>',
        page,
        re.S,
    )
    return {int(n): (score, rank) for n, score, rank in rows}


def test_the_page_shows_the_plan_wide_score_and_rank_of_each_row(client: Client) -> None:
    plan = _synthesised(20, 3)
    full = line_scores(plan, lines_for_scoring(plan))
    expected = {
        s.line.number: (f"{s.score:.2f}".replace(".", ","), str(s.rank)) for s in full.values()
    }
    client.force_login(f.planner(plan.round.commune))
    url = reverse("synthesis:plan", args=[plan.uid])
    seen: dict[int, tuple[str, str]] = {}
    for page in (1, 2):
        shown = _shown(client.get(f"{url}?page={page}").content.decode())
        assert len(shown) == (PAGE_SIZE if page == 1 else 60 - PAGE_SIZE)
        seen.update(shown)
    # ranks are the plan's, not the page's: 60 different ranks over the two pages
    assert seen == expected
    assert sorted(int(rank) for _score, rank in seen.values()) == list(range(1, 61))
