"""The commune five-year plan pages: who may see and do what, forms that come back with what is
wrong, bounded queries, the feedback page and the panel on the commune's page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kehoach.approvals.models import Version
from kehoach.geo.tests.factories import CommuneFactory, VillageFactory, hai_lang
from kehoach.midterm.models import MediumTermCommunePlan, MediumTermFrameLine, MediumTermOperation
from kehoach.midterm.services.commune import commune_line_decide, commune_plan_for
from kehoach.midterm.services.commune_synthesis import commune_plan_synthesise
from kehoach.midterm.services.commune_workflow import commune_five_year_transition
from kehoach.midterm.tests.commune_world import activity, village_plan, world
from kehoach.plans.tests.factories import source
from kehoach.synthesis.choices import CommunePlanStatus, Decision, LineState

pytestmark = pytest.mark.django_db


def _url(name: str, w: dict[str, Any], *args: Any) -> str:
    return reverse(f"midterm:{name}", args=[w["round"].uid, *args])


def _synthesised() -> tuple[dict[str, Any], MediumTermCommunePlan]:
    w = world()
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    return w, commune_plan_for(w["round"])


def _decide_all(w: dict[str, Any], plan: MediumTermCommunePlan) -> None:
    for line in plan.lines.filter(state=LineState.ACTIVE):
        commune_line_decide(
            actor=w["planner"], line=line, decision=Decision.DEFERRED, reason="Để giai đoạn sau"
        )


def test_the_plan_page_shows_lines_years_sources_and_frame_in_bounded_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    w, plan = _synthesised()
    MediumTermFrameLine.objects.create(
        plan=plan, source=source(), year=2026, amount_mvnd=Decimal(100)
    )
    client.force_login(w["planner"])
    client.get(_url("commune_plan", w))  # warm the caches of the session and the profile
    with django_assert_max_num_queries(30) as few:
        response = client.get(_url("commune_plan", w))
    assert response.status_code == 200
    text = response.content.decode()
    assert w["a1"].activity in text and "Thôn An Thơ" in text and 'id="frame-grid"' in text
    # twenty more village activities cost no more queries
    for number in range(3, 23):
        activity(w["plan_b"], number, {2027: ("1", "10")})
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url("commune_plan", w))
    assert response.content.decode().count('name="lines"') == 23


def test_another_commune_gets_404_and_the_public_is_sent_to_log_in(client: Client) -> None:
    w = world()
    other = world(CommuneFactory.create(name="Xã Khác", parent=hai_lang().parent))
    client.force_login(other["planner"])
    assert client.get(_url("commune_plan", w)).status_code == 404
    assert client.post(_url("commune_synthesise", w)).status_code == 404
    assert not MediumTermCommunePlan.objects.filter(round=w["round"]).exists()
    client.logout()
    response = client.get(_url("commune_plan", w))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_village_editor_cannot_see_nor_approve_the_commune_plan(client: Client) -> None:
    w, plan = _synthesised()
    _decide_all(w, plan)
    commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    client.force_login(w["editor"])
    assert client.get(_url("commune_plan", w)).status_code == 404
    response = client.post(
        _url("commune_approve", w),
        {
            "resolution_number": "1/NQ-HĐND",
            "resolution_date": "20/12/2025",
            "signer": "A",
            "confirm": "on",
        },
    )
    assert response.status_code == 404
    assert not Version.objects.exists()


def test_the_planner_cannot_approve_and_the_approver_needs_the_resolution(
    client: Client,
) -> None:
    w, plan = _synthesised()
    _decide_all(w, plan)
    commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
    client.force_login(w["planner"])
    assert client.get(_url("commune_approve", w)).status_code == 404
    client.force_login(w["approver"])
    page = client.get(_url("commune_plan", w)).content.decode()
    assert 'id="action-approve"' in page
    response = client.post(_url("commune_approve", w), {"confirm": "on"})
    assert response.status_code == 400
    assert not Version.objects.exists()
    response = client.post(
        _url("commune_approve", w),
        {
            "resolution_number": "12/NQ-HĐND",
            "resolution_date": "20/12/2025",
            "signer": "Lê Văn Sơn",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CommunePlanStatus.APPROVED
    assert Version.objects.get().resolution_date == datetime.date(2025, 12, 20)


def test_merge_decide_and_undo_through_the_page(client: Client) -> None:
    w, plan = _synthesised()
    client.force_login(w["planner"])
    a1 = plan.lines.get(sources__village_line=w["a1"])
    b1 = plan.lines.get(sources__village_line=w["b1"])
    response = client.post(
        _url("commune_merge", w),
        {
            "lines": [str(a1.uid), str(b1.uid)],
            f"v_{a1.uid}": a1.version,
            f"v_{b1.uid}": b1.version,
            "activity": "Đường liên thôn",
        },
    )
    assert response.status_code == 302
    merged = plan.lines.get(activity="Đường liên thôn")
    response = client.post(
        _url("commune_decide", w, merged.uid),
        {"decision": Decision.REJECTED, "reason": "", "version": merged.version},
    )
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.decision == Decision.PENDING  # refused: no reason
    client.post(
        _url("commune_decide", w, merged.uid),
        {"decision": Decision.REJECTED, "reason": "Không phù hợp", "version": merged.version},
    )
    merged.refresh_from_db()
    assert merged.decision == Decision.REJECTED
    # a stale form: refused, nothing changed
    client.post(
        _url("commune_decide", w, merged.uid),
        {"decision": Decision.FUNDED, "version": merged.version - 1},
    )
    merged.refresh_from_db()
    assert merged.decision == Decision.REJECTED
    operation = MediumTermOperation.objects.get()
    response = client.post(
        _url("commune_undo", w), {"operation": operation.pk, "version": merged.version}
    )
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.state == LineState.REMOVED


def test_the_split_form_comes_back_with_what_is_wrong(client: Client) -> None:
    w, plan = _synthesised()
    line = plan.lines.get(sources__village_line=w["a1"])
    client.force_login(w["planner"])
    assert client.get(_url("commune_split", w, line.uid)).status_code == 200
    response = client.post(
        _url("commune_split", w, line.uid),
        {"activity_1": "A", "share_1": "50", "activity_2": "B", "share_2": "40", "version": 1},
    )
    assert response.status_code == 400
    assert "100%" in response.content.decode()
    response = client.post(
        _url("commune_split", w, line.uid),
        {"activity_1": "A", "share_1": "37,5", "activity_2": "B", "share_2": "62,5"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.state == LineState.SPLIT
    assert sorted(p.share for p in line.parts.all()) == [Decimal("0.375"), Decimal("0.625")]


def test_frame_lines_are_added_changed_and_deleted_through_the_page(client: Client) -> None:
    w, _plan = _synthesised()
    client.force_login(w["planner"])
    ntp = source()
    response = client.post(
        _url("commune_frame_add", w), {"source": ntp.pk, "year": "2031", "amount_mvnd": "10"}
    )
    assert response.status_code == 400  # 2031 is not a year of the period
    response = client.post(
        _url("commune_frame_add", w),
        {"source": ntp.pk, "year": "2027", "amount_mvnd": "1.234,5"},
    )
    assert response.status_code == 302
    line = MediumTermFrameLine.objects.get()
    assert line.amount_mvnd == Decimal("1234.5")
    assert client.get(_url("commune_frame_line", w, line.uid)).status_code == 200
    response = client.post(
        _url("commune_frame_line", w, line.uid),
        {"source": ntp.pk, "year": "2027", "amount_mvnd": "99999999", "version": 1},
    )
    assert response.status_code == 400
    line.refresh_from_db()
    assert line.amount_mvnd == Decimal("1234.5")
    client.post(_url("commune_frame_delete", w, line.uid), {"version": 1})
    assert not MediumTermFrameLine.objects.exists()
    client.force_login(w["approver"])  # the approver does not edit the frame
    response = client.post(
        _url("commune_frame_add", w), {"source": ntp.pk, "year": "2027", "amount_mvnd": "1"}
    )
    assert response.status_code == 404


def test_workflow_buttons_and_history(client: Client) -> None:
    w, plan = _synthesised()
    client.force_login(w["planner"])
    page = client.get(_url("commune_plan", w)).content.decode()
    assert 'id="blocked-submit"' in page
    _decide_all(w, plan)
    page = client.get(_url("commune_plan", w)).content.decode()
    assert 'id="action-submit"' in page
    assert client.post(_url("commune_transition", w, "submit")).status_code == 302
    plan.refresh_from_db()
    assert plan.status == CommunePlanStatus.SUBMITTED
    history = client.get(_url("commune_history", w))
    assert history.status_code == 200 and "Để giai đoạn sau" in history.content.decode()


def test_feedback_page_per_village(client: Client) -> None:
    w, plan = _synthesised()
    line = plan.lines.get(sources__village_line=w["a2"])
    commune_line_decide(actor=w["planner"], line=line, decision=Decision.DEFERRED, reason="2029")
    url = reverse("midterm:commune_feedback", args=[w["plan_a"].uid])
    client.force_login(w["editor"])
    page = client.get(url).content.decode()
    assert 'id="feedback-not-yet"' in page and "2029" not in page  # not published yet
    client.force_login(w["planner"])
    page = client.get(url).content.decode()
    assert "2029" in page and 'id="feedback-draft"' in page
    other_village = VillageFactory.create(parent=hai_lang(), name="Thôn Khác")
    other_plan = village_plan(w["round"], other_village)
    client.force_login(w["editor"])
    assert client.get(reverse("midterm:commune_feedback", args=[other_plan.uid])).status_code == 404


def test_the_commune_page_leads_to_the_commune_five_year_plan_of_each_period(
    client: Client,
) -> None:
    w = world()
    client.force_login(w["planner"])
    page = client.get(reverse("geo:unit", args=[w["commune"].code])).content.decode()
    listing = reverse("midterm:commune_plans", args=[w["commune"].code])
    assert listing in page
    assert _url("commune_plan", w) in client.get(listing).content.decode()
    other = CommuneFactory.create(name="Xã Khác", parent=hai_lang().parent)
    assert client.get(reverse("midterm:commune_plans", args=[other.code])).status_code == 404
    village = reverse("midterm:commune_plans", args=[w["dien_sanh"].code])
    assert client.get(village).status_code == 404
