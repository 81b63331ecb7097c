"""The village plan page answers each htmx interaction with exactly its own target (issue 13):
an add refused gives back the add form alone, an add saved an empty form with the table,
totals, checklist and message out of band, an edit saved its row with the totals out of band
(or the whole table when the line moves), an edit refused that row's form, a delete or an undo
the table. Each answer says where the keyboard focus goes. Also: the commune's return comment
on the plan, the meeting's quorum said as the rule says it, one way of showing a share, and the
round's totals without meetings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.plans.models import ProposalLine, VillageMeeting
from kehoach.plans.selectors import plan_open_returns
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.services.meeting import meeting_result, meeting_save
from kehoach.plans.services.workflow import plan_return, plan_revise, plan_submit
from kehoach.plans.tests import factories as f
from kehoach.plans.tests.test_views import FORM
from kehoach.plans.tests.test_workflow import MEETING

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def plan() -> Any:
    return f.village_plan()


@pytest.fixture
def planner(plan: Any) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def client_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def _form(**changes: str) -> dict[str, str]:
    return {**FORM, "sector": str(f.sector().pk), "unit": str(f.unit().pk), **changes}


def _edit_form(line: ProposalLine, **changes: str) -> dict[str, str]:
    """The line's form as the page shows it (100 = 30 + 70), with ``changes``."""
    values = {
        "activity": line.activity,
        "total_cost_mvnd": "100",
        "contribution_mvnd": "30",
        "external_support_mvnd": "70",
        "priority": str(line.priority or ""),
        "version": str(line.version),
    }
    return _form(**{**values, **changes})


def _count(html: str, fragment: str) -> int:
    return html.count(fragment)


def _autofocused(html: str) -> list[str]:
    """The tags marked to take the focus."""
    return re.findall(r"<[^>]*\bautofocus\b[^>]*>", html)


# --- add ----------------------------------------------------------------------------------------


def test_an_add_refused_gives_back_the_add_form_alone_with_errors_and_typed_values(
    client_planner: Client, plan: Any
) -> None:
    response = client_planner.post(
        reverse("plans:line_create", args=[plan.uid]),
        _form(total_cost_mvnd="999", activity="Đường ra đồng Bàu Sen"),
        headers=HX,
    )
    html = response.content.decode()

    assert response.status_code == 200  # htmx swaps only a successful answer
    assert html.startswith("<form") and 'hx-target="#line-create"' in html
    assert _count(html, "<form") == 1
    assert 'id="proposals"' not in html and "<table" not in html and "hx-swap-oob" not in html
    assert "Dòng 1, Tổng kinh phí" in html  # beside the field
    assert 'value="Đường ra đồng Bàu Sen"' in html and 'value="999"' in html  # as typed
    (focused,) = _autofocused(html)
    assert 'name="total_cost_mvnd"' in focused
    assert not ProposalLine.objects.exists()


