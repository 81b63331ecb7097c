"""The other forms out and in: F1 (basic information), F8 (meeting), F9 (synthesis), F11
(envelope), F12 (financial plan) — each round trip applies what changed through the web form's
service, and a wrong cell refuses the file."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kehoach.exchange.forms import f1, f8, f9, f11, f12
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.models import BasicInfo, VillageMeeting
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine, EnvelopeLine
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import FIRST_ROW, confirm, opened, plan_with_lines, saved, upload

pytestmark = pytest.mark.django_db


def _row_of(book: Any, sheet: str, key: str) -> int:
    """The row whose hidden line key is ``key`` (F1 and F8 have one row per field)."""
    ws = book[sheet]
    key_column = ws.max_column
    for row in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(row=row, column=key_column).value == key:
            return row
    raise KeyError(key)


# --- F1 ---------------------------------------------------------------------------------------


def test_f1_round_trip_saves_values_and_sources() -> None:
    plan, planner = plan_with_lines()
    book = opened(f1.export(plan))
    ws = book["F1"]
    households = _row_of(book, "F1", "total_households")
    poor = _row_of(book, "F1", "poor_households")
    ws[f"C{households}"] = "1.250"
    ws[f"C{poor}"] = 125
    ws[f"E{poor}"], ws[f"F{poor}"] = "Rà soát hộ nghèo 2026", "15/11/2026"
    ethnic = book["Dân tộc"]
    ethnic[f"B{FIRST_ROW}"], ethnic[f"C{FIRST_ROW}"], ethnic[f"D{FIRST_ROW}"] = "Kinh", 1200, 4800
    record = upload(plan, planner, saved(book), form="F1")
    assert record.result == "previewed", record.errors
    confirm(plan, planner, record)
    info = BasicInfo.objects.get(plan=plan)
    assert (info.total_households, info.poor_households) == (1250, 125)
    assert info.sources["poor_households"] == {
        "source": "Rà soát hộ nghèo 2026",
        "date": "2026-11-15",
    }
    assert [(g.name, g.households) for g in info.ethnic_groups.all()] == [("Kinh", 1200)]
    # the percentage column is computed by kehoach, shown in the next download
    again = opened(f1.export(plan))
    assert again["F1"][f"D{_row_of(again, 'F1', 'poor_households')}"].value == 10


def test_f1_a_wrong_value_names_the_row() -> None:
    plan, planner = plan_with_lines()
    book = opened(f1.export(plan))
    row = _row_of(book, "F1", "total_households")
    book["F1"][f"C{row}"] = "nhiều hộ"
    record = upload(plan, planner, saved(book), form="F1")
    assert record.result == "refused"
    assert record.errors[0]["row"] == row and record.errors[0]["column"] == "C"
    assert not BasicInfo.objects.filter(plan=plan, total_households__isnull=False).exists()


# --- F8 ---------------------------------------------------------------------------------------

MEETING = {
    "held_on": "20/07/2026",
    "place": "Nhà văn hóa thôn",
    "chair": "Trần Văn Bình",
    "households_total": 180,
    "households_represented": 120,
    "participants_total": 130,
    "participants_women": 60,
    "votes_agree": 110,
    "votes_disagree": 10,
    "votes_abstain": 10,
    "decision": "Thông qua kế hoạch thôn năm 2027",
}


def test_f8_round_trip_records_the_meeting_and_its_attendance() -> None:
    plan, planner = plan_with_lines()
    book = opened(f8.export(plan))
    ws = book["F8"]
    values = MEETING
    for key, value in values.items():
        ws[f"B{_row_of(book, 'F8', key)}"] = value
    people = book["Danh sách dự họp"]
    people[f"B{FIRST_ROW}"], people[f"C{FIRST_ROW}"] = "Nguyễn Thị Hoa", "Nữ"
    record = upload(plan, planner, saved(book), form="F8")
    assert record.result == "previewed", record.errors
    confirm(plan, planner, record)
    meeting = VillageMeeting.objects.get(plan=plan)
    assert meeting.held_on == datetime.date(2026, 7, 20)
    assert (meeting.households_represented, meeting.votes_agree) == (120, 110)
    assert [a.full_name for a in meeting.attendees.all()] == ["Nguyễn Thị Hoa"]


def test_f8_an_inconsistent_figure_is_refused() -> None:
    plan, planner = plan_with_lines()
    book = opened(f8.export(plan))
    ws = book["F8"]
    ws[f"B{_row_of(book, 'F8', 'held_on')}"] = "20/07/2026"
    ws[f"B{_row_of(book, 'F8', 'households_total')}"] = 100
    ws[f"B{_row_of(book, 'F8', 'households_represented')}"] = 150  # more than the village has
    record = upload(plan, planner, saved(book), form="F8")
    assert record.result == "refused"
    assert not VillageMeeting.objects.filter(plan=plan).exists()


# --- commune forms ----------------------------------------------------------------------------

C_FIRST = FIRST_ROW - 1
"""A commune's forms have no village line in their title block."""


