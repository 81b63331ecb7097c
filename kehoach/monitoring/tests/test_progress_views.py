"""The progress report pages (``views/progress.py``): a report typed the Vietnamese way is
saved and the planner is sent back to the work with a message; a refused one comes back with
400, the Vietnamese message on its field and nothing saved; another commune gets 404 and a
donor reads without a form; the works list marks the delayed works and its number of queries
does not grow with the works and reports.

The rules themselves are tested on the service (``test_progress.py``); here, that the pages
carry them to the user."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import CommuneFactory, dong_hoi, quang_tri
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from ..models import Disbursement, ProgressReport
from ..services.progress import progress_report_create
from .factories import RESOLUTION, followed_plan, report_data

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world() -> dict[str, Any]:
    return followed_plan()


def _works_url(world: dict[str, Any]) -> str:
    return f"/cdp/{world['plan'].uid}/works/"


def _work_url(world: dict[str, Any], line: str = "road") -> str:
    return f"/cdp/{world['plan'].uid}/works/{world[line].uid}/"


def _report_url(world: dict[str, Any], line: str = "road") -> str:
    return f"{_work_url(world, line)}report/"


def _form(world: dict[str, Any], **overrides: str) -> dict[str, str]:
    """The report form of the road as a planner types it: Vietnamese numbers and dates, and
    the money disbursed from the NTP26 envelope line that funds the road."""
    data = {
        "reported_on": "30/11/2026",
        "status": "ongoing",
        "quantity_done": "0,75",
        "actual_start": "01/10/2026",
        "actual_finish": "",
        "status_reason": "",
        "contribution_cash_mvnd": "20",
        "contribution_labour_days": "100",
        "contribution_labour_mvnd": "15",
        "contribution_materials_mvnd": "",
        "contribution_land_m2": "",
        "problems": "Mưa kéo dài, chậm đổ bê tông",
        "excess_reason": "",
        f"disbursed_{world['ntp'].uid}": "250,5",
    }
    data.update(overrides)
    return data


def _post(client: Client, url: str, data: dict[str, str], *, follow: bool = False) -> Any:
    with translation.override("vi"):
        return client.post(url, data, follow=follow, HTTP_ACCEPT_LANGUAGE="vi")


def _nothing_saved() -> None:
    assert not ProgressReport.objects.exists()
    assert not Disbursement.objects.exists()


# --- reporting through the page --------------------------------------------------------------


def test_the_planner_sees_the_form_and_a_report_is_saved(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    page = client.get(_work_url(world)).content.decode()
    assert 'id="report-form"' in page
    assert f'name="disbursed_{world["ntp"].uid}"' in page
    response = _post(client, _report_url(world), _form(world))
    assert response.status_code == 302
    assert response["Location"] == _work_url(world)
    report = ProgressReport.objects.get()
    assert report.line == world["road"] and report.is_latest
    assert report.reported_on == datetime.date(2026, 11, 30)
    assert report.quantity_done == D("0.75")
    assert report.actual_start == datetime.date(2026, 10, 1)
    assert report.contribution_mvnd == D(35)
    assert report.problems == "Mưa kéo dài, chậm đổ bê tông"
    assert [(d.envelope_line, d.amount_mvnd) for d in report.disbursements.all()] == [
        (world["ntp"], D("250.5"))
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu báo cáo tiến độ." in page  # "The progress report was saved."
    history = page.split('id="progress-history"')[1].split("</table>")[0]
    assert "30/11/2026" in history and "NTP26: 250,5" in history


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"status": "completed", "quantity_done": "1,5"},
            "actual_finish",
            # "%(field)s: %(problem)s" with "actual finish" and "enter the date the work was
            # finished."
            "Ngày hoàn thành thực tế: hãy nhập ngày công trình hoàn thành.",
        ),
        (
            {"quantity_done": "2"},
            "quantity_done",
            # "The quantity done (%(done)s %(unit)s) is above the approved %(planned)s." in
            # "%(what)s Give the reason in “Reason for exceeding the approved plan”, or correct
            # the figure."
            "Khối lượng đã thực hiện (2 km) vượt khối lượng được duyệt là 1,5. Hãy ghi lý do "
            "vào ô “Lý do vượt kế hoạch được duyệt”, hoặc sửa lại số liệu.",
        ),
    ],
    ids=["completed-without-finish", "quantity-above-approved"],
)
def test_a_refused_report_comes_back_with_its_message_and_nothing_saved(
    client: Client, world: dict[str, Any], overrides: dict[str, str], field: str, message: str
) -> None:
    client.force_login(world["planner"])
    response = _post(client, _report_url(world), _form(world, **overrides))
    assert response.status_code == 400
    _nothing_saved()
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    # The message is written in the field's box; the form keeps what was typed.
    box = re.search(
        rf'<div class="field has-error">(?:(?!<div class="field).)*?name="{field}".*?</div>',
        page,
        re.S,
    )
    assert box is not None and escape(message) in box.group(0)
    assert 'value="30/11/2026"' in page and 'value="250,5"' in page


def test_a_quantity_above_the_approved_one_is_saved_with_a_reason(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["planner"])
    reason = "Kéo dài thêm 500 m theo nghị quyết bổ sung của HĐND xã"
    response = _post(
        client, _report_url(world), _form(world, quantity_done="2", excess_reason=reason)
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.quantity_done, report.excess_reason) == (D(2), reason)


def test_the_report_address_only_takes_a_post(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["planner"])
    assert client.get(_report_url(world)).status_code == 404


# --- who may see and report ------------------------------------------------------------------


def test_another_communes_planner_gets_404_on_the_three_pages(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(commune_planner(dong_hoi()))
    assert client.get(_works_url(world)).status_code == 404
    assert client.get(_work_url(world)).status_code == 404
    assert _post(client, _report_url(world), _form(world)).status_code == 404
    _nothing_saved()


def test_a_donor_reads_the_pages_without_a_form_and_cannot_report(
    client: Client, world: dict[str, Any]
) -> None:
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(250)},
    )
    client.force_login(user_with_role(Role.DONOR_VIEWER, world["commune"]))
    works = client.get(_works_url(world))
    assert works.status_code == 200 and world["road"].activity in works.content.decode()
    work = client.get(_work_url(world))
    page = work.content.decode()
    assert work.status_code == 200 and 'id="progress-history"' in page
    assert 'id="report-form"' not in page and _report_url(world) not in page
    response = _post(client, _report_url(world), _form(world, reported_on="01/12/2026"))
    assert response.status_code == 404
    assert ProgressReport.objects.count() == 1


def test_a_donor_gets_404_even_for_a_form_that_does_not_parse(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(user_with_role(Role.DONOR_VIEWER, world["commune"]))
    response = _post(client, _report_url(world), _form(world, quantity_done="nửa"))
    _nothing_saved()
    assert response.status_code == 404


# --- the works list --------------------------------------------------------------------------


def _planned_back(line: CommuneLine, end: datetime.date) -> None:
    """Works of a 2027 plan cannot have a planned end in the past through the services (their
    months are within the plan year, and a report may not be dated in the future), so the
    planned months are moved back here directly, as if the year had gone by."""
    CommuneLine.objects.filter(pk=line.pk).update(start_month=end.replace(month=1), end_month=end)


def _row(page: str, line: CommuneLine) -> str:
    """The works list's row of ``line`` (from its opening ``<tr``)."""
    rows = re.findall(r"<tr[ >].*?</tr>", page.split('id="works"')[1], re.S)
    return next(row for row in rows if f"/works/{line.uid}/" in row)


