"""The pages: the panel on the village plan page (this year's activities to tick, the new
lines), the draw POST, the panel on the round page, and the comparison page per commune and
per village — who may see them, and a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.midterm.choices import YearStatus
from kehoach.midterm.services.drawing import draw_from_medium_term
from kehoach.midterm.views.drawing import plan_drawing_panel, round_drawing_panel
from kehoach.monitoring.choices import ProgressStatus
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests import factories as f
from kehoach.synthesis.choices import Decision

from . import drawing_factories as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Any:
    return VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")


@pytest.fixture
def planner(village: Any) -> Any:
    return commune_planner(village.parent)


@pytest.fixture
def plan(village: Any) -> Any:
    return f.village_plan(village, year=2027)


@pytest.fixture
def road(village: Any) -> Any:
    return m.activity(m.medium_plan(village))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the village plan page's panel and the draw POST ----------------------------------------


def test_the_plan_page_offers_this_years_activities_and_lists_the_new_lines(
    planner: Any, plan: Any, road: Any
) -> None:
    typed = f.line(plan, activity="Mua máy bơm nước")
    year = m.year_of(road, 2027)

    page = _client(planner).get(reverse("plans:plan", args=[plan.uid])).content.decode()

    assert 'id="five-year-drawing"' in page
    assert f'name="years" value="{year.pk}"' in page
    assert f'name="v-{year.pk}" value="{road.version}"' in page
    assert reverse("midterm:draw", args=[plan.uid]) in page
    assert reverse("midterm:progress_village", args=[road.plan.uid]) in page
    new = page.split('id="five-year-new"')[1].split("</ul>")[0]
    assert typed.activity in new and road.activity not in new


def test_no_panel_without_a_five_year_plan(planner: Any, plan: Any) -> None:
    page = _client(planner).get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert 'id="five-year-drawing"' not in page


def test_a_reader_sees_the_activities_without_checkboxes(plan: Any, road: Any) -> None:
    reader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    page = _client(reader).get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert 'id="five-year-offered"' in page
    assert 'name="years"' not in page


def test_drawing_from_the_page(planner: Any, plan: Any, road: Any) -> None:
    year = m.year_of(road, 2027)

    response = _client(planner).post(
        reverse("midterm:draw", args=[plan.uid]),
        {"years": [year.pk], f"v-{year.pk}": road.version},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan", args=[plan.uid])
    year.refresh_from_db()
    assert year.drawn_line is not None and year.drawn_line.plan == plan


def test_a_refused_draw_says_why_and_saves_nothing(planner: Any, plan: Any, road: Any) -> None:
    year = m.year_of(road, 2027)

    response = _client(planner).post(
        reverse("midterm:draw", args=[plan.uid]),
        {"years": [year.pk], f"v-{year.pk}": road.version + 3},
    )

    assert response.status_code == 302
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(road.activity in text for text in texts)
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_drawing_bad_input_never_fails(planner: Any, plan: Any, road: Any) -> None:
    client = _client(planner)
    url = reverse("midterm:draw", args=[plan.uid])
    assert client.post(url, {"years": ["x"]}).status_code == 404
    assert client.post(url, {"years": [m.year_of(road, 2027).pk], "v-1": "z"}).status_code == 302
    assert client.get(url).status_code == 405


def test_another_commune_may_not_draw_nor_see(plan: Any, road: Any) -> None:
    stranger = _client(commune_planner(dong_hoi()))
    url = reverse("midterm:draw", args=[plan.uid])
    assert stranger.post(url, {"years": [m.year_of(road, 2027).pk]}).status_code == 404
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_drawing_needs_a_login(plan: Any, road: Any) -> None:
    response = Client().post(reverse("midterm:draw", args=[plan.uid]), {"years": [1]})
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- the round page's panel -----------------------------------------------------------------


def test_the_round_page_tells_the_commune_which_lines_are_new(
    planner: Any, plan: Any, road: Any
) -> None:
    draw_from_medium_term(planner, plan, [m.year_of(road, 2027).pk])
    f.line(plan, activity="Mua máy bơm nước")

    page = _client(planner).get(reverse("plans:round", args=[plan.round.uid])).content.decode()

    table = page.split('id="five-year-round-table"')[1].split("</table>")[0]
    assert "Mua máy bơm nước" in table
    assert road.activity not in table
    assert reverse("midterm:progress_commune", args=[road.plan.round.uid]) in page


def test_no_round_panel_without_a_five_year_period(planner: Any, plan: Any) -> None:
    page = _client(planner).get(reverse("plans:round", args=[plan.round.uid])).content.decode()
    assert 'id="five-year-round"' not in page


# --- the comparison pages -------------------------------------------------------------------


def _fill(planner: Any, commune: Any, villages: int, activities: int) -> list[Any]:
    """Five-year plans of ``villages`` villages with ``activities`` activities each; the first
    activity of each drawn into the 2027 plan and funded, completed."""
    plans = []
    for i in range(villages):
        village = VillageFactory.create(parent=commune, name=f"Thôn {i:02d}")
        five_year = m.medium_plan(village)
        lines = [m.activity(five_year, activity=f"Hoạt động {j}") for j in range(activities)]
        yearly = f.village_plan(village, year=2027)
        (drawn,) = draw_from_medium_term(planner, yearly, [m.year_of(lines[0], 2027).pk]).lines
        m.report(m.work(drawn, Decision.FUNDED), ProgressStatus.COMPLETED)
        plans.append(five_year)
    return plans


def test_the_commune_page_compares_each_year(planner: Any, village: Any) -> None:
    (five_year,) = _fill(planner, village.parent, 1, 2)
    dropped = m.year_of(five_year.lines.get(activity="Hoạt động 1"), 2028)
    dropped.status, dropped.dropped_reason = YearStatus.DROPPED, "Không còn cần"
    dropped.save()

    response = _client(planner).get(reverse("midterm:progress_commune", args=[five_year.round.uid]))

    assert response.status_code == 200
    data = response.context["data"]
    assert data.years == [2026, 2027, 2028, 2029, 2030]
    totals = {t.year: t for t in data.totals}
    assert totals[2027].planned_cost == 100
    assert totals[2027].drawn_cost == totals[2027].funded_cost == totals[2027].done_cost == 50
    assert totals[2028].planned_cost == 50  # the dropped year is not counted as planned
    assert totals[2027].counts == {YearStatus.DONE: 1, YearStatus.PLANNED: 1}
    page = response.content.decode()
    assert str(YearStatus.DONE.label) in page and "Không còn cần" in page


def test_the_village_page_shows_only_its_plan(planner: Any, village: Any) -> None:
    _first, second = _fill(planner, village.parent, 2, 1)

    response = _client(planner).get(reverse("midterm:progress_village", args=[second.uid]))

    assert response.status_code == 200
    assert [v.plan for v in response.context["data"].villages] == [second]


def test_a_village_editor_sees_the_village_page_not_the_communes(
    planner: Any, village: Any
) -> None:
    five_year = m.medium_plan(village)
    m.activity(five_year)
    editor = _client(user_with_role(Role.VILLAGE_EDITOR, village))
    assert editor.get(reverse("midterm:progress_village", args=[five_year.uid])).status_code == 200
    url = reverse("midterm:progress_commune", args=[five_year.round.uid])
    assert editor.get(url).status_code == 404


def test_another_commune_gets_not_found(village: Any) -> None:
    five_year = m.medium_plan(village)
    stranger = _client(commune_planner(dong_hoi()))
    url = reverse("midterm:progress_commune", args=[five_year.round.uid])
    assert stranger.get(url).status_code == 404
    url = reverse("midterm:progress_village", args=[five_year.uid])
    assert stranger.get(url).status_code == 404


def test_the_pages_need_a_login(village: Any) -> None:
    five_year = m.medium_plan(village)
    for url in (
        reverse("midterm:progress_commune", args=[five_year.round.uid]),
        reverse("midterm:progress_village", args=[five_year.uid]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_commune_page_takes_a_bounded_number_of_queries(
    planner: Any, village: Any, django_assert_max_num_queries: Any
) -> None:
    (five_year, *_rest) = _fill(planner, village.parent, 6, 5)
    client = _client(planner)
    url = reverse("midterm:progress_commune", args=[five_year.round.uid])
    client.get(url)  # warm the session and the caches

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    assert sum(len(v.activities) for v in response.context["data"].villages) == 30


def test_the_plan_page_panel_takes_a_bounded_number_of_queries(
    planner: Any, village: Any, django_assert_max_num_queries: Any
) -> None:
    five_year = m.medium_plan(village)
    for i in range(20):
        m.activity(five_year, activity=f"Hoạt động {i}")
    plan = f.village_plan(village, year=2027)
    for i in range(10):
        f.line(plan, activity=f"Đề xuất {i}")
    rf_request = _request(planner)
    with django_assert_max_num_queries(6):
        panel = plan_drawing_panel(rf_request, plan)
    assert panel is not None and len(panel[1]["offered"]) == 20
    assert len(panel[1]["new_lines"]) == 10
    with django_assert_max_num_queries(4):
        round_panel = round_drawing_panel(rf_request, plan.round)
    assert round_panel is not None and len(round_panel[1]["rows"][0].new) == 10


def _request(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    return request
