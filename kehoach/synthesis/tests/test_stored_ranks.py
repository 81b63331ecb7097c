"""The plan page's ranks kept per state of the plan (issue 16): ``stored_ranks`` gives exactly
``plan_ranks``'s numbers after every kind of write that scoring reads, reads one query when
nothing changed, and never serves ranks stored under another state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kehoach.geo.tests.factories import hai_lang

from ..choices import LineState
from ..models import CommunePlan, PlanRanks, SynthesisOperation
from ..services.common import bump
from ..services.lines import commune_plan_synthesise, lines_merge, operation_undo
from ..services.scoring import (
    criteria_of,
    line_rank_set,
    line_scores_set,
    plan_ranks,
    stored_ranks,
)
from . import factories as f

pytestmark = pytest.mark.django_db


def _synthesised(villages: int, lines: int, start: int = 0) -> CommunePlan:
    commune = hai_lang()
    names = [f"Thôn Hạng {i}" for i in range(start, start + villages)]
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
    return _fresh(CommunePlan.objects.get(round=round_))


def _fresh(plan: CommunePlan) -> CommunePlan:
    return CommunePlan.objects.select_related("round__profile", "round__commune").get(pk=plan.pk)


def _agree(plan: CommunePlan) -> dict[int, Any]:
    """The stored ranks of the plan as it is now equal a count from scratch; returns them."""
    plan = _fresh(plan)
    stored = stored_ranks(plan)
    counted = plan_ranks(plan)
    assert {pk: (r.score, r.computed_rank, r.rank) for pk, r in stored.items()} == {
        pk: (r.score, r.computed_rank, r.rank) for pk, r in counted.items()
    }
    return stored


def _active(plan: CommunePlan) -> list[Any]:
    return list(plan.lines.filter(state=LineState.ACTIVE).order_by("number"))


def test_stored_ranks_follow_every_writer_of_what_scoring_reads() -> None:
    plan = _synthesised(4, 3)
    planner = f.planner(plan.round.commune)
    first = _agree(plan)
    lines = _active(plan)
    judged = next(c for c in criteria_of(plan) if not c.automatic)
    last = max(lines, key=lambda line: first[line.pk].rank)
    # a judged score moves the line's score
    line_scores_set(actor=planner, line=last, scores={judged.code: 5})
    scored = _agree(plan)
    assert scored[last.pk].score > first[last.pk].score
    # a rank set by hand
    line_rank_set(actor=planner, line=last, rank=1, reason="Cấp bách sau mưa lũ")
    assert _agree(plan)[last.pk].rank == 1
    # a merge, then its undoing
    merged = lines_merge(actor=planner, plan=plan, lines=lines[:2])
    after_merge = _agree(plan)
    assert lines[0].pk not in after_merge or lines[1].pk not in after_merge
    assert merged.pk in after_merge
    operation_undo(
        actor=planner, operation=SynthesisOperation.objects.filter(plan=plan).latest("id")
    )
    assert set(_agree(plan)) == {line.pk for line in _active(plan)}
    # a new village synthesised: more lines, every rank counted again
    _synthesised(1, 2, start=9)
    assert len(_agree(plan)) == len(lines) + 2
    # the profile's criteria weighed differently
    profile = plan.round.profile
    profile.scoring_criteria = [
        {**c, "weight": 10} if c.get("code") == judged.code else c for c in profile.scoring_criteria
    ]
    profile.save()
    reweighed = _agree(plan)
    assert reweighed[last.pk].score != scored[last.pk].score
    assert PlanRanks.objects.filter(plan=plan).count() == 1


def test_a_plan_unchanged_reads_its_ranks_in_one_query(django_assert_num_queries: Any) -> None:
    plan = _synthesised(3, 2)
    stored_ranks(plan)
    with django_assert_num_queries(1):
        assert len(stored_ranks(plan)) == 6
    bump(plan)  # what every writer does: the stored ranks are stale, counted once again
    with django_assert_num_queries(3):  # the stored row, the lines' facts, the row replaced
        stored_ranks(plan)
    with django_assert_num_queries(1):
        stored_ranks(plan)


def test_ranks_under_another_state_are_never_shown(client: Client) -> None:
    plan = _synthesised(3, 2)
    client.force_login(f.planner(plan.round.commune))
    url = reverse("synthesis:plan", args=[plan.uid])
    assert client.get(url).status_code == 200
    row = PlanRanks.objects.get(plan=plan)
    # the row as kept is what the page shows (a stored 9,99 appears) …
    pk = next(iter(row.ranks))
    row.ranks[pk] = ["9.99", 1, 1]
    row.save()
    cache.clear()  # the page's table is kept under the plan's state, which this edit is not
    assert ">9,99<" in client.get(url).content.decode()
    # … until the plan changes: then counted again, never the stale row
    bump(plan)
    page = client.get(url).content.decode()
    assert ">9,99<" not in page
    assert PlanRanks.objects.get(plan=plan).ranks[pk][0] == str(
        plan_ranks(_fresh(plan))[int(pk)].score
    )
    assert Decimal(PlanRanks.objects.get(plan=plan).ranks[pk][0]) < Decimal("9.99")
