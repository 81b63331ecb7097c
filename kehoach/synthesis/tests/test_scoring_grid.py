"""The scoring grid (F10): every line × every criterion on one page, a cell saved from the
script (htmx, out-of-band answers) or a row posted as a plain form, with the same service and
validators; wrong values kept with their message; totals and ranks; conflicts; query count."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.approvals.models import AuditEntry
from kehoach.geo.tests.factories import hai_lang

from ..choices import CommunePlanStatus
from ..models import CommuneLine, CommunePlan
from ..services.lines import commune_plan_synthesise, lines_with_sources
from ..services.scoring import line_scores
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
JUDGED = ["ntm_criterion", "urgency_safety", "readiness", "operation_maintenance"]
HTMX = {"HX-Request": "true"}
RANGE = "điểm phải là số từ 0 đến 5, hoặc để trống."


def _world(lines: int = 3) -> dict[str, Any]:
    commune = hai_lang()
    [village] = f.villages(commune, ["Thôn Diên Sanh"])
    road = f.transport()
    f.submitted_plan(
        village,
        [
            f.money_line(
                "400", "40", sector=road, activity=f"Đường số {k}", beneficiary_households=50,
                priority=1 + k % 3,
            )
            for k in range(lines)
        ],
    )  # fmt: skip
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    client = Client()
    client.force_login(planner)
    plan = f.commune_plan_for(round_)
    return {"plan": plan, "planner": planner, "client": client, "commune": commune}


@pytest.fixture
def world() -> dict[str, Any]:
    return _world()


def _url(plan: CommunePlan) -> str:
    return reverse("synthesis:scoring", args=[plan.uid])


def _line(plan: CommunePlan, number: int) -> CommuneLine:
    return CommuneLine.objects.get(plan=plan, number=number)


def _row(line: CommuneLine, **scores: str) -> dict[str, Any]:
    return {
        "line": str(line.number),
        "version": str(line.version),
        **{f"s_{code}": value for code, value in scores.items()},
    }


def _cell(line: CommuneLine, code: str, value: str, **others: str) -> dict[str, Any]:
    return {**_row(line, **{code: value, **others}), "cell": code}


def _ranks(plan: CommunePlan) -> dict[int, int]:
    scores = line_scores(plan, lines_with_sources(plan))
    return {s.line.number: s.rank for s in scores.values()}


class _Ids(HTMLParser):
    """Every id of a page, and every id that an aria-labelledby/-describedby refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        for name in ("aria-labelledby", "aria-describedby"):
            self.refs += (found.get(name) or "").split()
        if tag == "input" and (found.get("name") or "").startswith("s_"):
            self.inputs.append(found)


