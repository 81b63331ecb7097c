"""The five-year pages: scoped by the user, the F7 form, stale edits, the workflow buttons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import VillageFactory, dong_hoi
from kehoach.midterm.models import (
    MediumTermLine,
    MediumTermLineYear,
    MediumTermPlan,
    MediumTermRound,
)
from kehoach.midterm.services.lines import YearValues, save_medium_term_line
from kehoach.midterm.services.workflow import link_meeting, medium_term_plan_transition
from kehoach.plans.choices import PlanStatus
from kehoach.plans.tests import factories as f

from .test_lines import five_year_plan, values, years
from .test_workflow import yearly_meeting

pytestmark = pytest.mark.django_db

FORM = {
    "activity": "Kiên cố hóa kênh mương",
    "location": "Đồng Trên",
    "contribution_mvnd": "100",
    "external_support_mvnd": "1.000,5",
    "proposed_source": "",
    "beneficiary_households": "80",
    "beneficiary_poor": "12",
    "beneficiary_em": "",
    "implementation_mode": "community",
    "notes": "",
    "q_2026": "1,5",
    "c_2026": "600,5",
    "q_2028": "2",
    "c_2028": "500",
}


def _form(**changes: str) -> dict[str, str]:
    return {**FORM, "sector": str(f.sector().pk), "unit": str(f.unit().pk), **changes}


@pytest.fixture
def plan() -> MediumTermPlan:
    return five_year_plan()


@pytest.fixture
def planner(plan: MediumTermPlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def as_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def test_the_plan_page_shows_the_years_and_totals(
    as_planner: Client, plan: Any, planner: Any
) -> None:
    save_medium_term_line(planner, plan, values(), years())
    response = as_planner.get(reverse("midterm:plan", args=[plan.uid]))
    html = response.content.decode()
    assert response.status_code == 200
    for year in range(2026, 2031):
        assert f'<th scope="colgroup" colspan="3">{year}</th>' in html
    assert "Bê tông hóa đường thôn" in html
    assert 'id="plan-total">500' in html
    assert reverse("exchange:f7_download", args=[plan.uid]) in html
    assert reverse("exchange:f7_upload", args=[plan.uid]) in html


def test_a_submitted_plan_offers_the_workbook_but_no_upload_and_a_review_of_its_years(
    as_planner: Client, plan: Any, planner: Any
) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    MediumTermPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    html = as_planner.get(reverse("midterm:plan", args=[plan.uid])).content.decode()
    assert reverse("exchange:f7_download", args=[plan.uid]) in html
    assert reverse("exchange:f7_upload", args=[plan.uid]) not in html
    assert reverse("midterm:line_edit", args=[plan.uid, line.uid]) not in html
    assert reverse("midterm:year_status", args=[plan.uid, line.uid, 2027]) in html


def test_adding_a_line_with_vietnamese_numbers(as_planner: Client, plan: Any) -> None:
    response = as_planner.post(reverse("midterm:line_create", args=[plan.uid]), _form())
    assert response.status_code == 302
    line = MediumTermLine.objects.get(plan=plan)
    assert line.external_support_mvnd == Decimal("1000.5")
    assert list(line.years.values_list("year", "quantity", "cost_mvnd")) == [
        (2026, Decimal("1.500"), Decimal("600.500")),
        (2028, Decimal("2.000"), Decimal("500.000")),
    ]


def test_a_refused_line_comes_back_with_the_message_beside_the_year(
    as_planner: Client, plan: Any
) -> None:
    response = as_planner.post(reverse("midterm:line_create", args=[plan.uid]), _form(q_2028="0"))
    assert response.status_code == 400
    assert "q_2028" in response.content.decode()
    assert "khối lượng phải lớn hơn 0" in response.content.decode()
    assert not MediumTermLine.objects.exists()


def test_a_stale_edit_is_refused_with_409(as_planner: Client, plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    url = reverse("midterm:line_edit", args=[plan.uid, line.uid])
    assert as_planner.get(url).status_code == 200
    save_medium_term_line(
        planner, plan, values(activity="Người khác sửa"), years(), line=line, expected_version=1
    )
    response = as_planner.post(
        url, _form(version="1", contribution_mvnd="100", external_support_mvnd="1.001")
    )
    assert response.status_code == 409
    assert 'id="conflict"' in response.content.decode()
    line.refresh_from_db()
    assert line.activity == "Người khác sửa"
    # the form now carries the current version: saving again is a deliberate choice
    again = as_planner.post(url, _form(version="2"))
    assert again.status_code == 302
    line.refresh_from_db()
    assert line.activity == FORM["activity"]


def test_delete_undo_and_drop_a_year(as_planner: Client, plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    response = as_planner.post(reverse("midterm:line_delete", args=[plan.uid, line.uid]))
    assert response.status_code == 302 and f"deleted={line.uid}" in response["Location"]
    page = as_planner.get(response["Location"]).content.decode()
    assert reverse("midterm:line_restore", args=[plan.uid, line.uid]) in page
    as_planner.post(reverse("midterm:line_restore", args=[plan.uid, line.uid]))
    assert MediumTermLine.objects.alive().count() == 1
    url = reverse("midterm:year_status", args=[plan.uid, line.uid, 2027])
    refused = as_planner.post(url, {"status": "dropped", "reason": ""}, HTTP_REFERER=url)
    assert refused.status_code == 302  # the message where the user is (core.refusals)
    assert MediumTermLineYear.objects.get(year=2027).status == "planned"
    as_planner.post(url, {"status": "dropped", "reason": "Làm bằng vốn khác"})
    assert MediumTermLineYear.objects.get(year=2027).dropped_reason == "Làm bằng vốn khác"


def test_choose_the_meeting_and_submit_with_confirmation(
    as_planner: Client, plan: Any, planner: Any
) -> None:
    save_medium_term_line(planner, plan, values(), years())
    meeting = yearly_meeting(plan)
    as_planner.post(reverse("midterm:meeting", args=[plan.uid]), {"meeting": str(meeting.pk)})
    assert MediumTermPlan.objects.get(pk=plan.pk).meeting == meeting
    url = reverse("midterm:transition", args=[plan.uid, "submit"])
    confirm = as_planner.get(url)
    assert confirm.status_code == 200 and 'id="confirm-form"' in confirm.content.decode()
    as_planner.post(url, {"confirm": "1"})
    assert MediumTermPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_an_approver_can_return_the_plan(client: Client, plan: Any, planner: Any) -> None:
    save_medium_term_line(planner, plan, values(), years())
    link_meeting(planner, plan, yearly_meeting(plan))
    medium_term_plan_transition(planner, plan, "submit")
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, plan.village.parent))
    page = client.get(reverse("midterm:plan", args=[plan.uid])).content.decode()
    assert reverse("midterm:transition", args=[plan.uid, "return"]) in page
    url = reverse("midterm:transition", args=[plan.uid, "return"])
    client.post(url, {"comment": ""})
    assert MediumTermPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    client.post(url, {"comment": "Thêm năm 2029"})
    assert MediumTermPlan.objects.get(pk=plan.pk).status == PlanStatus.RETURNED
    returned = client.get(reverse("midterm:plan", args=[plan.uid])).content.decode()
    assert 'id="plan-returns"' in returned and "Thêm năm 2029" in returned
    history = client.get(reverse("midterm:history", args=[plan.uid]))
    assert history.status_code == 200 and "Thêm năm 2029" in history.content.decode()


def _urls(plan: Any, line: Any) -> list[str]:
    return [
        reverse("midterm:plan", args=[plan.uid]),
        reverse("midterm:period", args=[plan.round.uid]),
        reverse("midterm:line_edit", args=[plan.uid, line.uid]),
        reverse("midterm:history", args=[plan.uid]),
        reverse("midterm:transition", args=[plan.uid, "submit"]),
    ]


def test_other_villages_and_communes_get_404(client: Client, plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    neighbour = VillageFactory.create(parent=plan.village.parent, name="Thôn Bên")
    editor = user_with_role(Role.VILLAGE_EDITOR, neighbour)
    client.force_login(editor)
    for url in _urls(plan, line)[:1] + _urls(plan, line)[2:]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("midterm:line_delete", args=[plan.uid, line.uid])).status_code == 404
    client.force_login(commune_planner(dong_hoi()))
    for url in _urls(plan, line):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("midterm:line_create", args=[plan.uid]), _form()).status_code == 404
    assert MediumTermLine.objects.alive().count() == 1


def test_the_public_is_sent_to_log_in(client: Client, plan: Any, planner: Any) -> None:
    line = save_medium_term_line(planner, plan, values(), years())
    for url in _urls(plan, line):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_plan_page_queries_are_bounded(
    as_planner: Client, plan: Any, planner: Any, django_assert_max_num_queries: Any
) -> None:
    all_years = {y: YearValues(Decimal(1), Decimal(100)) for y in range(2026, 2031)}
    for _ in range(30):
        save_medium_term_line(planner, plan, values(), all_years)
    with django_assert_max_num_queries(40):
        response = as_planner.get(reverse("midterm:plan", args=[plan.uid]))
    assert response.content.decode().count('<tr id="line-') == 30


def test_commune_panel_and_opening_a_period(client: Client) -> None:
    f.profile()
    commune = dong_hoi()
    VillageFactory.create(parent=commune, name="Khu phố 1")
    client.force_login(commune_planner(commune))
    page = client.get(reverse("geo:unit", args=[commune.code])).content.decode()
    assert 'id="five-year-periods"' in page
    create = reverse("midterm:period_create", args=[commune.code])
    assert create in page
    form = client.get(create)
    assert form.status_code == 200 and 'value="2026"' in form.content.decode()
    bad = client.post(create, {"first_year": "2026", "last_year": "2040"})
    assert bad.status_code == 400 and not MediumTermRound.objects.exists()
    done = client.post(create, {"first_year": "2026", "last_year": "2030"})
    round_ = MediumTermRound.objects.get()
    assert done["Location"] == reverse("midterm:period", args=[round_.uid])
    period = client.get(done["Location"]).content.decode()
    assert "Khu phố 1" in period
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, commune))
    assert client.get(create).status_code == 404
