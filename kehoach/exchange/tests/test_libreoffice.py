"""The exported workbooks in a real spreadsheet: LibreOffice (headless) opens them, recalculates
every formula, and the totals rows equal the totals kehoach shows on its pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.exchange.forms import f6, f12
from kehoach.exchange.reading import open_workbook
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.selectors import lines_by_sector, plan_lines
from kehoach.synthesis.reports import financial_plan
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import libreoffice_convert, plan_with_lines

pytestmark = pytest.mark.django_db


def _totals_row(data: bytes, sheet: str) -> list[Any]:
    grid = open_workbook(data, "bieu.xlsx").sheet(sheet).grid
    return next(row for row in grid if len(row) > 1 and row[1] == "Tổng cộng")


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def test_f6_totals_recalculated_by_libreoffice_equal_the_plan_page() -> None:
    plan, _planner = plan_with_lines()
    recalculated = libreoffice_convert(f6.export(plan), "xlsx", "xlsx")
    totals = _totals_row(recalculated, "F6")
    _groups, grand = lines_by_sector(plan_lines(plan))
    # columns I, J, P: total cost, contribution, external support
    assert [_money(totals[i]) for i in (8, 9, 15)] == [
        _money(grand.total_cost),
        _money(grand.contribution),
        _money(grand.support),
    ]
    assert _money(totals[8]) == Decimal("600.000")


def test_f12_totals_recalculated_by_libreoffice_equal_the_financial_plan() -> None:
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity="Đường xóm Trên")])
    sf.submitted_plan(b, [sf.money_line("400", "50.5", sector=school, activity="Sửa phòng học")])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), "1000", sector_=road)
    budget = sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    for line in plan.lines.all():
        funding = (
            {ntp: Decimal(500)} if line.activity == "Đường xóm Trên" else {budget: Decimal("349.5")}
        )
        line_decide(actor=planner, line=line, decision="funded", reason="Đủ vốn", funding=funding)

    recalculated = libreoffice_convert(f12.export(plan), "xlsx", "xlsx")
    totals = _totals_row(recalculated, "F12")
    report = financial_plan(plan)
    grand = report.total
    # D total cost, E support, F and G the two envelope lines, H cash contribution
    assert _money(totals[3]) == _money(grand.total)
    assert _money(totals[4]) == _money(grand.support)
    assert [_money(totals[5]), _money(totals[6])] == [Decimal("500.000"), Decimal("349.500")]
    assert _money(totals[7]) == _money(grand.cash)