def _parsed(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


# --- the page ---------------------------------------------------------------------------------


def test_the_grid_has_an_input_per_line_and_judged_criterion_with_readable_headers(
    world: dict[str, Any],
) -> None:
    response = world["client"].get(_url(world["plan"]))
    assert response.status_code == 200
    html = response.content.decode()
    page = _parsed(html)
    # three lines × four criteria the commune judges; the five computed ones are shown
    assert len(page.inputs) == 3 * len(JUDGED)
    assert {str(i["name"])[2:] for i in page.inputs} == set(JUDGED)
    assert all(i["form"] == f"r{str(i['id'])[1:].split('-')[0]}" for i in page.inputs)
    # every reference to an id names an element that is there, once
    assert len(page.ids) == len(set(page.ids))
    assert set(page.refs) <= set(page.ids)
    # the headers say the whole name, the weight and who scores; the legend the scale
    assert "4. Gắn với tiêu chí nông thôn mới chưa đạt" in html
    assert '<span class="crit-meta">×1 · xã chấm</span>' in html
    assert '<span class="crit-meta">×1 · tự tính</span>' in html
    assert "Tiêu chí, trọng số và thang điểm" in html
    assert "từ 0 đến 5 điểm" in html
    assert 'src="/static/js/scoring.js"' in html
    # the rows in the order of the synthesis, each a form with its version
    assert html.index("1. Đường số 0") < html.index("2. Đường số 1") < html.index("3. Đường số 2")
    assert re.search(r'name="version" id="v1" value="\d+"', html)


def test_a_reader_sees_the_scores_by_rank_and_no_input(world: dict[str, Any]) -> None:
    plan = world["plan"]
    reader = Client()
    reader.force_login(f.approver(world["commune"]))
    html = reader.get(_url(plan)).content.decode()
    assert not _parsed(html).inputs
    assert "scoring.js" not in html
    ranked = sorted(_ranks(plan).items(), key=lambda item: item[1])
    positions = [html.index(f'id="row-{number}"') for number, _rank in ranked]
    assert positions == sorted(positions)
    assert 'aria-current="true">theo thứ hạng' in html


def test_the_rank_order_is_a_link_away(world: dict[str, Any]) -> None:
    plan = world["plan"]
    html = world["client"].get(_url(plan) + "?order=rank").content.decode()
    ranked = sorted(_ranks(plan).items(), key=lambda item: item[1])
    positions = [html.index(f'id="row-{number}"') for number, _rank in ranked]
    assert positions == sorted(positions)


def test_the_line_page_sends_the_planner_to_its_row_of_the_grid(world: dict[str, Any]) -> None:
    plan = world["plan"]
    line = _line(plan, 2)
    html = world["client"].get(reverse("synthesis:line", args=[plan.uid, line.uid])).content
    assert f'href="{_url(plan)}#row-2" id="score-link"'.encode() in html


# --- a cell, from the script ------------------------------------------------------------------


def test_a_cell_is_saved_alone_and_the_answer_updates_the_row_and_every_rank(
    world: dict[str, Any],
) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 3)
    line.manual_scores = {"readiness": 3}
    line.save()
    before = _ranks(plan)
    assert before[3] == 2

    # the other cells of the row are posted too (the row's form); only this one is saved
    data = _cell(line, "urgency_safety", "5", readiness="1", ntm_criterion="4,5")
    response = client.post(_url(plan), data, headers=HTMX)

    assert response.status_code == 200
    line.refresh_from_db()
    assert line.manual_scores == {"readiness": 3, "urgency_safety": 5}
    assert line.version == int(data["version"]) + 1
    entry = AuditEntry.objects.filter(subject_id=str(line.pk)).latest("id")
    assert entry.after == {"manual_scores": {"readiness": 3, "urgency_safety": 5}}
    html = response.content.decode()
    after = _ranks(plan)
    assert after[3] == 1  # 8 points more than the others
    assert (
        '<span id="e3-urgency_safety" class="cell-error" data-state="saved" data-value="5" '
        'hx-swap-oob="true"></span>'
    ) in html
    assert f'id="v3" value="{line.version}" hx-swap-oob="true"' in html
    score = line_scores(plan, lines_with_sources(plan))[line.pk].score
    assert f'<strong id="t3" hx-swap-oob="true">{str(score).replace(".", ",")}</strong>' in html
    for number, rank in after.items():
        assert f'<span id="k{number}" hx-swap-oob="true">{rank}</span>' in html
    assert (
        "Dòng 3, Tính cấp thiết, an toàn: đã lưu 5. Điểm "
        f"{str(score).replace('.', ',')}, thứ hạng 1."
    ) in html


def test_an_emptied_cell_removes_the_score(world: dict[str, Any]) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 1)
    line.manual_scores = {"readiness": 3, "urgency_safety": 2}
    line.save()
    response = client.post(_url(plan), _cell(line, "readiness", ""), headers=HTMX)
    line.refresh_from_db()
    assert line.manual_scores == {"urgency_safety": 2}
    assert "Dòng 1, Mức độ sẵn sàng (mặt bằng, thiết kế): đã xóa điểm." in response.content.decode()


def test_a_wrong_value_is_refused_with_its_message_and_nothing_is_saved(
    world: dict[str, Any],
) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 2)
    line.manual_scores = {"urgency_safety": 2}
    line.save()
    version = line.version
    for wrong in ("7", "-1", "4,5 điểm", "NaN", "Infinity", "1e9"):
        response = client.post(_url(plan), _cell(line, "urgency_safety", wrong), headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            '<span id="e2-urgency_safety" class="cell-error" data-state="invalid" '
            f'data-value="2" hx-swap-oob="true">{RANGE.capitalize()}</span>'
        ) in html, wrong
        assert f"Dòng 2: Tính cấp thiết, an toàn: {RANGE} Chưa lưu." in html, wrong
        assert 'id="v2"' not in html  # the version did not move: nothing to swap
    line.refresh_from_db()
    assert (line.manual_scores, line.version) == ({"urgency_safety": 2}, version)


def test_a_stale_row_gives_the_conflict_message(world: dict[str, Any]) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 1)
    data = _cell(line, "readiness", "4")
    line.notes = "changed by someone else"
    line.version += 1
    line.save()
    response = client.post(_url(plan), data, headers=HTMX)
    html = response.content.decode()
    assert 'data-state="refused"' in html
    assert "Chưa lưu." in html
    assert (
        "Dòng 1 đã được người khác sửa sau khi bạn mở. Chưa có gì được lưu; hãy tải lại "
        "trang rồi sửa lại."
    ) in html
    assert f'<a href="{_url(plan)}">Tải lại trang</a>' in html
    line.refresh_from_db()
    assert line.manual_scores == {}