@pytest.fixture
def commune() -> dict[str, Any]:
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    ntp, nsx = sf.ntp(), sf.commune_budget()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity="Đường xóm Trên")])
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=school, activity="Sửa phòng học")])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    envelope = [
        sf.envelope_line(round_, ntp, "1000", sector_=road),
        sf.envelope_line(round_, nsx, "400", origin="commune"),
    ]
    return {"plan": plan, "planner": planner, "envelope": envelope, "round": round_}


def _commune_line(plan: Any, activity: str) -> CommuneLine:
    return CommuneLine.objects.get(plan=plan, activity=activity)


def test_f9_round_trip_changes_texts_and_decisions(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f9.export(plan))
    ws = book["F9"]
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    road, school = rows["Đường xóm Trên"], rows["Sửa phòng học"]
    ws[f"D{road}"] = "Xóm Trên, thôn Diên Sanh"
    ws[f"O{school}"] = "Hoãn lại"
    ws[f"P{school}"] = "Chờ vốn năm sau"
    record = upload(plan, planner, saved(book), form="F9")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"]["change"] == 2
    confirm(plan, planner, record)
    assert _commune_line(plan, "Đường xóm Trên").location == "Xóm Trên, thôn Diên Sanh"
    line = _commune_line(plan, "Sửa phòng học")
    assert (line.decision, line.decision_reason) == (Decision.DEFERRED, "Chờ vốn năm sau")


def test_f9_a_decision_without_a_reason_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f9.export(plan))
    ws = book["F9"]
    ws[f"O{C_FIRST}"] = "Không được chấp nhận"
    record = upload(plan, planner, saved(book), form="F9")
    assert record.result == "refused"
    assert record.errors[0]["row"] == C_FIRST
    assert not CommuneLine.objects.filter(plan=plan, decision=Decision.REJECTED).exists()


def test_f11_round_trip_adds_changes_and_deletes_envelope_lines(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f11.export(plan, actor=planner))
    ws = book["F11"]
    rows = {str(ws[f"B{r}"].value): r for r in range(C_FIRST, C_FIRST + 2)}
    budget_row = next(r for name, r in rows.items() if name.startswith("NS-X"))
    ws[f"H{budget_row}"] = "450"
    new = C_FIRST + 2
    ws[f"B{new}"], ws[f"D{new}"], ws[f"H{new}"] = ws[f"B{budget_row}"].value, "Sửa chữa nhỏ", 50
    record = upload(plan, planner, saved(book), form="F11")
    assert record.result == "previewed", record.errors
    assert record.summary["counts"] == {"add": 1, "change": 1, "remove": 0}
    confirm(plan, planner, record)
    amounts = sorted(
        EnvelopeLine.objects.filter(
            envelope__round=commune["round"], deleted_at__isnull=True
        ).values_list("amount_mvnd", flat=True)
    )
    assert amounts == [Decimal(50), Decimal(450), Decimal(1000)]


