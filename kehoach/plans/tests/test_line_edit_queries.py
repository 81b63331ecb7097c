"""Editing one line of a plan answers with the same number of queries whatever the plan's size
(issue 14): 20 lines or 200, the save and the swap (the row, the totals, the checklist)
read each table once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_plan_page import HX, _edit_form

pytestmark = pytest.mark.django_db

BOUND = 32
"""Queries of one edit saved in place, swap included (sessions, user, roles, plan, guards,
lines, meeting, audit …): a fixed bound, so a query per line cannot creep back."""


def _queries_of_an_edit(client: Client, plan: Any, line: ProposalLine, total: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("plans:line_edit", args=[plan.uid, line.uid]),
            _edit_form(line, total_cost_mvnd=total, external_support_mvnd=str(int(total) - 30)),
            headers=HX,
        )
    assert response.status_code == 200
    assert "Đã lưu dòng 1." in response.content.decode()
    line.refresh_from_db()
    assert line.total_cost_mvnd == Decimal(total)  # saved, not refused
    return len(queries)


def _grow(plan: Any, to: int) -> None:
    have = ProposalLine.objects.filter(plan=plan).count()
    values = f.line_data(priority=None)
    ProposalLine.objects.bulk_create(
        ProposalLine(plan=plan, number=number, **values) for number in range(have + 1, to + 1)
    )


def test_editing_one_line_costs_the_same_queries_on_20_and_200_lines(client: Client) -> None:
    plan = f.village_plan()
    client.force_login(commune_planner(plan.village.parent))
    line = f.line(plan, priority=1)
    # another sector, with a source of its own: what the page loads per line must not grow
    f.line(plan, priority=1, sector=f.sector("GD", "Giáo dục", 60))
    _grow(plan, 20)
    small = _queries_of_an_edit(client, plan, line, "150")
    _grow(plan, 200)
    large = _queries_of_an_edit(client, plan, line, "160")
    assert small == large
    assert large <= BOUND