def test_an_add_refused_without_htmx_shows_the_page_with_one_table_and_one_form(
    client_planner: Client, plan: Any
) -> None:
    f.line(plan)
    response = client_planner.post(
        reverse("plans:line_create", args=[plan.uid]), _form(total_cost_mvnd="999")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert _count(html, 'id="proposals"') == 1 and _count(html, 'id="line-create"') == 1
    assert _count(html, 'action="' + reverse("plans:line_create", args=[plan.uid])) == 1
    assert "Dòng 2, Tổng kinh phí" in html
    (focused,) = _autofocused(html)
    assert 'name="total_cost_mvnd"' in focused


def test_an_add_saved_gives_back_an_empty_form_and_refreshes_the_rest_out_of_band(
    client_planner: Client, plan: Any
) -> None:
    f.line(plan)
    response = client_planner.post(
        reverse("plans:line_create", args=[plan.uid]), _form(activity="Đường ra đồng"), headers=HX
    )
    html = response.content.decode()
    form, rest = html.split("</form>", 1)

    assert response.status_code == 200
    assert form.startswith("<form") and "Đường ra đồng" not in form  # empty again
    assert _count(rest, '<div id="proposals" hx-swap-oob="true">') == 1
    assert _count(html, "<table") == 1
    assert re.search(r'id="grand-total"[^>]*>1\.300,0<', rest)
    assert '<section id="checklist" aria-labelledby="checklist-title" hx-swap-oob="true">' in rest
    assert re.search(r'<div id="proposals-flash"[^>]*hx-swap-oob="innerHTML"', rest)
    assert "Đã thêm dòng 2." in rest
    new = ProposalLine.objects.get(number=2)
    (focused,) = _autofocused(html)
    assert reverse("plans:line_edit", args=[plan.uid, new.uid]) in focused  # the new row


def test_the_answer_to_an_add_does_not_grow_in_queries_with_the_lines(
    client_planner: Client, plan: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("plans:line_create", args=[plan.uid])
    with django_assert_max_num_queries(60) as few:
        client_planner.post(url, _form(), headers=HX)
    for number in range(2, 30):
        f.line(plan, number=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client_planner.post(url, _form(), headers=HX).status_code == 200


# --- edit in place ------------------------------------------------------------------------------


def test_an_edit_saved_in_place_gives_back_its_row_and_the_totals_out_of_band(
    client_planner: Client, plan: Any
) -> None:
    line = f.line(plan, priority=1)
    f.line(plan, priority=2, activity="Đường ra đồng")
    response = client_planner.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]),
        _edit_form(line, total_cost_mvnd="150", external_support_mvnd="120"),
        headers=HX,
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "HX-Retarget" not in response.headers
    assert html.startswith(f'<tr id="line-{line.uid}">')
    assert _count(html, f'id="line-{line.uid}"') == 1
    assert 'id="proposals"' not in html and "<table" not in html and "<form" in html
    assert _count(html, '<tr class="subtotal" id="sector-HT-GT" hx-swap-oob="true">') == 1
    assert re.search(r'data-total="HT-GT"[^>]*>250,0<', html)  # the sector: 150 + 100
    assert '<tfoot id="plan-total" hx-swap-oob="true">' in html
    assert re.search(r'id="grand-total"[^>]*>250,0<', html)
    assert 'id="checklist" aria-labelledby="checklist-title" hx-swap-oob="true"' in html
    assert "Đã lưu dòng 1." in html
    (focused,) = _autofocused(html)
    assert reverse("plans:line_edit", args=[plan.uid, line.uid]) in focused
    line.refresh_from_db()
    assert line.total_cost_mvnd == Decimal(150)


def test_an_edit_that_moves_the_line_replaces_the_whole_table(
    client_planner: Client, plan: Any
) -> None:
    first = f.line(plan, priority=1)
    f.line(plan, priority=2, activity="Đường ra đồng")
    response = client_planner.post(
        reverse("plans:line_edit", args=[plan.uid, first.uid]),
        _edit_form(first, priority="3"),  # now after line 2 in its sector
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#proposals"
    assert response["HX-Reswap"] == "innerHTML"
    assert _count(html, "<table") == 1 and 'id="proposals"' not in html
    assert html.index("Đường ra đồng") < html.index(f'id="line-{first.uid}"')
    (focused,) = _autofocused(html)
    assert reverse("plans:line_edit", args=[plan.uid, first.uid]) in focused


def test_an_edit_refused_gives_back_that_rows_form_alone(client_planner: Client, plan: Any) -> None:
    line = f.line(plan)
    response = client_planner.post(
        reverse("plans:line_edit", args=[plan.uid, line.uid]),
        _edit_form(line, total_cost_mvnd="999", activity="Đường mới"),
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="line-{line.uid}" class="editing">')
    assert "hx-swap-oob" not in html and 'id="proposals"' not in html
    assert "Dòng 1, Tổng kinh phí" in html and 'value="Đường mới"' in html
    (focused,) = _autofocused(html)
    assert 'id="edit-1-total_cost_mvnd"' in focused  # ids of its own: not the add form's
    line.refresh_from_db()
    assert line.activity == "Bê tông hóa đường thôn"


def test_opening_and_cancelling_an_edit_keep_the_focus_on_the_row(
    client_planner: Client, plan: Any
) -> None:
    line = f.line(plan)
    html = client_planner.get(
        reverse("plans:line_edit", args=[plan.uid, line.uid]), headers=HX
    ).content.decode()
    (focused,) = _autofocused(html)
    assert 'id="edit-1-sector"' in focused  # the first field of the row's form
    assert 'for="id_sector"' not in html
    html = client_planner.get(
        reverse("plans:line_row", args=[plan.uid, line.uid]), headers=HX
    ).content.decode()
    (focused,) = _autofocused(html)
    assert reverse("plans:line_edit", args=[plan.uid, line.uid]) in focused


# --- delete and undo ----------------------------------------------------------------------------


def test_delete_and_undo_give_back_the_table_and_the_message(
    client_planner: Client, plan: Any
) -> None:
    line = f.line(plan)
    kept = f.line(plan, activity="Đường ra đồng")
    html = client_planner.post(
        reverse("plans:line_delete", args=[plan.uid, line.uid]), headers=HX
    ).content.decode()
    assert html.startswith("<h2") and _count(html, "<table") == 1
    assert f'id="line-{line.uid}"' not in html and f'id="line-{kept.uid}"' in html
    assert re.search(r'id="grand-total"[^>]*>100,0<', html)
    (focused,) = _autofocused(html)
    assert "Hoàn tác" in html[html.index(focused) :].split("</button>")[0]  # the undo

    html = client_planner.post(
        reverse("plans:line_restore", args=[plan.uid, line.uid]), headers=HX
    ).content.decode()
    assert f'id="line-{line.uid}"' in html and _count(html, "<table") == 1
    assert re.search(r'id="grand-total"[^>]*>200,0<', html)
    assert "Đã khôi phục dòng 1." in html
    (focused,) = _autofocused(html)
    assert reverse("plans:line_edit", args=[plan.uid, line.uid]) in focused


def test_a_delete_without_htmx_offers_the_undo_on_the_page(
    client_planner: Client, plan: Any
) -> None:
    line = f.line(plan)
    alive = f.line(plan, activity="Đường ra đồng")
    response = client_planner.post(reverse("plans:line_delete", args=[plan.uid, line.uid]))
    assert response.status_code == 302
    html = client_planner.get(response["Location"]).content.decode()
    assert reverse("plans:line_restore", args=[plan.uid, line.uid]) in html
    # a line that is not deleted, or no line at all, offers nothing to undo
    url = reverse("plans:plan", args=[plan.uid])
    for shown in (f"?deleted={alive.uid}", "?deleted=not-a-uuid"):
        html = client_planner.get(url + shown).content.decode()
        assert "/restore/" not in html


# --- the commune's return comment -----------------------------------------------------------


def _submitted(plan: Any, planner: Any) -> Any:
    proposal_line_create(actor=planner, plan=plan, data=f.line_data())
    meeting_save(actor=planner, plan=plan, data=MEETING)
    return plan_submit(actor=planner, plan=plan)


def test_the_return_comment_is_read_until_the_plan_is_submitted_again(
    plan: Any, planner: Any
) -> None:
    assert plan_open_returns(plan) == []  # never returned
    plan = _submitted(plan, planner)
    assert plan_open_returns(plan) == []
    plan = plan_return(actor=planner, plan=plan, comment="Bổ sung số hộ hưởng lợi dòng 1.")
    (returned,) = plan_open_returns(plan)
    assert (returned.comment, returned.actor) == ("Bổ sung số hộ hưởng lợi dòng 1.", planner)
    plan = plan_revise(actor=planner, plan=plan)  # a draft again: still to be done
    assert [r.comment for r in plan_open_returns(plan)] == ["Bổ sung số hộ hưởng lợi dòng 1."]
    plan = plan_submit(actor=planner, plan=plan)
    assert plan_open_returns(plan) == []
    # a second return shows only its own comment
    plan = plan_return(actor=planner, plan=plan, comment="Sửa kinh phí dòng 1.")
    assert [r.comment for r in plan_open_returns(plan)] == ["Sửa kinh phí dòng 1."]


def test_the_plan_page_shows_who_returned_it_when_and_what_to_change(
    client: Client, plan: Any, planner: Any
) -> None:
    editor = user_with_role(Role.VILLAGE_EDITOR, plan.village, full_name="Trần Văn Bình")
    plan = _submitted(plan, planner)
    client.force_login(editor)
    url = reverse("plans:plan", args=[plan.uid])
    assert 'id="plan-returns"' not in client.get(url).content.decode()

    plan = plan_return(actor=planner, plan=plan, comment="Bổ sung số hộ hưởng lợi dòng 1.")
    html = client.get(url).content.decode()
    banner = html[html.index('id="plan-returns"') :]
    banner = banner[: banner.index("</section>")]
    assert "Bổ sung số hộ hưởng lợi dòng 1." in banner
    assert str(planner.get_username()) in banner
    change = plan_open_returns(plan)[0]
    at = timezone.localtime(change.at)
    assert f"ngày {at:%d/%m/%Y} lúc {at:%H:%M}:" in banner
    assert html.index('id="plan-returns"') < html.index('id="proposals"')  # at the top

    plan = plan_revise(actor=editor, plan=plan)
    assert "Bổ sung số hộ hưởng lợi dòng 1." in client.get(url).content.decode()
    plan_submit(actor=editor, plan=plan)
    assert 'id="plan-returns"' not in client.get(url).content.decode()


# --- the meeting's shares -----------------------------------------------------------------------


def test_the_meeting_table_says_more_than_for_the_quorum_and_at_least_for_targets(
    client_planner: Client, plan: Any, planner: Any
) -> None:
    meeting_save(actor=planner, plan=plan, data=MEETING)
    html = client_planner.get(reverse("plans:meeting", args=[plan.uid])).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert "trên 50%" in table and "≥ 50%" not in table
    assert "≥ 30%" in table  # the women's target (R10) is a minimum


def test_a_meeting_at_exactly_the_quorum_is_below_its_target(plan: Any, planner: Any) -> None:
    meeting = meeting_save(actor=planner, plan=plan, data={**MEETING, "households_represented": 50})
    result = meeting_result(meeting, plan.round.profile)
    households = result.indicators[0]
    assert households.code == "households_pct" and households.meets_target is False
    assert not result.quorate
    meeting = meeting_save(
        actor=planner,
        plan=plan,
        data={**MEETING, "households_represented": 51},
        expected_version=meeting.version,
    )
    result = meeting_result(meeting, plan.round.profile)
    assert result.indicators[0].meets_target is True and result.quorate


def test_the_checklist_and_the_meeting_page_show_a_share_the_same_way(
    client_planner: Client, plan: Any, planner: Any
) -> None:
    f.line(plan)
    for total, represented, shown in ((100, 62, "62,0%"), (9, 7, "77,8%")):
        VillageMeeting.objects.filter(plan=plan).delete()
        meeting_save(
            actor=planner,
            plan=plan,
            data={
                **MEETING,
                "households_total": total,
                "households_represented": represented,
                "participants_total": 70,
            },
        )
        page = client_planner.get(reverse("plans:plan", args=[plan.uid])).content.decode()
        checklist = page[page.index('id="checklist"') :]
        checklist = checklist[: checklist.index("</section>")]
        meeting = client_planner.get(reverse("plans:meeting", args=[plan.uid])).content.decode()
        assert f"{shown} số hộ có đại diện dự họp" in checklist
        assert f"Số hộ có đại diện dự họp: {shown}" in meeting


# --- the round's totals -------------------------------------------------------------------------


def test_the_rounds_total_row_has_no_stray_slash_without_meetings(
    client: Client, plan: Any, planner: Any
) -> None:
    client.force_login(planner)
    html = client.get(reverse("plans:round", args=[plan.round.uid])).content.decode()
    cell = re.search(r'<td class="num" id="commune-households">(.*?)</td>', html)
    assert cell is not None and cell.group(1) == "—"
    meeting_save(actor=planner, plan=plan, data=MEETING)
    html = client.get(reverse("plans:round", args=[plan.round.uid])).content.decode()
    cell = re.search(r'<td class="num" id="commune-households">(.*?)</td>', html)
    assert cell is not None and cell.group(1) == "62 / 100"


# --- the meeting tab: where the focus goes after each answer ---------------------------------


def _person(**values: str) -> dict[str, str]:
    data = {"full_name": "Hồ Thị Mai", "sex": "female", "ethnicity": "Vân Kiều"}
    data.update({"poverty_status": "poor", "household": "", **values})
    return {f"attendee-{key}": value for key, value in data.items()}


def test_the_attendance_answers_put_the_focus_where_the_work_goes_on(
    client_planner: Client, plan: Any, planner: Any
) -> None:
    meeting_save(actor=planner, plan=plan, data=MEETING)
    add = reverse("plans:attendee_create", args=[plan.uid])

    html = client_planner.post(add, _person(sex=""), headers=HX).content.decode()
    (focused,) = _autofocused(html)
    assert 'name="attendee-sex"' in focused  # the first error
    assert _count(html, 'id="attendance"') == 1 and _count(html, 'id="attendee-add"') == 1

    html = client_planner.post(add, _person(), headers=HX).content.decode()
    (focused,) = _autofocused(html)
    assert 'name="attendee-full_name"' in focused  # the empty form, for the next person
    assert _count(html, 'id="attendance-table"') == 1 and "Hồ Thị Mai" in html

    person = plan.meeting.attendees.get()
    edit = reverse("plans:attendee_edit", args=[plan.uid, person.pk])
    html = client_planner.get(edit, headers=HX).content.decode()
    (focused,) = _autofocused(html)
    assert 'name="edit-full_name"' in focused
    row_link = f'href="{edit}"'

    html = client_planner.get(
        reverse("plans:attendance", args=[plan.uid]) + f"?row={person.pk}", headers=HX
    ).content.decode()  # cancel
    (focused,) = _autofocused(html)
    assert row_link in focused

    saved = {
        "edit-full_name": "Hồ Thị Mai",
        "edit-sex": "female",
        "edit-ethnicity": "Vân Kiều",
        "edit-poverty_status": "near_poor",
        "edit-household": "",
        "edit-version": "1",
    }
    html = client_planner.post(edit, saved, headers=HX).content.decode()
    (focused,) = _autofocused(html)
    assert row_link in focused

    html = client_planner.post(
        reverse("plans:attendee_delete", args=[plan.uid, person.pk]), headers=HX
    ).content.decode()
    (focused,) = _autofocused(html)
    assert focused.startswith('<h2 id="attendance-title"') and 'tabindex="-1"' in focused


def test_a_refused_meeting_record_puts_the_focus_on_its_first_error(
    client_planner: Client, plan: Any
) -> None:
    response = client_planner.post(
        reverse("plans:meeting", args=[plan.uid]),
        {"held_on": "12/06/2026", "chair": "Trần Văn Bình", "households_total": "100"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    (focused,) = _autofocused(html)
    assert 'name="households_represented"' in focused
