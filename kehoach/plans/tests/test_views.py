from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import PlanningRound, ProposalLine, VillageMeeting
from kehoach.plans.services.meeting import meeting_save
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_workflow import MEETING, MISSING_MEETING_ACCEPT

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
    assert re.search(r'id="grand-total"[^>]*>1\.200,0<', html)
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
    before = ProposalLine.objects.values().get(pk=line.pk)
    response = client_planner.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]),
        _form(activity="Làm đường đất", total_cost_mvnd="999", version=str(line.version)),
    )
    assert response.status_code == 302
    assert ProposalLine.objects.values().get(pk=line.pk) == before  # nothing changed
    for url in (
        reverse("plans:line_delete", args=[plan.uid, line.uid]),
        reverse("plans:line_create", args=[plan.uid]),
    ):
        client_planner.post(url, _form())
    assert list(ProposalLine.objects.values()) == [before]


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


# --- the checklist and the meeting acceptance on the plan page -------------------------------


def test_the_checklist_names_a_line_that_no_longer_passes_its_rules(
    client_planner: Client, plan: Any
) -> None:
    line = f.line(plan)
    ProposalLine.objects.filter(pk=line.pk).update(total_cost_mvnd=Decimal(150))
    html = client_planner.get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert 'data-code="line:1:total_cost_mvnd"' in html
    assert "Dòng 1, Tổng kinh phí: tổng kinh phí (150)" in html


def test_the_leader_is_offered_the_acceptance_only_for_a_recorded_meeting_that_falls_short(
    client: Client, plan: Any
) -> None:
    leader = user_with_role(Role.COMMUNE_APPROVER, plan.village.parent)
    client.force_login(leader)
    url = reverse("plans:plan", args=[plan.uid])
    accept = reverse("plans:accept_meeting", args=[plan.uid])
    assert accept not in client.get(url).content.decode()  # no meeting: nothing to accept

    planner = commune_planner(plan.village.parent)
    meeting_save(actor=planner, plan=plan, data=MEETING)
    assert accept not in client.get(url).content.decode()  # quorate and approved

    meeting_save(
        actor=planner,
        plan=plan,
        data={**MEETING, "households_represented": 40, "participants_total": 45, "votes_agree": 30},
    )
    assert accept in client.get(url).content.decode()


def test_accepting_a_missing_meeting_is_refused_on_the_page(client: Client, plan: Any) -> None:
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, plan.village.parent))
    response = client.post(
        reverse("plans:accept_meeting", args=[plan.uid]), {"reason": "Đã họp"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("plans:plan", args=[plan.uid])
    assert gettext(MISSING_MEETING_ACCEPT) in response.content.decode()
    plan.refresh_from_db()
    assert plan.quorum_override_reason == ""


# --- the round page ---------------------------------------------------------------------------


def _village_with_meeting(name: str, **meeting: Any) -> Any:
    village = VillageFactory.create(parent=hai_lang(), name=name)
    plan = f.village_plan(village)
    f.line(plan)
    VillageMeeting.objects.create(plan=plan, **{**MEETING, **meeting})
    return plan


def test_round_page_shows_the_four_participation_shares_per_village_and_for_the_commune(
    client: Client,
) -> None:
    first = _village_with_meeting(
        "Thôn Diên Sanh",
        households_total=100,
        households_represented=62,
        participants_total=70,
        participants_women=28,
        participants_poor=7,
        participants_em=14,
    )
    _village_with_meeting(
        "Thôn Mỹ Chánh",
        households_total=200,
        households_represented=90,
        participants_total=130,
        participants_women=32,
        participants_poor=13,
        participants_em=0,
        votes_agree=100,
    )
    f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Hội Kỳ"))
    client.force_login(commune_planner(hai_lang()))

    html = client.get(reverse("plans:round", args=[first.round.uid])).content.decode()

    table = html[html.index('id="participation"') :]
    table = table[: table.index("</table>")]
    # Diên Sanh: 62/100 households, 70 participants: women 40%, poor 10%, EM 20%
    for shown in ("62 / 100", "62,0%", "40,0%", "10,0%", "20,0%"):
        assert shown in table
    # Mỹ Chánh: 90/200 = 45% (no quorum), women 32/130 = 24,6% (below the 30% target)
    for shown in ("90 / 200", "45,0%", "24,6%"):
        assert shown in table
    assert "Thôn Hội Kỳ" in table
    # the commune: 152/300 = 50,7%; women 60/200 = 30%; poor 20/200 = 10%; EM 14/200 = 7%
    assert (
        '<td class="num" id="commune-households">152 / 300</td><td class="num">50,7%</td>' in table
    )
    assert 'id="commune-women-pct">30,0%<' in table
    assert 'id="commune-poor-pct">10,0%<' in table
    assert 'id="commune-em-pct">7,0%<' in table


def test_round_page_queries_do_not_grow_with_the_villages(client: Client) -> None:
    first = _village_with_meeting("Thôn 1")
    client.force_login(commune_planner(hai_lang()))
    url = reverse("plans:round", args=[first.round.uid])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    few = count()
    for n in range(2, 12):
        _village_with_meeting(f"Thôn {n}")
    f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn chưa họp"))
    assert count() == few