def test_f11_a_commune_planner_cannot_change_the_province_lines(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f11.export(plan, actor=planner))
    ws = book["F11"]
    ntp_row = next(
        r for r in range(C_FIRST, C_FIRST + 2) if str(ws[f"B{r}"].value).startswith("NTP")
    )
    ws[f"H{ntp_row}"] = 5000
    record = upload(plan, planner, saved(book), form="F11")
    assert record.result == "refused", record.summary
    assert record.errors[0]["row"] == ntp_row
    assert EnvelopeLine.objects.filter(amount_mvnd=5000).count() == 0


def test_f12_round_trip_funds_lines_from_the_envelope(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f12.export(plan))
    ws = book["F12"]
    headers = [c.value for c in ws[C_FIRST - 2]]
    ntp_col = next(i for i, h in enumerate(headers, start=1) if h and str(h).startswith("1. NTP"))
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    ws.cell(row=rows["Đường xóm Trên"], column=ntp_col, value=500)
    record = upload(plan, planner, saved(book), form="F12")
    assert record.result == "previewed", record.errors
    confirm(plan, planner, record)
    line = _commune_line(plan, "Đường xóm Trên")
    assert line.decision == Decision.FUNDED
    assert [(f.envelope_line.source.code, f.amount_mvnd) for f in line.funding.all()] == [
        ("NTP26", Decimal(500))
    ]


def test_f12_funding_over_the_envelope_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    book = opened(f12.export(plan))
    ws = book["F12"]
    headers = [c.value for c in ws[C_FIRST - 2]]
    budget_col = next(
        i for i, h in enumerate(headers, start=1) if h and str(h).startswith("2. NS-X")
    )
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    ntp_col = next(i for i, h in enumerate(headers, start=1) if h and str(h).startswith("1. NTP"))
    ws.cell(row=rows["Đường xóm Trên"], column=ntp_col, value=200)
    ws.cell(row=rows["Đường xóm Trên"], column=budget_col, value=300)
    ws.cell(row=rows["Sửa phòng học"], column=budget_col, value=350)  # 300 + 350 > 400
    record = upload(plan, planner, saved(book), form="F12")
    assert record.result == "refused"
    error = record.errors[0]
    letter = chr(ord("A") + budget_col - 1)
    assert (error["row"], error["column"]) == (rows["Sửa phòng học"], letter), record.errors
    assert "NS-X" in error["message"]
    assert not CommuneLine.objects.filter(plan=plan, decision=Decision.FUNDED).exists()


def test_a_commune_form_of_another_plan_is_refused(commune: dict[str, Any]) -> None:
    plan, planner = commune["plan"], commune["planner"]
    village_plan, _village_planner = plan_with_lines()
    from kehoach.exchange.forms import f6

    record = upload(plan, planner, f6.export(village_plan), form="F9")
    assert record.result == "refused"
    assert "F9" in record.errors[0]["message"]


def test_f8_a_wrong_attendee_is_named_on_the_attendance_sheet() -> None:
    plan, planner = plan_with_lines()
    book = opened(f8.export(plan))
    ws = book["F8"]
    for key, value in MEETING.items():
        ws[f"B{_row_of(book, 'F8', key)}"] = value
    people = book["Danh sách dự họp"]
    people[f"B{FIRST_ROW}"], people[f"C{FIRST_ROW}"] = "Nguyễn Thị Hoa", "Nữ"
    people[f"B{FIRST_ROW + 1}"], people[f"C{FIRST_ROW + 1}"] = "Trần " * 40, "Nam"
    record = upload(plan, planner, saved(book), form="F8")
    assert record.result == "refused"
    error = next(e for e in record.errors if e["sheet"] != "F8")
    assert (error["sheet"], error["row"], error["column"]) == (
        "Danh sách dự họp",
        FIRST_ROW + 1,
        "B",
    )
    assert not VillageMeeting.objects.filter(plan=plan).exists()
