from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

FORM = {
    "sector": "",
    "activity": "Bê tông hóa đường thôn",
    "location": "Xóm Trên",
    "unit": "",
    "quantity": "1,2",
    "start_month": "03/2027",
    "end_month": "06/2027",
    "total_cost_mvnd": "1.200",
    "contribution_mvnd": "200",
    "contribution_cash_mvnd": "",
    "contribution_labour_days": "",
    "contribution_labour_mvnd": "",
    "contribution_materials_mvnd": "",
    "contribution_land_m2": "",
    "external_support_mvnd": "1.000",
    "proposed_source": "",
    "beneficiary_households": "80",
    "beneficiary_poor": "12",
    "beneficiary_em": "",
    "implementation_mode": "community",
    "priority": "1",
    "notes": "",
}


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def client_planner(client: Client, plan: Any) -> Client:
    client.force_login(commune_planner(plan.village.parent))
    return client


def _form(**changes: str) -> dict[str, str]:
    return {**FORM, "sector": str(f.sector().pk), "unit": str(f.unit().pk), **changes}


def test_adding_a_line_with_vietnamese_numbers(client_planner: Client, plan: Any) -> None:
    response = client_planner.post(reverse("plans:line_create", args=[plan.uid]), _form())
    assert response.status_code == 302
    line = ProposalLine.objects.get(plan=plan)
    assert (line.total_cost_mvnd, line.quantity) == (Decimal(1200), Decimal("1.2"))


def test_htmx_add_returns_the_table_with_totals_and_the_checklist(
    client_planner: Client, plan: Any
) -> None:
    response = client_planner.post(
        reverse("plans:line_create", args=[plan.uid]), _form(), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="grand-total">1.200,0<' in html
    assert 'id="checklist" aria-labelledby="checklist-title" hx-swap-oob="true"' in html


def test_a_refused_line_shows_the_rule_next_to_the_field(client_planner: Client, plan: Any) -> None:
    response = client_planner.post(
        reverse("plans:line_create", args=[plan.uid]), _form(total_cost_mvnd="999")
    )
    assert response.status_code == 400
    assert "Dòng 1, Tổng kinh phí" in response.content.decode()
    assert not ProposalLine.objects.exists()


def test_stale_form_shows_both_values_and_saves_nothing(client_planner: Client, plan: Any) -> None:
    line = f.line(plan)
    url = reverse("plans:line_edit", args=[plan.uid, line.uid])
    stale = _form(activity="Làm đường đất", version=str(line.version))
    ProposalLine.objects.filter(pk=line.pk).update(activity="Đường liên thôn", version=2)

    response = client_planner.post(url, stale)

    html = response.content.decode()
    assert response.status_code == 409
    assert "Đường liên thôn" in html and "Làm đường đất" in html
    line.refresh_from_db()
    assert line.activity == "Đường liên thôn"


def test_delete_then_undo(client_planner: Client, plan: Any) -> None:
    line = f.line(plan)
    response = client_planner.post(
        reverse("plans:line_delete", args=[plan.uid, line.uid]), HTTP_HX_REQUEST="true"
    )
    assert reverse("plans:line_restore", args=[plan.uid, line.uid]) in response.content.decode()
    assert not ProposalLine.objects.alive().exists()
    client_planner.post(reverse("plans:line_restore", args=[plan.uid, line.uid]))
    assert ProposalLine.objects.alive().count() == 1


def test_plan_page_query_count_does_not_grow_with_lines(
    client_planner: Client, plan: Any, django_assert_max_num_queries: Any
) -> None:
    f.line(plan)
    with django_assert_max_num_queries(40) as few:
        client_planner.get(reverse("plans:plan", args=[plan.uid]))
    for number in range(2, 40):
        f.line(
            plan, number=number, sector=f.sector("GD", "Giáo dục", 90) if number % 2 else f.sector()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client_planner.get(reverse("plans:plan", args=[plan.uid]))
    assert response.status_code == 200


def test_other_communes_and_villages_get_404(client: Client, plan: Any) -> None:
    other_village = VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh")
    editor = user_with_role(Role.VILLAGE_EDITOR, other_village)
    client.force_login(editor)
    for url in [
        reverse("plans:plan", args=[plan.uid]),
        reverse("plans:meeting", args=[plan.uid]),
        reverse("plans:history", args=[plan.uid]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("plans:transition", args=[plan.uid, "submit"])).status_code == 404
    assert client.post(reverse("plans:line_create", args=[plan.uid]), _form()).status_code == 404

    client.force_login(commune_planner(dong_hoi()))
    assert client.get(reverse("plans:plan", args=[plan.uid])).status_code == 404
    assert not ProposalLine.objects.exists()


def test_submitted_plan_is_read_only(client_planner: Client, plan: Any) -> None:
    line = f.line(plan)
    plan.status = PlanStatus.SUBMITTED
    plan.save()
    html = client_planner.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert "Thêm đề xuất" not in html
    response = client_planner.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]), _form(version=str(line.version))
    )
    assert response.status_code == 302


def test_commune_page_lists_rounds_and_planner_opens_one(client: Client) -> None:
    commune = hai_lang()
    VillageFactory.create(parent=commune, name="Thôn Diên Sanh")
    f.profile()
    client.force_login(commune_planner(commune))

    response = client.post(
        reverse("plans:round_create", args=["19702"]),
        {
            "plan_year": "2027",
            "proposals_due": "30/06/2026",
            "synthesis_due": "",
            "approval_due": "",
        },
    )

    round_ = PlanningRound.objects.get()
    assert response.status_code == 302
    assert round_.plans.count() == 1
    page = client.get(reverse("geo:unit", args=["19702"])).content.decode()
    assert reverse("plans:round", args=[round_.uid]) in page
    assert client.get(reverse("plans:round", args=[round_.uid])).status_code == 200