def test_the_works_list_tags_a_work_past_its_planned_end(
    client: Client, world: dict[str, Any]
) -> None:
    _planned_back(world["road"], datetime.date(2026, 10, 1))  # ongoing: delayed
    _planned_back(world["school"], datetime.date(2026, 10, 1))  # completed: not delayed
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(250)},
    )
    progress_report_create(
        actor=world["planner"],
        line=world["school"],
        data=report_data(
            status="completed",
            quantity_done=D(1),
            actual_finish=datetime.date(2026, 11, 28),
            contribution_cash_mvnd=D(50),
            contribution_labour_days=D(0),
            contribution_labour_mvnd=D(0),
        ),
    )
    client.force_login(world["planner"])
    page = client.get(_works_url(world)).content.decode()
    tag = f'<span class="tag bad-text">{gettext("delayed")}</span>'
    assert gettext("delayed") == "chậm tiến độ"
    road, school = _row(page, world["road"]), _row(page, world["school"])
    assert road.startswith('<tr class="delayed">') and tag in road and "10/2026" in road
    assert not school.startswith('<tr class="delayed">') and tag not in school
    note = page.split('id="delayed-note">')[1].split("</p>")[0]
    assert note == "1 công trình đã quá thời gian kết thúc theo kế hoạch mà chưa hoàn thành."


def _plan_with_works(commune: AdministrativeUnit, count: int) -> dict[str, Any]:
    """A published plan of 2027 with ``count`` funded works (100 each: 20 from the community,
    80 from NTP26), made through the services as ``followed_plan`` does."""
    (village,) = sf.villages(commune, ["Thôn Một"])
    road = sf.transport()
    sf.submitted_plan(
        village,
        [
            sf.money_line("100", "20", sector=road, activity=f"Đường thôn, đoạn {n}", quantity=D(1))
            for n in range(1, count + 1)
        ],
    )
    round_ = sf.round_of(commune)
    planner, approver = sf.planner(commune), sf.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), str(80 * count), sector_=road)
    for line in plan.lines.all():
        line_decide(
            actor=planner,
            line=line,
            decision=Decision.FUNDED,
            reason="Đủ điều kiện",
            funding={ntp: D(80)},
        )
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    return {"plan": plan, "planner": planner, "ntp": ntp, "lines": list(plan.lines.all())}


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _report_all(world: dict[str, Any], days: list[datetime.date]) -> None:
    """A report of each work on each day, a quarter more done each time."""
    for line in world["lines"]:
        for n, day in enumerate(days, start=1):
            progress_report_create(
                actor=world["planner"],
                line=line,
                data=report_data(
                    reported_on=day,
                    quantity_done=D("0.25") * n,
                    contribution_cash_mvnd=D(5),
                    contribution_labour_days=D(0),
                    contribution_labour_mvnd=D(0),
                ),
                disbursed={world["ntp"]: D(20) * n},
            )


def test_the_works_list_queries_do_not_grow_with_works_and_reports(client: Client) -> None:
    small = _plan_with_works(CommuneFactory.create(code="19537", parent=quang_tri()), 1)
    large = _plan_with_works(CommuneFactory.create(code="19540", parent=quang_tri()), 6)
    # A report in each, so that both pages load the reports' money (no report: one query less).
    _report_all(small, [datetime.date(2026, 11, 30)])
    _report_all(large, [datetime.date(2026, 11, 15), datetime.date(2026, 11, 30)])
    assert ProgressReport.objects.count() == 1 + 12
    counts = []
    for world in (small, large):
        url = f"/cdp/{world['plan'].uid}/works/"
        client.force_login(world["planner"])
        client.get(url)
        counts.append(_queries(client, url))
    assert counts[1] == counts[0]  # six works with two reports each as one with one
    page = client.get(f"/cdp/{large['plan'].uid}/works/").content.decode()
    assert page.count(">30/11/2026</td>") == 6  # the cell of the last report