def test_an_unknown_line_or_criterion_is_not_found(world: dict[str, Any]) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 1)
    assert (
        client.post(_url(plan), {**_cell(line, "readiness", "4"), "line": "99"}).status_code == 404
    )
    for crafted in ("²", "99999999999999999999", "1.0", ""):
        response = client.post(_url(plan), {**_row(line, readiness="4"), "line": crafted})
        assert response.status_code == 404, crafted
    computed = _cell(line, "village_priority", "5")
    assert client.post(_url(plan), computed, headers=HTMX).status_code == 404
    line.refresh_from_db()
    assert line.manual_scores == {}


# --- a row, without the script ------------------------------------------------------------------


def test_a_row_is_saved_as_a_plain_form(world: dict[str, Any]) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 2)
    data = _row(
        line, ntm_criterion="4", urgency_safety="4.5", readiness="", operation_maintenance="3"
    )
    response = client.post(_url(plan) + "?order=rank", data)
    assert response.status_code == 302
    assert response["Location"] == _url(plan) + "?order=rank#row-2"
    line.refresh_from_db()
    assert line.manual_scores == {
        "ntm_criterion": 4,
        "urgency_safety": 4.5,
        "operation_maintenance": 3,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu điểm của dòng 2." in page
    assert 'id="s2-urgency_safety" form="r2" value="4,5"' in page


def test_a_refused_row_comes_back_with_what_was_typed_and_the_message_beside_the_cell(
    world: dict[str, Any],
) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 2)
    line.manual_scores = {"readiness": 1}
    line.save()
    data = _row(
        line, ntm_criterion="4", urgency_safety="7", readiness="2", operation_maintenance=""
    )
    response = client.post(_url(plan), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa lưu điểm của dòng 2: sửa các ô được đánh dấu rồi lưu lại dòng." in html
    # the wrong value stays, marked, its message beside it; the others are kept as typed
    assert re.search(
        r'id="s2-urgency_safety" form="r2" value="7" [^>]*aria-describedby="e2-urgency_safety"'
        r'[^>]*aria-invalid="true" autofocus>'
        rf'<span id="e2-urgency_safety" class="cell-error">{RANGE.capitalize()}</span>',
        html,
    )
    assert 'id="s2-readiness" form="r2" value="2"' in html
    assert 'data-saved="1"' in html  # Esc goes back to the saved value
    assert 'id="s2-ntm_criterion" form="r2" value="4"' in html
    line.refresh_from_db()
    assert line.manual_scores == {"readiness": 1}


def test_a_stale_row_without_the_script_says_so_and_keeps_the_values(
    world: dict[str, Any],
) -> None:
    plan, client = world["plan"], world["client"]
    line = _line(plan, 1)
    data = _row(line, urgency_safety="3")
    line.version += 1
    line.save()
    response = client.post(_url(plan), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Dòng 1 đã được người khác sửa sau khi bạn mở.") == 2
    assert 'id="s1-urgency_safety" form="r1" value="3"' in html


def test_nobody_else_saves_and_a_plan_past_its_draft_offers_no_input(
    world: dict[str, Any],
) -> None:
    plan = world["plan"]
    line = _line(plan, 1)
    approver = Client()
    approver.force_login(f.approver(world["commune"]))
    assert approver.post(_url(plan), _cell(line, "readiness", "4"), headers=HTMX).status_code == 404
    line.refresh_from_db()
    assert line.manual_scores == {}

    CommunePlan.objects.filter(pk=plan.pk).update(status=CommunePlanStatus.SUBMITTED)
    html = world["client"].get(_url(plan)).content.decode()
    assert not _parsed(html).inputs
    response = world["client"].post(_url(plan), _row(line, readiness="4"))
    assert response.status_code == 400
    assert "nên không sửa được" in response.content.decode()
    line.refresh_from_db()
    assert line.manual_scores == {}


# --- queries ----------------------------------------------------------------------------------


def test_the_grid_takes_the_same_number_of_queries_for_3_or_33_lines(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    plan, client = world["plan"], world["client"]
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(plan)).content.decode().count('<tr id="row-') == 3
    [village] = f.villages(world["commune"], ["Thôn Mỹ Chánh"])
    f.submitted_plan(
        village,
        [f.money_line("100", "10", activity=f"Việc {k}", priority=1 + k % 3) for k in range(30)],
    )
    commune_plan_synthesise(actor=world["planner"], round_=plan.round)
    with django_assert_max_num_queries(len(few)):
        assert client.get(_url(plan)).content.decode().count('<tr id="row-') == 33
    # saving a cell reads the plan once more to answer with every rank: still constant
    line = _line(plan, 30)
    with django_assert_max_num_queries(len(few) + 15):
        client.post(_url(plan), _cell(line, "readiness", "4"), headers=HTMX)
