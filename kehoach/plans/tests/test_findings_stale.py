"""A findings form opened before someone else saved (F3 SWOT, F4 problems, F5 ranking): the
page refuses it (D85) with the conflict message in Vietnamese, keeps what was typed, shows the
other person's values, writes nothing; the form showing the current version saves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from kehoach.accounts.tests.factories import commune_planner
from kehoach.plans.models import Problem, RankingItem, SwotEntry, VillagePlan
from kehoach.plans.services.findings import (
    problem_create,
    problem_update,
    ranking_item_create,
    ranking_item_update,
    swot_save,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

STALE = "Người khác đã lưu"  # the start of the Vietnamese conflict message (check_version)


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def client_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def _texts(**texts: str) -> dict[str, Any]:
    empty = dict.fromkeys(
        ("strengths", "weaknesses", "opportunities", "threats", "implication"), ""
    )
    return {**empty, **texts}


def _page(response: Any) -> str:
    return response.content.decode()


def test_a_new_swot_form_carries_version_0_and_a_saved_one_its_version(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    sector = f.sector()
    findings = reverse("plans:findings", args=[plan.uid])
    page = _page(client_planner.get(findings))
    assert f'name="swot-{sector.code}-version" value="0"' in page
    swot_save(actor=planner, plan=plan, sector=sector, **_texts(strengths="Có đất"))
    swot_save(actor=planner, plan=plan, sector=sector, **_texts(strengths="Có đất tốt"))
    version = SwotEntry.objects.get().version
    page = _page(client_planner.get(findings))
    assert f'name="swot-{sector.code}-version" value="{version}"' in page
    assert f'name="version" value="{version}"' in page  # the delete button's


def test_swot_save_over_another_save_is_refused_and_keeps_both_values(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    sector = f.sector()
    url = reverse("plans:findings_swot_save", args=[plan.uid, sector.code])
    p = f"swot-{sector.code}"
    # Opened with no entry yet (version 0); meanwhile another officer saves the sector.
    swot_save(actor=planner, plan=plan, sector=sector, **_texts(strengths="Của người khác"))
    response = client_planner.post(url, {f"{p}-strengths": "Của tôi", f"{p}-version": "0"})
    assert response.status_code == 409
    page = _page(response)
    assert STALE in page
    assert "Của tôi" in page and "Của người khác" in page  # typed kept, saved shown
    entry = SwotEntry.objects.get()
    assert entry.strengths == "Của người khác"
    assert f'name="{p}-version" value="{entry.version}"' in page  # saving again is deliberate

    response = client_planner.post(
        url, {f"{p}-strengths": "Của tôi", f"{p}-version": str(entry.version)}
    )
    assert response.status_code == 302
    assert SwotEntry.objects.get().strengths == "Của tôi"


def test_swot_delete_of_a_stale_version_is_refused(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    sector = f.sector()
    entry = swot_save(actor=planner, plan=plan, sector=sector, **_texts(strengths="Cũ"))
    shown = entry.version
    swot_save(actor=planner, plan=plan, sector=sector, **_texts(strengths="Mới"))
    url = reverse("plans:findings_swot_delete", args=[plan.uid, sector.code])
    back = reverse("plans:findings", args=[plan.uid])
    response = client_planner.post(url, {"version": str(shown)}, follow=True, HTTP_REFERER=back)
    assert STALE in _page(response)
    assert "Mới" in _page(response)
    assert SwotEntry.objects.get().strengths == "Mới"

    current = SwotEntry.objects.get().version
    assert client_planner.post(url, {"version": str(current)}).status_code == 302
    assert not SwotEntry.objects.exists()


def _problem(planner: Any, plan: VillagePlan) -> Problem:
    data = {
        "sector": f.sector(),
        "problem": "Đường lầy lội",
        "affected_households": 80,
        "affected_poor": 12,
        "affected_women": 0,
        "affected_em": 0,
        "causes": "Đường đất",
        "solutions": [{"text": "Bê tông hóa", "lines": []}],
        "priority": None,
    }
    return problem_create(actor=planner, plan=plan, data=data)


def _problem_form(saved: Problem, **overrides: str) -> dict[str, str]:
    form = {
        "sector": str(saved.sector_id),
        "problem": saved.problem,
        "affected_households": "80",
        "affected_poor": "12",
        "affected_women": "",
        "affected_em": "",
        "causes": "Đường đất",
        "priority": "",
        "version": str(saved.version),
        "solutions-TOTAL_FORMS": "1",
        "solutions-INITIAL_FORMS": "0",
        "solutions-0-text": "Bê tông hóa",
    }
    form.update(overrides)
    return form


def test_problem_edit_over_another_save_is_refused_and_keeps_both_values(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem = _problem(planner, plan)
    edit = reverse("plans:findings_problem_edit", args=[plan.uid, problem.pk])
    assert f'name="version" value="{problem.version}"' in _page(client_planner.get(edit))
    form = _problem_form(problem, problem="Đường hỏng nặng")
    problem_update(actor=planner, problem=problem, data={"problem": "Đường của người khác"})

    response = client_planner.post(edit, form)
    assert response.status_code == 409
    page = _page(response)
    assert STALE in page
    assert "Đường hỏng nặng" in page and escape("Đường của người khác") in page
    problem.refresh_from_db()
    assert problem.problem == "Đường của người khác"
    assert f'name="version" value="{problem.version}"' in page

    response = client_planner.post(edit, {**form, "version": str(problem.version)})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.problem == "Đường hỏng nặng"


def test_problem_delete_of_a_stale_version_is_refused(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem = _problem(planner, plan)
    shown = problem.version
    problem_update(actor=planner, problem=problem, data={"problem": "Đường của người khác"})
    delete = reverse("plans:findings_problem_delete", args=[plan.uid, problem.pk])
    back = reverse("plans:findings", args=[plan.uid])
    response = client_planner.post(delete, {"version": str(shown)}, follow=True, HTTP_REFERER=back)
    assert STALE in _page(response)
    assert escape("Đường của người khác") in _page(response)
    assert Problem.objects.get().problem == "Đường của người khác"

    current = Problem.objects.get().version
    assert client_planner.post(delete, {"version": str(current)}).status_code == 302
    assert not Problem.objects.exists()


def _item(planner: Any, plan: VillagePlan) -> RankingItem:
    return ranking_item_create(actor=planner, plan=plan, label="Đường thôn")


def test_ranking_edit_over_another_save_is_refused_and_keeps_both_values(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    item = _item(planner, plan)
    edit = reverse("plans:ranking_edit", args=[plan.uid, item.pk])
    assert f'name="version" value="{item.version}"' in _page(client_planner.get(edit))
    form = {"label": "Đường liên thôn", "line": "", "version": str(item.version)}
    ranking_item_update(actor=planner, item=item, label="Kênh mương", line=None, scores=None)

    response = client_planner.post(edit, form)
    assert response.status_code == 409
    page = _page(response)
    assert STALE in page
    assert "Đường liên thôn" in page and "Kênh mương" in page
    item.refresh_from_db()
    assert item.label == "Kênh mương"
    assert f'name="version" value="{item.version}"' in page

    response = client_planner.post(edit, {**form, "version": str(item.version)})
    assert response.status_code == 302
    assert RankingItem.objects.get().label == "Đường liên thôn"


def test_ranking_delete_of_a_stale_version_is_refused(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    item = _item(planner, plan)
    shown = item.version
    ranking_item_update(actor=planner, item=item, label="Kênh mương", line=None, scores=None)
    delete = reverse("plans:ranking_delete", args=[plan.uid, item.pk])
    back = reverse("plans:ranking", args=[plan.uid])
    response = client_planner.post(delete, {"version": str(shown)}, follow=True, HTTP_REFERER=back)
    assert STALE in _page(response)
    assert "Kênh mương" in _page(response)
    assert RankingItem.objects.get().label == "Kênh mương"

    current = RankingItem.objects.get().version
    assert client_planner.post(delete, {"version": str(current)}).status_code == 302
    assert not RankingItem.objects.exists()
