"""The communes' five-year plans on the portal (issue 18, item 6): only a published version
shows (a draft or an approved-not-published plan is a 404, and so is its commune page when
nothing else is published), the page shows the published snapshot with its totals and frame,
each year's progress comes from the published yearly plans only, an earlier version stays
readable, the page answers 304 to a client that has it and reads a bounded number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.exchange.tests.test_documents_five_year import (
    EDUCATION,
    RESOLUTION,
    SCHOOL,
    five_year_world,
)
from kehoach.geo.tests.factories import dong_hoi
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.models import MediumTermLineYear
from kehoach.midterm.services.commune import commune_line_decide
from kehoach.midterm.services.commune_synthesis import commune_plan_synthesise
from kehoach.midterm.services.commune_workflow import (
    commune_five_year_approve,
    commune_five_year_transition,
)
from kehoach.midterm.tests.commune_world import activity
from kehoach.monitoring.tests.factories import followed_plan
from kehoach.portal.selectors.five_year import five_year_page, published_five_year
from kehoach.synthesis.choices import Decision, LineState
from kehoach.synthesis.services.workflow import commune_plan_transition

from .factories import report_on

pytestmark = pytest.mark.django_db


def _url(w: dict[str, Any], number: int | None = None) -> str:
    code = w["commune"].code
    if number is None:
        return reverse("portal:five_year", args=[code, 2026])
    return reverse("portal:five_year_version", args=[code, 2026, number])


def _publish(w: dict[str, Any]) -> None:
    w["plan"] = commune_five_year_transition(actor=w["planner"], plan=w["plan"], action="publish")


def _label(status: YearStatus) -> str:
    with translation.override("vi"):
        return str(status.label)


def test_a_draft_or_an_approved_plan_not_published_is_not_found() -> None:
    w = five_year_world(approve=False)
    client = Client()
    commune_page = reverse("portal:commune", args=[w["commune"].code])
    assert client.get(_url(w)).status_code == 404
    assert client.get(commune_page).status_code == 404
    plan = commune_five_year_transition(actor=w["planner"], plan=w["plan"], action="submit")
    plan = commune_five_year_approve(actor=w["approver"], plan=plan, data=RESOLUTION)
    w["plan"] = plan
    assert client.get(_url(w)).status_code == 404  # approved, not published
    assert client.get(_url(w, 1)).status_code == 404
    assert client.get(commune_page).status_code == 404
    _publish(w)
    response = client.get(_url(w))
    assert response.status_code == 200
    html = response.content.decode()
    assert SCHOOL in html and EDUCATION in html and "12/NQ-HĐND" in html
    assert "1.234,5" in html and "2.234,5" in html  # the school in 2027; the plan's total
    assert "Chờ nguồn vốn tỉnh năm 2028" not in html  # the unfunded line is in the plan
    listing = client.get(commune_page)
    assert listing.status_code == 200
    assert _url(w) in listing.content.decode()
    # another commune's code, a period that does not exist, a version never published
    assert client.get(reverse("portal:five_year", args=[dong_hoi().code, 2026])).status_code == 404
    assert (
        client.get(reverse("portal:five_year", args=[w["commune"].code, 2031])).status_code == 404
    )
    assert client.get(_url(w, 2)).status_code == 404


def test_an_amendment_shows_only_once_published_and_the_earlier_version_stays() -> None:
    w = five_year_world()
    _publish(w)
    plan = commune_five_year_transition(
        actor=w["planner"], plan=w["plan"], action="amend", comment="Bổ sung"
    )
    activity(w["plan_b"], 3, {2030: ("1", "77.7")}, activity="Nhà văn hóa thôn An Thơ")
    client = Client()
    assert "Nhà văn hóa thôn An Thơ" not in client.get(_url(w)).content.decode()
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    for line in plan.lines.filter(state=LineState.ACTIVE, decision=Decision.PENDING):
        commune_line_decide(actor=w["planner"], line=line, decision=Decision.DEFERRED, reason="x")
    plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    plan = commune_five_year_approve(actor=w["approver"], plan=plan, data=RESOLUTION)
    assert "Nhà văn hóa thôn An Thơ" not in client.get(_url(w)).content.decode()
    commune_five_year_transition(actor=w["planner"], plan=plan, action="publish")
    latest = client.get(_url(w)).content.decode()
    assert "Nhà văn hóa thôn An Thơ" in latest  # deferred: in "not in the plan"
    earlier = client.get(_url(w, 1))
    assert earlier.status_code == 200
    assert "Nhà văn hóa thôn An Thơ" not in earlier.content.decode()
    assert 'id="version-note"' in earlier.content.decode()


def _linked_world() -> dict[str, Any]:
    """The five-year plan published, and Hải Lăng's yearly plan 2027 approved (not published):
    a1's year 2027 was drawn into the yearly road (funded), the school's into the training
    (not funded)."""
    w = five_year_world()
    _publish(w)
    yearly = followed_plan(w["commune"], publish=False)
    for name, yearly_line in (("a1", yearly["road"]), ("school", yearly["farm"])):
        drawn = yearly_line.sources.get().village_line
        MediumTermLineYear.objects.filter(line=w[name], year=2027).update(drawn_line=drawn)
    w["yearly"] = yearly
    return w


def _statuses(w: dict[str, Any]) -> dict[tuple[str, int], YearStatus | None]:
    page = five_year_page(published_five_year(w["commune"].code, 2026))
    return {
        (item.line["activity"], cell.year): cell.status
        for group in page.sectors
        for item in group.lines
        for cell in item.cells
        if cell.cost is not None
    }


def test_each_years_progress_comes_from_the_published_yearly_plans_only() -> None:
    w = _linked_world()
    a1, school = w["a1"].activity, SCHOOL
    before = _statuses(w)
    # the yearly plan is approved but not published: nothing of it shows
    assert before[(a1, 2027)] == YearStatus.PLANNED
    assert before[(school, 2027)] == YearStatus.PLANNED
    html = Client().get(_url(w)).content.decode()
    assert _label(YearStatus.IN_PLAN) not in html
    commune_plan_transition(
        actor=w["yearly"]["planner"], plan=w["yearly"]["plan"], action="publish"
    )
    after = _statuses(w)
    assert after[(a1, 2027)] == YearStatus.IN_PLAN
    assert after[(school, 2027)] == YearStatus.NOT_FUNDED
    assert after[(a1, 2026)] == YearStatus.PLANNED  # not drawn
    html = Client().get(_url(w)).content.decode()
    assert _label(YearStatus.IN_PLAN) in html and _label(YearStatus.NOT_FUNDED) in html
    report_on(w["yearly"]["road"], status="completed", quantity_done=Decimal("1.5"))
    assert _statuses(w)[(a1, 2027)] == YearStatus.DONE


def test_the_page_answers_304_until_something_it_shows_changes() -> None:
    w = _linked_world()
    client = Client()
    first = client.get(_url(w))
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "private, no-cache"
    assert client.get(_url(w), HTTP_IF_NONE_MATCH=etag).status_code == 304
    commune_plan_transition(
        actor=w["yearly"]["planner"], plan=w["yearly"]["plan"], action="publish"
    )
    again = client.get(_url(w), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    etag = again["ETag"]
    report_on(w["yearly"]["road"], status="completed", quantity_done=Decimal("1.5"))
    assert client.get(_url(w), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_page_reads_a_bounded_number_of_queries(django_assert_max_num_queries: Any) -> None:
    w = _linked_world()
    commune_plan_transition(
        actor=w["yearly"]["planner"], plan=w["yearly"]["plan"], action="publish"
    )
    client = Client()
    client.get(_url(w))  # sessions, translations and the like warmed up
    with django_assert_max_num_queries(16):
        response = client.get(_url(w))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("portal:commune", args=[w["commune"].code])).status_code == 200
