"""Small things of issue 13 (point 8) in the workbooks and the plan document: the F12 workbook
and the financial plan table of the document show a contribution that was not broken down as
such, never as cash; the preview of a new line of an F6 upload shows every field it fills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kehoach.exchange.forms import f6, f12
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf
from kehoach.synthesis.versions import plan_snapshot

from ..documents.tables import finance_table
from .helpers import FIRST_ROW, column_letter, opened, plan_with_lines, saved, upload

pytestmark = pytest.mark.django_db
D = Decimal
C_FIRST = FIRST_ROW - 1
ROAD = "Đường xóm Trên"


@pytest.fixture
def unsplit() -> dict[str, Any]:
    """A funded road whose 100 of contribution was never broken down by kind, and a school
    whose 50 is cash."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(
        a,
        [
            {
                **sf.money_line("600", "100", sector=road, activity=ROAD),
                "contribution_cash_mvnd": D(0),
            }
        ],
    )
    sf.submitted_plan(b, [sf.money_line("400", "50", sector=school, activity="Sửa phòng học")])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), "1000", sector_=road)
    budget = sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    for line, envelope_line, amount in (
        (plan.lines.get(activity=ROAD), ntp, D(500)),
        (plan.lines.get(activity="Sửa phòng học"), budget, D(350)),
    ):
        line_decide(
            actor=planner,
            line=line,
            decision=Decision.FUNDED,
            reason="Đủ điều kiện",
            funding={envelope_line: amount},
        )
    road_line = CommuneLine.objects.get(plan=plan, activity=ROAD)
    assert (road_line.contribution_mvnd, road_line.contribution_cash_mvnd) == (100, 0)
    return {"plan": plan, "planner": planner}


def test_the_f12_workbook_shows_the_part_not_broken_down_in_its_own_column(
    unsplit: dict[str, Any],
) -> None:
    plan, planner = unsplit["plan"], unsplit["planner"]
    book = opened(f12.export(plan))
    ws = book["F12"]
    letters = {
        header: next(
            cell.column_letter
            for row in (C_FIRST - 2, C_FIRST - 1)
            for cell in ws[row]
            if cell.value == header
        )
        for header in ("Tiền mặt", "Chưa phân loại")
    }
    rows = {ws[f"C{r}"].value: r for r in range(C_FIRST, C_FIRST + 2)}
    road, school = rows[ROAD], rows["Sửa phòng học"]
    assert ws[f"{letters['Chưa phân loại']}{road}"].value == 100
    assert ws[f"{letters['Tiền mặt']}{road}"].value in (0, None)
    assert ws[f"{letters['Tiền mặt']}{school}"].value == 50
    assert ws[f"{letters['Chưa phân loại']}{school}"].value in (0, None)
    # read back unchanged: the extra column changes nothing
    record = upload(plan, planner, saved(book), form="F12")
    assert record.result == "previewed", record.errors
    assert record.summary["changes"] == []


def test_the_document_s_financial_plan_has_the_same_column(unsplit: dict[str, Any]) -> None:
    data = plan_snapshot(unsplit["plan"])
    funded = [x for x in data["lines"] if x["decision"] == "funded" and x["state"] == "active"]
    with translation.override("vi"):
        table = finance_table(funded, [("NTP26", "CTMTQG"), ("NS-X", "Ngân sách xã")])
    labels = [c.label for c in table.columns]
    assert "Chưa phân loại" in labels
    rows = {row.cells[1]: row.cells for row in table.rows if row.style == ""}
    road = rows[ROAD]
    assert road[labels.index("Tiền mặt")] == 0
    assert road[labels.index("Chưa phân loại")] == 100
    assert road[labels.index("Đóng góp của cộng đồng")] == 100


# --- F6: the preview of a new line ----------------------------------------------------------


def test_the_preview_of_a_new_line_shows_every_field_it_fills() -> None:
    plan, planner = plan_with_lines()
    book = opened(f6.export(plan))
    ws = book["F6"]
    row = FIRST_ROW + 2
    values = {
        "STT": 3,
        "Lĩnh vực": "Hạ tầng: giao thông",
        "Tên hoạt động / công trình": "Làm cầu tràn",
        "Địa điểm": "Khe Sâu",
        "Đơn vị tính": "km",
        "Khối lượng": 0.5,
        "Bắt đầu (tháng/năm)": "05/2027",
        "Kết thúc (tháng/năm)": "08/2027",
        "Tổng kinh phí": 200,
        "Tổng": 20,
        "Tiền mặt": 20,
        "Hỗ trợ từ bên ngoài đề nghị": 180,
        "Tổng số hộ": 45,
        "Hộ nghèo": 6,
        "Phương thức thực hiện": "Cộng đồng tự thực hiện",
        "Thứ tự ưu tiên (1–3)": 2,
        "Ghi chú": "Mùa mưa hay ngập",
    }
    for header, value in values.items():
        ws[f"{column_letter(book, header)}{row}"] = value

    record = upload(plan, planner, saved(book))

    assert record.result == "previewed", record.errors
    (added,) = [c for c in record.summary["changes"] if c["kind"] == "add"]
    shown = {label: after for label, _before, after in added["fields"]}
    assert len(shown) > 5  # not five chosen fields any more
    assert shown["Địa điểm"] == "Khe Sâu"
    assert shown["Phương thức thực hiện"] == "Cộng đồng tự thực hiện"  # the label, not the code
    assert shown["Thứ tự ưu tiên"] == "2" and shown["Ghi chú"] == "Mùa mưa hay ngập"
    assert shown["Tổng kinh phí"] == "200" and shown["Dân đóng góp"] == "20"
    assert all(after not in ("", "—") for after in shown.values())  # only what it fills
