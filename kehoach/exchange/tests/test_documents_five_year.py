"""The commune five-year plan document (issue 18, item 6): its Vietnamese text in the PDF and
the Word file (diacritics, the title with the years, sectors, amounts written 1.234,5), its
parts computed from the approved snapshot, the draft marked as such, the download's access
(another commune 404, a visitor the login page) and a fixed number of queries."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.accounts.tests.factories import commune_planner
from kehoach.approvals.models import Version
from kehoach.geo.tests.factories import dong_hoi
from kehoach.midterm.models import MediumTermCommunePlan, MediumTermRound
from kehoach.midterm.services.commune import commune_line_decide, commune_plan_for
from kehoach.midterm.services.commune_synthesis import commune_plan_synthesise
from kehoach.midterm.services.commune_workflow import (
    commune_five_year_approve,
    commune_five_year_transition,
)
from kehoach.midterm.services.frame import frame_line_save
from kehoach.midterm.tests.commune_world import activity, world
from kehoach.plans.tests.factories import profile, sector, source
from kehoach.synthesis.choices import Decision, LineState

from ..documents.five_year import FiveYearPlanDocument, five_year_document_filename
from ..documents.pdf import document_html, html_to_pdf
from ..documents.word import document_docx
from .test_documents import docx_text, pdf_text, t

pytestmark = pytest.mark.django_db

RESOLUTION = {
    "resolution_number": "12/NQ-HĐND",
    "resolution_date": datetime.date(2025, 12, 20),
    "signer": "Lê Văn Sơn",
}
SCHOOL = "Xây phòng học trường mầm non thôn An Thơ"
EDUCATION = "Giáo dục – đào tạo"
ROAD_SECTOR = "Hạ tầng: giao thông"


def _line(plan: MediumTermCommunePlan, village_line: Any) -> Any:
    return plan.lines.get(state=LineState.ACTIVE, sources__village_line=village_line)


def five_year_world(*, approve: bool = True) -> dict[str, Any]:
    """Hải Lăng's period 2026–2030: three funded lines (one of 1.234,5 million VND in 2027, in
    education), one not funded with its reason, a frame of 5.000 million VND a year."""
    w = world()
    w["school"] = activity(
        w["plan_b"],
        2,
        {2027: ("1", "1234.5")},
        sector=sector("GD-DT", EDUCATION, 20),
        activity=SCHOOL,
    )
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    plan = commune_plan_for(w["round"])
    for name in ("a1", "b1", "school"):
        commune_line_decide(actor=w["planner"], line=_line(plan, w[name]), decision=Decision.FUNDED)
    commune_line_decide(
        actor=w["planner"],
        line=_line(plan, w["a2"]),
        decision=Decision.UNFUNDED,
        reason="Chờ nguồn vốn tỉnh năm 2028",
    )
    for year in (2026, 2027, 2028, 2029):
        frame_line_save(
            actor=w["planner"],
            plan=plan,
            data={"source": source(), "year": year, "amount_mvnd": Decimal(5000)},
        )
    if approve:
        plan = commune_five_year_transition(actor=w["planner"], plan=plan, action="submit")
        plan = commune_five_year_approve(actor=w["approver"], plan=plan, data=RESOLUTION)
        w["version"] = Version.objects.get(plan_uid=plan.uid)
    w["plan"] = MediumTermCommunePlan.objects.select_related("round__commune").get(pk=plan.pk)
    return w


def _url(round_: MediumTermRound, fmt: str = "pdf") -> str:
    return reverse("exchange:five_year_document", args=[round_.uid, fmt])


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _name(response: Any) -> str:
    return str(response["Content-Disposition"].split('filename="')[1].rstrip('"'))


def _common_checks(text: str) -> None:
    assert unicodedata.normalize("NFC", text) == text
    assert t("FIVE-YEAR SOCIO-ECONOMIC DEVELOPMENT PLAN %(period)s", period="2026–2030") in text
    assert "2026–2030" in text
    assert t("PEOPLE'S COMMITTEE") in text and "XÃ HẢI LĂNG" in text
    assert t("SOCIALIST REPUBLIC OF VIET NAM") in text
    assert EDUCATION in text and ROAD_SECTOR in text
    assert SCHOOL in text and "Thôn Diên Sanh" in text and "Thôn An Thơ" in text
    assert "1.234,5" in text  # the school's cost in 2027, in million VND
    assert "Chờ nguồn vốn tỉnh năm 2028" in text  # the reason, in the annex


def test_the_pdf_of_an_approved_plan_writes_vietnamese_with_the_period_and_amounts() -> None:
    w = five_year_world()
    document = FiveYearPlanDocument(w["plan"], w["version"]).document()
    text = pdf_text(html_to_pdf(document_html(document, "five_year_plan.html")))
    _common_checks(text)
    assert "12/NQ-HĐND" in text and "20/12/2025" in text
    assert t("DRAFT") not in text
    for title in ("I. Bases and evaluation", "II. Objectives and tasks", "III. Resource frame"):
        assert t(title) in text
    assert t("IV. Organisation of the implementation") in text


def test_the_word_file_opens_and_says_the_same() -> None:
    w = five_year_world()
    document = FiveYearPlanDocument(w["plan"], w["version"]).document()
    text = docx_text(document_docx(document))
    _common_checks(text)
    assert "12/NQ-HĐND" in text and t("DRAFT") not in text


def test_the_parts_are_computed_from_the_snapshot() -> None:
    w = five_year_world()
    doc = FiveYearPlanDocument(w["plan"], w["version"])
    # part II: the lines in the plan (funded and not funded) with a cost per year and in total
    table = doc.activities_table()
    total = next(row for row in table.rows if row.style == "total")
    # years 2026..2030: quantity, cost; then total quantity (blank), total cost
    costs = total.cells[5:15:2]
    assert costs == [Decimal(550), Decimal("1434.5"), Decimal(100), Decimal(150), Decimal(0)]
    assert total.cells[-2] == Decimal("2234.5")
    assert total.cells[4] is None  # quantities of different units are not added up
    groups = [row.cells[0] for row in table.rows if row.style == "group"]
    assert sorted(groups) == sorted([EDUCATION, ROAD_SECTOR])
    # part III: the frame of NTP26 per year against the funded lines' support
    frame = doc.frame_table()
    given = next(row for row in frame.rows if len(row.cells) > 1 and row.cells[1] == t("Frame"))
    asked = next(
        row for row in frame.rows if len(row.cells) > 1 and row.cells[1] == t("Funded lines")
    )
    left = next(row for row in frame.rows if len(row.cells) > 1 and row.cells[1] == t("Left"))
    assert given.cells[2:] == [Decimal(5000)] * 4 + [Decimal(0), Decimal(20000)]
    # 2026: 300/500 × 400 + 250/400 × 300; 2027: 200/500 × 400 + 1.234,5; 2029: 150/400 × 300
    assert asked.cells[2:7] == [
        Decimal("427.5"),
        Decimal("1394.5"),
        Decimal(0),
        Decimal("112.5"),
        Decimal(0),
    ]
    assert left.cells[2] == Decimal("4572.5")
    assert f"NTP26 – {source().name}" in [row.cells[0] for row in frame.rows]


def test_a_draft_is_marked_and_reads_the_plan_as_it_is_now() -> None:
    w = five_year_world(approve=False)
    document = FiveYearPlanDocument(w["plan"], None).document()
    assert document.cover.draft and document.cover.draft_label == t("DRAFT")
    text = pdf_text(html_to_pdf(document_html(document, "five_year_plan.html")))
    assert "DỰ THẢO" in text and "12/NQ-HĐND" not in text
    assert SCHOOL in text and "1.234,5" in text
    assert five_year_document_filename(w["plan"], None, "pdf") == (
        f"ke-hoach-5-nam-xa-{w['commune'].code}-2026-2030-du-thao.pdf"
    )


def test_the_document_reads_a_fixed_number_of_queries() -> None:
    w = five_year_world()
    with CaptureQueriesContext(connection) as few:
        FiveYearPlanDocument(w["plan"], w["version"]).document()
    plan_c = w["plan_b"]
    for number in range(3, 13):
        activity(plan_c, number, {2030: ("1", "10")})
    commune_five_year_transition(actor=w["planner"], plan=w["plan"], action="amend", comment="x")
    commune_plan_synthesise(actor=w["planner"], round_=w["round"])
    plan = MediumTermCommunePlan.objects.select_related("round__commune").get(pk=w["plan"].pk)
    with CaptureQueriesContext(connection) as many:
        doc = FiveYearPlanDocument(plan, None)
        doc.document()
    assert len(doc.lines) > 12
    assert len(few) <= 3
    # the draft's snapshot reads the lines (four queries) and the frame (one) besides
    assert len(many) <= len(few) + 5


# --- the download -----------------------------------------------------------------------------


def test_the_plan_downloads_as_pdf_and_word_with_ascii_names() -> None:
    w = five_year_world()
    client = _client(w["planner"])
    code = w["commune"].code
    response = client.get(_url(w["round"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _name(response) == f"ke-hoach-5-nam-xa-{code}-2026-2030.pdf"
    assert "12/NQ-HĐND" in pdf_text(response.content)
    response = client.get(_url(w["round"], "docx"))
    assert response.status_code == 200
    assert _name(response) == f"ke-hoach-5-nam-xa-{code}-2026-2030.docx"
    assert "1.234,5" in docx_text(response.content)
    draft = client.get(_url(w["round"], "docx") + "?draft=1")
    assert _name(draft) == f"ke-hoach-5-nam-xa-{code}-2026-2030-du-thao.docx"
    assert t("DRAFT") in docx_text(draft.content)
    assert client.get(_url(w["round"], "docx") + "?version=1").status_code == 200
    for wrong in ("?version=2", "?version=abc", "?version=-1"):
        assert client.get(_url(w["round"], "docx") + wrong).status_code == 404, wrong
    assert client.get(_url(w["round"], "odt")).status_code == 404


def test_another_commune_gets_404_and_a_visitor_the_login() -> None:
    w = five_year_world(approve=False)
    other = commune_planner(dong_hoi())
    assert _client(other).get(_url(w["round"], "docx")).status_code == 404
    response = Client().get(_url(w["round"], "docx"))
    assert response.status_code == 302 and "login" in response["Location"]
    # a period whose commune plan is not started yet: nothing to print
    empty = MediumTermRound.objects.create(
        commune=w["commune"], first_year=2031, last_year=2035, profile=profile()
    )
    assert _client(w["planner"]).get(_url(empty, "docx")).status_code == 404
