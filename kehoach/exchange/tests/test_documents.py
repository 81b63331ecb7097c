"""The documents: the commune plan (PDF and Word) with its parts, names and totals; the draft
marked as such; part I from the previous year's evaluation; the feedback sheet of a village with
every proposal's fate; the A0 poster; a fixed number of queries whatever the size of the plan.

PDFs are read back with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm), Word files with
python-docx. Headings are compared with gettext of their msgid under Vietnamese, so the tests
hold before and after the Vietnamese catalogue has them; names and amounts are data.
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from docx import Document as open_docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from kehoach.approvals.models import Version
from kehoach.catalog.models import Indicator
from kehoach.core.errors import NotFoundError
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.services.evaluation import plan_evaluation_save
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.monitoring.tests.factories import FARM, ROAD, SCHOOL, followed_plan, report_data
from kehoach.plans.models import (
    BasicInfo,
    Problem,
    SwotEntry,
    VillageMeeting,
    VillagePlan,
)
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.models import CommunePlan, TargetValue
from kehoach.synthesis.services.funding import allocation_run
from kehoach.synthesis.services.lines import commune_plan_synthesise, lines_merge
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from ..documents.commune import CommunePlanDocument, commune_document_filename
from ..documents.model import (
    Column,
    Cover,
    Document,
    Part,
    Signature,
    Table,
    number_text,
    rendered_rows,
    runs,
)
from ..documents.pdf import document_pdf
from ..documents.tables import activities_table, not_funded_table, synthesis_table
from ..documents.village import FeedbackSheet, VillagePoster
from ..documents.word import document_docx

pytestmark = pytest.mark.django_db
D = Decimal
RESOLUTION = {
    "resolution_number": "25/NQ-HĐND",
    "resolution_date": datetime.date(2026, 12, 1),
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
}


# --- reading documents back -------------------------------------------------------------------


def pdf_text(data: bytes, *args: str) -> str:
    """The PDF's text with whitespace collapsed (lines wrapped in a cell join up again)."""
    out = subprocess.run(
        ["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


def pdf_info(data: bytes, tmp_path: Path, name: str = "doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, check=True
    ).stdout.decode()


def page_sizes(info: str) -> list[tuple[float, float]]:
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    ]


def docx_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            parts.extend(p.text for p in header.paragraphs)
    return " ".join(" ".join(parts).split())


def t(msgid: str, **values: Any) -> str:
    """The msgid as the document writes it in Vietnamese (its translation once there is one)."""
    with translation.override("vi"):
        text = gettext(msgid)
    return " ".join((text % values if values else text).split())


# --- worlds -----------------------------------------------------------------------------------


def enrich(world: dict[str, Any]) -> None:
    """Village analysis for part II and the annexes: basic information, SWOT, a problem, the
    meetings, and two targets of the plan."""
    a, b = world["villages"]
    for village, households, poor, people in ((a, 120, 30, 480), (b, 80, 10, 300)):
        plan = VillagePlan.objects.get(village=village)
        BasicInfo.objects.create(
            plan=plan,
            total_households=households,
            population=people,
            poor_households=poor,
            em_households=0,
            income_per_capita_mvnd=D(40),
            has_cultural_house=village == a,
        )
        VillageMeeting.objects.create(
            plan=plan,
            held_on=datetime.date(2026, 8, 15),
            chair="Trần Văn Hòa",
            households_total=households,
            households_represented=households - 20,
            participants_total=households - 10,
            participants_women=40,
            participants_poor=12,
            decision="Thông qua kế hoạch năm 2027",
            votes_agree=households - 15,
        )
    plan_a = VillagePlan.objects.get(village=a)
    road = world["road"].sector
    SwotEntry.objects.create(
        plan=plan_a,
        sector=road,
        strengths="Dân sẵn sàng góp công",
        weaknesses="Đường đất lầy lội mùa mưa",
    )
    Problem.objects.create(
        plan=plan_a,
        sector=road,
        problem="Đường xóm Trên hư hỏng",
        causes="Mưa lũ\nXe tải chở cát",
        affected_households=60,
        affected_poor=15,
        priority=1,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    found["version"] = Version.objects.get(plan_uid=found["plan"].uid)
    return found


@pytest.fixture
def rich(world: dict[str, Any]) -> dict[str, Any]:
    enrich(world)
    return world


def vi_pdf(plan: CommunePlan, version: Version | None) -> bytes:
    with translation.override("vi"):
        return document_pdf(CommunePlanDocument(plan, version).document())


def vi_docx(plan: CommunePlan, version: Version | None) -> bytes:
    with translation.override("vi"):
        return document_docx(CommunePlanDocument(plan, version).document())


ACTIVITIES = [
    "Bê tông hóa đường giao thông nội đồng từ cầu Bến Đá đến xứ đồng Cồn Tranh",
    "Xây dựng phòng học mẫu giáo tại điểm trường thôn, có nhà vệ sinh và sân chơi",
    "Hỗ trợ giống lúa chất lượng cao vụ Hè Thu cho các hộ nghèo và cận nghèo",
    "Kéo nhánh đường ống cấp nước sạch đến xóm Giếng và xóm Bàu của thôn",
    "Sửa chữa, nâng cấp nhà văn hóa thôn và mua sắm bàn ghế, loa đài",
]
LOCATION = "Xứ đồng Cồn Tranh, giáp ranh thôn Trà Lộc"
LONG_REASON = (
    "Vượt khung vốn của các nguồn phù hợp (NTP26, NS-X, ODA lĩnh vực Giáo dục – đào tạo, dạy "
    "nghề): tất cả còn 0 triệu, cần 455,0 triệu; xã đề nghị huyện bố trí bổ sung khi có nguồn "
    "vốn điều chỉnh giữa năm."
)


def plan_in(
    commune: AdministrativeUnit,
    villages: int,
    lines: int,
    *,
    enriched: bool = True,
    realistic: bool = False,
) -> dict[str, Any]:
    """A published 2027 plan of ``villages`` villages with ``lines`` proposals each, decided by
    the allocation, made through the real services. ``realistic``: five sectors, long names
    and locations, quantities 0,8 and long reasons of the commune, as in a real village."""
    names = [f"Thôn Số {i + 1}" for i in range(villages)]
    places = sf.villages(commune, names)
    sectors = [sf.transport(), sf.education(), sf.agriculture()]
    if realistic:
        sectors += [
            sf.sector("NS-VS", "Nước sạch, vệ sinh môi trường", 70),
            sf.sector("VH", "Nhà văn hóa, khu thể thao", 90),
        ]

    def line(n: int) -> dict[str, Any]:
        sector = sectors[n % len(sectors)]
        if not realistic:
            return sf.money_line(
                str(100 + 10 * n), "20", sector=sector, activity=f"Công trình {n + 1}"
            )
        return sf.money_line(
            str(1000 + 10 * n),
            "120",
            sector=sector,
            activity=f"{ACTIVITIES[n % len(ACTIVITIES)]} ({n + 1})",
            location=LOCATION,
            quantity=D("0.8"),
            priority=n // len(sectors) % 3 + 1,
        )

    for village in places:
        sf.submitted_plan(village, [line(n) for n in range(lines)])
    round_ = sf.round_of(commune)
    planner, approver = sf.planner(commune), sf.approver(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    sf.envelope_line(round_, sf.ntp(), str(70 * villages * lines + 100))
    allocation_run(actor=planner, plan=plan)
    if realistic:  # what a commune writes when the money runs short
        plan.lines.update(decision_reason=LONG_REASON)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()
    world = {
        "plan": plan,
        "villages": places,
        "version": Version.objects.get(plan_uid=plan.uid),
        "planner": planner,
    }
    if enriched:
        for village in places:
            vp = VillagePlan.objects.get(village=village)
            BasicInfo.objects.create(plan=vp, total_households=50, population=200)
            SwotEntry.objects.create(plan=vp, sector=sectors[0], strengths="Đất đai")
            Problem.objects.create(plan=vp, sector=sectors[0], problem="Thiếu đường")
            VillageMeeting.objects.create(
                plan=vp,
                held_on=datetime.date(2026, 8, 1),
                chair="Ông A",
                households_total=50,
                households_represented=40,
                participants_total=45,
                decision="Thông qua",
                votes_agree=40,
            )
    return world


# --- the document model -----------------------------------------------------------------------


def test_numbers_are_written_the_vietnamese_way() -> None:
    assert number_text(D("1234.5"), "money", 1) == "1.234,5"
    assert number_text(D("1234.5"), "money", 0) == "1.235"
    assert number_text(D("2.500"), "qty") == "2,5"
    assert number_text(D("62.54"), "pct") == "62,5%"
    assert number_text(7, "int") == "7"
    assert number_text(datetime.date(2026, 3, 5), "text") == "05/03/2026"
    assert number_text(None, "money") == ""
    table = Table([Column("A"), Column("B", "money", blank_zero=True)])
    table.group("Nhóm")
    table.add("x", D(0))
    table.add("y", D("1000"), style="total")
    rows = list(rendered_rows(table, 1))
    assert [(style, [c.text for c in cells]) for style, cells in rows] == [
        ("group", ["Nhóm"]),
        ("", ["x", ""]),
        ("total", ["y", "1.000,0"]),
    ]
    assert rows[0][1][0].span == 2


def _line(number: int, sector: str, order: int, decision: str, total: str, **extra: Any) -> Any:
    support = str(D(total) - D(10))
    return {
        "uid": f"u{number}",
        "number": number,
        "state": "active",
        "sector": sector,
        "sector_name": f"Lĩnh vực {sector}",
        "sector_order": order,
        "activity": f"Hoạt động {number}",
        "location": "",
        "organisation": "",
        "unit": "km",
        "quantity": "1",
        "start": "2027-03",
        "end": "2027-06",
        "total": total,
        "contribution": "10",
        "support": support,
        "decision": decision,
        "decision_reason": f"Lý do {number}",
        "funding": [{"source": "NTP26", "source_name": "CTMTQG", "amount": support}]
        if decision == Decision.FUNDED
        else [],
        "sources": [
            {
                "village_line": f"v{number}",
                "village": "19702-001",
                "village_name": "Thôn Diên Sanh",
                "number": number,
                "activity": f"Hoạt động {number}",
                "priority": 1,
                "share": "1",
                "total": total,
                "contribution": "10",
                "support": support,
            }
        ],
        **extra,
    }


def test_the_tables_group_by_sector_and_decision() -> None:
    lines = [
        _line(1, "B", 20, Decision.FUNDED, "100"),
        _line(2, "A", 10, Decision.UNFUNDED, "50"),
        _line(3, "A", 10, Decision.DEFERRED, "40"),
        _line(4, "B", 20, Decision.REJECTED, "30"),
        _line(5, "A", 10, Decision.UNFUNDED, "20"),
    ]
    with translation.override("vi"):
        not_funded = not_funded_table(lines)
        synthesis = synthesis_table(lines)
        works = activities_table([x for x in lines if x["decision"] == Decision.FUNDED])
        labels = {d: str(Decision(d).label) for d in Decision.values}

    def shown(table: Table) -> list[tuple[str, list[str]]]:
        return [(style, [c.text for c in cells]) for style, cells in rendered_rows(table, 1)]

    rows = shown(not_funded)
    assert [cells[0] for style, cells in rows if style == "group"] == [
        labels["unfunded"],
        labels["deferred"],
        labels["rejected"],
    ]
    assert [cells[0] for style, cells in rows if style == ""] == ["2", "5", "3", "4"]
    assert [cells[4] for style, cells in rows if style == "subtotal"] == ["50,0", "30,0", "20,0"]
    rows = shown(synthesis)
    assert [cells[0] for style, cells in rows if style == "group"] == ["Lĩnh vực A", "Lĩnh vực B"]
    assert rows[-1][0] == "total" and rows[-1][1][4] == "240,0"  # every line, both sectors
    rows = shown(works)
    assert [cells[0] for style, cells in rows if style == ""] == ["1"]
    assert rows[-1][1][7:10] == ["100,0", "10,0", "90,0"]


def test_an_introduction_goes_on_the_landscape_page_of_its_table() -> None:
    """Headings and short paragraphs just before a wide table go on its landscape page, and so
    does a short text closing the part after it; long texts, lists and portrait tables stay on
    portrait pages."""
    wide = Table([Column("A")], wide=True)
    wide.add("x")
    narrow = Table([Column("A")])
    narrow.add("y")
    part = Part("Phần I")
    part.bullets(["Căn cứ"])
    part.paragraph("Đoạn dài. " * 200)
    part.heading("1. Công trình")
    part.paragraph("Kế hoạch có 2 công trình.")
    part.table(wide)
    part.heading("2. Vốn")
    part.table(narrow)
    part.table(Table([Column("A")], wide=True, title="Phụ lục", empty="Không có."))
    part.table(wide)
    part.paragraph("Còn 3 hoạt động chưa có vốn.")
    shown = [(is_wide, [b.kind for b in blocks]) for is_wide, blocks in runs(part)]
    assert shown == [
        (False, ["bullets", "paragraph"]),
        (True, ["heading", "paragraph", "table"]),
        (False, ["heading", "table"]),
        (True, ["table", "table", "paragraph"]),  # the empty table is a title and a sentence
    ]
    opening = Part("Phần III")
    opening.paragraph("Mục tiêu.")
    opening.table(wide)
    assert [is_wide for is_wide, _blocks in runs(opening)] == [True]


def test_a_detail_is_a_line_across_the_table() -> None:
    """A row's detail (the reason of a decision) is printed under it across the table, in the
    PDF and in Word, with the heading of the details under the column headings."""
    table = Table(
        [Column("STT", "int", 0.5), Column("Đề xuất", width=3), Column("Hỗ trợ", "money")],
        detail_label="Lý do",
    )
    table.add(1, "Đường xóm Trên", D(500), detail="Đủ điều kiện, ưu tiên 1")
    table.add(None, "Tổng cộng", D(500), style="total")
    part = Part("Phần")
    part.table(table)
    cover = Cover("UBND", "XÃ", "Số", "Tiêu đề", "", "", "", False, "")
    document = Document(cover, [part], Signature("TM.", "CHỦ TỊCH"), 1, "vi", "Trang")
    text = pdf_text(document_pdf(document), "-layout")
    assert re.search(r"Đường xóm Trên\s+500,0\s+Đủ điều kiện, ưu tiên 1\s+Tổng cộng", text)
    doc = open_docx(io.BytesIO(document_docx(document)))
    grid = doc.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in grid.rows]
    assert rows[1] == ["", "Lý do", "Lý do"]  # a merged cell shows in each column it spans
    assert rows[2] == ["1", "Đường xóm Trên", "500,0"]
    assert rows[3] == ["", "Đủ điều kiện, ưu tiên 1", "Đủ điều kiện, ưu tiên 1"]
    assert rows[4] == ["", "Tổng cộng", "500,0"]


# --- the commune plan document ----------------------------------------------------------------


def test_the_pdf_has_the_parts_names_and_totals(rich: dict[str, Any], tmp_path: Path) -> None:
    plan, version = rich["plan"], rich["version"]
    data = vi_pdf(plan, version)
    text = pdf_text(data)
    for heading in (
        t("SOCIO-ECONOMIC DEVELOPMENT PLAN FOR %(year)s", year=2027),
        t("Legal bases"),
        t("Part I. Evaluation of the implementation of the %(year)s plan", year=2026),
        t("Part II. Basic information and situation of the commune"),
        t("Part III. Plan for %(year)s", year=2027),
        t("Part IV. Financial plan by funding source"),
        t("Part V. Implementation, monitoring and supervision"),
        t("Annex 1. Proposals of the villages (form F6, million VND)"),
        t("Annex 2. Participation in the village meetings (form F8)"),
        t("Annex 3. Synthesis of the village proposals (form F9, million VND)"),
        t("SOCIALIST REPUBLIC OF VIET NAM"),
    ):
        assert heading in text, heading
    # column headings already in the Vietnamese catalogue
    for heading in ("Tổng kinh phí", "Dân đóng góp", "Quyết định của xã", "Khung nguồn lực"):
        assert heading in text
    for name in (
        "xã Hải Lăng",  # inside a sentence: the kind word in lower case
        "XÃ HẢI LĂNG",
        "Thôn Diên Sanh",
        "Thôn Mỹ Chánh",
        ROAD,
        SCHOOL,
        FARM,
    ):
        assert name in text, name
    assert "25/NQ-HĐND" in text and "01/12/2026" in text
    # part III and IV: funded works 600 + 400, 500 + 350 from the sources, 150 contributed
    assert "1.000,0" in text and "850,0" in text and "150,0" in text
    # the envelope 900 + 400 against 850 used; the synthesis of every line 1.030
    assert "1.300,0" in text and "450,0" in text and "1.030,0" in text
    # annex 4: the training without funding, with its reason
    assert "Chưa có nguồn vốn phù hợp" in text
    # part II from the villages: 200 households, 40 poor (20,0%); SWOT and problems
    assert "200" in text and "20,0%" in text
    assert "Dân sẵn sàng góp công" in text and "Xe tải chở cát" in text
    assert t("DRAFT") not in text
    info = pdf_info(data, tmp_path)
    sizes = page_sizes(info)
    assert (round(sizes[0][0]), round(sizes[0][1])) == (595, 842)  # A4 portrait cover
    assert any(w > h for w, h in sizes), "wide tables are on landscape pages"
    assert t("Page") + f" 2/{len(sizes)}" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "doc.pdf")], capture_output=True, check=True
    ).stdout.decode()
    noto = [line for line in fonts.splitlines() if "Noto" in line]
    assert noto and all(" yes yes yes " in line for line in noto)  # embedded subsets, Unicode


def test_every_page_renders_to_an_image(world: dict[str, Any], tmp_path: Path) -> None:
    data = vi_pdf(world["plan"], world["version"])
    (tmp_path / "doc.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(tmp_path / "doc.pdf"), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(page_sizes(pdf_info(data, tmp_path))) >= 8
    assert all(image.stat().st_size > 500 for image in images)


def test_table_headers_repeat_on_every_page(world: dict[str, Any], tmp_path: Path) -> None:
    """A long synthesis table runs over several landscape pages, its header on each."""
    big = plan_in(dong_hoi(), villages=6, lines=8, enriched=False)
    data = vi_pdf(big["plan"], big["version"])
    (tmp_path / "doc.pdf").write_bytes(data)
    sizes = page_sizes(pdf_info(data, tmp_path))
    heading = t("Decision of the commune")
    pages_with_heading = 0
    for number, (width, height) in enumerate(sizes, start=1):
        page = pdf_text(data, "-f", str(number), "-l", str(number))
        if width > height and heading in page:
            pages_with_heading += 1
    assert pages_with_heading >= 3  # annex 1 and annex 3, each over more than one page


def test_the_word_file_has_the_same_totals(rich: dict[str, Any]) -> None:
    data = vi_docx(rich["plan"], rich["version"])
    text = docx_text(data)
    for expected in (
        t("SOCIO-ECONOMIC DEVELOPMENT PLAN FOR %(year)s", year=2027),
        t("Part IV. Financial plan by funding source"),
        "xã Hải Lăng",
        "Thôn Diên Sanh",
        ROAD,
        "25/NQ-HĐND",
        "1.000,0",
        "850,0",
        "1.300,0",
        "1.030,0",
        "Chưa có nguồn vốn phù hợp",
    ):
        assert expected in text, expected
    doc = open_docx(io.BytesIO(data))
    assert {s.orientation for s in doc.sections} == {WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE}
    assert all(
        s.page_width is not None and round(s.page_width.mm) in (210, 297) for s in doc.sections
    )
    data_tables = [tb for tb in doc.tables if len(tb.columns) > 2]
    assert data_tables and all(
        tb.rows[0]._tr.trPr is not None and tb.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for tb in data_tables
    )
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    # only the cover goes without a number; later sections use the same footer
    assert doc.sections[0].different_first_page_header_footer
    assert not any(s.different_first_page_header_footer for s in doc.sections[1:])
    assert all(s.footer.is_linked_to_previous for s in doc.sections[1:])
    assert t("DRAFT") not in text


def test_a_draft_says_so_on_every_page(world: dict[str, Any], tmp_path: Path) -> None:
    plan = world["plan"]
    commune_plan_transition(
        actor=world["planner"], plan=plan, action="amend", comment="Thêm công trình"
    )
    plan.refresh_from_db()
    data = vi_pdf(plan, None)
    pages = len(page_sizes(pdf_info(data, tmp_path)))
    for number in range(1, pages + 1):
        assert t("DRAFT") in pdf_text(data, "-f", str(number), "-l", str(number))
    text = pdf_text(data)
    assert "25/NQ-HĐND" not in text.split(t("Legal bases"))[0]  # not presented as approved
    assert t("DRAFT") in docx_text(vi_docx(plan, None))
    approved = pdf_text(vi_pdf(plan, world["version"]))
    assert t("DRAFT") not in approved
    assert commune_document_filename(plan, None, "pdf") == "ke-hoach-xa-19702-2027-du-thao.pdf"
    assert (
        commune_document_filename(plan, world["version"], "docx") == "ke-hoach-xa-19702-2027.docx"
    )


def test_legal_bases_and_implementation_come_from_the_profile(world: dict[str, Any]) -> None:
    profile = world["plan"].round.profile
    profile.extra = {
        "document_legal_bases": ["Căn cứ Quyết định số 99/QĐ-UBND về kế hoạch năm {year};"],
        "document_implementation": ["Ban quản lý {commune} chịu trách nhiệm."],
    }
    profile.save()
    text = pdf_text(vi_pdf(world["plan"], world["version"]))
    assert "Căn cứ Quyết định số 99/QĐ-UBND về kế hoạch năm 2027;" in text
    assert "Ban quản lý xã Hải Lăng chịu trách nhiệm." in text
    assert t("Pursuant to the Law on Public Investment;") not in text


def test_part_one_says_when_no_evaluation_was_recorded(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Said in the words of an official document (no product name), under the legal bases
    rather than alone on a page."""
    expected = t(
        "There is no commune plan for %(year)s in the system, so this evaluation has no data.",
        year=2026,
    )
    data = vi_pdf(world["plan"], world["version"])
    word = vi_docx(world["plan"], world["version"])
    for text in (pdf_text(data), docx_text(word)):
        assert expected in text
        assert "kehoach" not in text.lower()
    title = t("Part I. Evaluation of the implementation of the %(year)s plan", year=2026)
    _wide, page = page_with(pages_of(data, tmp_path), t("Legal bases"))
    assert title in page and expected in page
    heading = next(p for p in open_docx(io.BytesIO(word)).paragraphs if p.text == title)
    assert not heading.paragraph_format.page_break_before
    part_two = t("Part II. Basic information and situation of the commune")
    heading = next(p for p in open_docx(io.BytesIO(word)).paragraphs if p.text == part_two)
    assert heading.paragraph_format.page_break_before


def plan_after(world: dict[str, Any]) -> CommunePlan:
    """The 2028 draft of the world's commune, after the road was reported completed and the
    2027 plan evaluated."""
    planner = world["planner"]
    progress_report_create(
        actor=planner,
        line=world["road"],
        data=report_data(
            quantity_done=D("1.5"),
            status="completed",
            actual_finish=timezone.localdate(),
            reported_on=timezone.localdate(),
        ),
        disbursed={world["ntp"]: D(480)},
    )
    plan_evaluation_save(
        actor=planner,
        plan=world["plan"],
        data={
            "evaluated_on": timezone.localdate(),
            "results": "Hoàn thành đường xóm Trên đúng tiến độ",
            "shortcomings": "Phòng học chưa sửa xong",
            "lessons": "Huy động ngày công sớm",
        },
    )
    a = world["villages"][0]
    next_year = pf.village_plan(a, year=2028)
    pf.line(
        next_year,
        activity="Kênh mương nội đồng",
        start_month=datetime.date(2028, 3, 1),
        end_month=datetime.date(2028, 6, 1),
    )
    VillagePlan.objects.filter(pk=next_year.pk).update(status="submitted")
    round_2028 = next_year.round
    commune_plan_synthesise(actor=planner, round_=round_2028)
    return CommunePlan.objects.get(round=round_2028)


def test_part_one_is_the_evaluation_of_the_previous_year(world: dict[str, Any]) -> None:
    """The 2028 draft's part I is the evaluation of the 2027 plan: works, money, texts."""
    plan_2028 = plan_after(world)
    text = pdf_text(vi_pdf(plan_2028, None))
    part_one = text.split(t("Part II. Basic information and situation of the commune"))[0]
    assert t("Part I. Evaluation of the implementation of the %(year)s plan", year=2027) in part_one
    for expected in (
        ROAD,
        SCHOOL,
        "480,0",  # disbursed for the road
        "Hoàn thành đường xóm Trên đúng tiến độ",
        "Phòng học chưa sửa xong",
        "Huy động ngày công sớm",
        "NTP26",
    ):
        assert expected in part_one, expected
    assert "Kênh mương nội đồng" in text


def pages_of(data: bytes, tmp_path: Path) -> list[tuple[bool, str]]:
    """Each page of a PDF: whether it is landscape, and its text."""
    return [
        (width > height, pdf_text(data, "-f", str(number), "-l", str(number)))
        for number, (width, height) in enumerate(page_sizes(pdf_info(data, tmp_path)), start=1)
    ]


def page_with(pages: list[tuple[bool, str]], text: str) -> tuple[bool, str]:
    found = [page for page in pages if text in page[1]]
    assert found, text
    return found[0]


def test_an_introduction_stays_on_the_page_of_its_table(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Part I's opening and part III's objectives go on the landscape page of the table they
    introduce, not alone on a portrait page; the text after a landscape table starts a
    portrait page again. In Word, the same blocks are in the table's landscape section."""
    plan_2028 = plan_after(world)
    part_one = t("Part I. Evaluation of the implementation of the %(year)s plan", year=2027)
    data = vi_pdf(plan_2028, None)
    pages = pages_of(data, tmp_path)
    wide, text = page_with(pages, part_one)
    assert wide and t("1. Works and activities carried out") in text and ROAD in text
    wide, text = page_with(pages, t("2. Funding mobilised by source"))
    assert not wide and ROAD not in text
    pages = pages_of(vi_pdf(world["plan"], world["version"]), tmp_path)
    wide, text = page_with(pages, t("Part III. Plan for %(year)s", year=2027))
    assert wide and t("1. Objectives") in text and ROAD in text

    with translation.override("vi"):
        doc = open_docx(io.BytesIO(document_docx(CommunePlanDocument(plan_2028).document())))
    # the section of each paragraph and table of the body (a section ends with the paragraph
    # that holds its properties)
    section, body = 0, []
    for element in doc.element.body.iterchildren():
        body.append((element.tag, "".join(element.xpath(".//w:t/text()")), section))
        if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    start = next(i for i, (_tag, text, _s) in enumerate(body) if text == part_one)
    table = next(item for item in body[start:] if item[0] == qn("w:tbl"))
    assert ROAD in table[1]
    assert body[start][2] == table[2]
    assert doc.sections[table[2]].orientation == WD_ORIENT.LANDSCAPE


def test_quantities_and_targets_are_written_as_numbers(world: dict[str, Any]) -> None:
    """The snapshot keeps "1.500" and "0.800" (Decimal text); the documents write 1,5 and 0,8,
    never a number that reads as a thousand."""
    plan = world["plan"]
    approved = pdf_text(vi_pdf(plan, world["version"]))
    assert "1.500" not in approved
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Số liệu")
    plan.lines.filter(activity=SCHOOL).update(quantity=D("0.8"))
    indicator = Indicator.objects.create(
        code="DIEN-TICH-LUA", name="Diện tích lúa chất lượng cao", unit="ha", group="general"
    )
    TargetValue.objects.create(
        plan=plan,
        indicator=indicator,
        actual_previous=D(30),
        plan_current=D(8),
        estimate_current=D("7.5"),
        plan_next=D(10),
    )
    plan.refresh_from_db()
    pdf = pdf_text(vi_pdf(plan, None), "-layout")  # the cells of a row in order
    word = docx_text(vi_docx(plan, None))
    for text in (pdf, word):
        works = text.split(t("3. Works and activities by sector"))[1]
        assert "0,8" in works and "1,5" in works
        targets = text.split("Diện tích lúa chất lượng cao")[1]
        assert targets.split()[:7] == ["ha", "30", "8", "7,5", "93,8%", "10", "133,3%"]
        for raw in ("0.800", "1.500", "30.000", "7.500", "8.000", "10.000"):
            assert raw not in text, raw


def test_no_numeric_column_holds_snapshot_text(rich: dict[str, Any]) -> None:
    """Every number of every table of the document is a number, not the snapshot's text."""
    plan = rich["plan"]
    TargetValue.objects.create(
        plan=plan,
        indicator=Indicator.objects.create(code="X", name="Chỉ tiêu X", unit="ha", group="general"),
        plan_next=D("2.5"),
    )
    for version in (rich["version"], None):
        document = CommunePlanDocument(plan, version).document()
        tables = [b.table for p in document.parts for b in p.blocks if b.table is not None]
        assert len(tables) > 10
        for table in tables:
            for row in table.rows:
                if row.style == "group":
                    continue
                for column, value in zip(table.columns, row.cells, strict=False):
                    if column.numeric and isinstance(value, str):
                        assert not re.fullmatch(r"-?[0-9]+\.[0-9]+", value), (table.title, value)


def test_part_four_gives_no_share_of_nothing() -> None:
    """Nothing funded: the sentence has no "(— of the cost)"."""
    commune = hai_lang()
    (village,) = sf.villages(commune, ["Thôn Diên Sanh"])
    sf.submitted_plan(village, [sf.money_line("600", "100", activity=ROAD)])
    round_ = sf.round_of(commune)
    commune_plan_synthesise(actor=sf.planner(commune), round_=round_)
    text = pdf_text(vi_pdf(sf.commune_plan_for(round_), None))
    part_four = text.split(t("Part IV. Financial plan by funding source"))[1]
    assert "(—" not in part_four and "—" not in part_four.split(".")[0]
    assert (
        t(
            "The funded works cost %(total)s million VND: %(support)s million VND from the "
            "funding sources and %(given)s million VND contributed by the community in cash, "
            "labour, materials and land.",
            total="0,0",
            support="0,0",
            given="0,0",
        )
        in part_four
    )


def test_targets_are_grouped_and_compared(world: dict[str, Any]) -> None:
    """A draft carries the targets as they are now, with the computed comparisons."""
    plan = world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Chỉ tiêu")
    indicator = Indicator.objects.create(
        code="HO-NGHEO-TL", name="Tỷ lệ hộ nghèo", unit="%", group="general"
    )
    TargetValue.objects.create(
        plan=plan,
        indicator=indicator,
        plan_current=D("8"),
        estimate_current=D("7.5"),
        plan_next=D("6"),
    )
    plan.refresh_from_db()
    text = pdf_text(vi_pdf(plan, None))
    assert "Tỷ lệ hộ nghèo" in text
    assert "93,8%" in text  # 7,5 of 8 planned
    assert "80,0%" in text  # 6 against 7,5


# --- the village sheets -----------------------------------------------------------------------


def test_the_feedback_sheet_lists_every_line_with_its_fate(
    world: dict[str, Any], tmp_path: Path
) -> None:
    a, b = world["villages"]
    with translation.override("vi"):
        sheet_a = FeedbackSheet(VillagePlan.objects.get(village=a))
        data_a = sheet_a.pdf()
        data_b = FeedbackSheet(VillagePlan.objects.get(village=b)).pdf()
        funded = str(Decision.FUNDED.label)
        unfunded = str(Decision.UNFUNDED.label)
    text_a, text_b = pdf_text(data_a), pdf_text(data_b)
    for expected in (ROAD, SCHOOL, funded, "NTP26: 500,0", "NS-X: 350,0", "850,0", "150,0"):
        assert expected in text_a, expected
    assert "thôn Diên Sanh" in text_a and "25/NQ-HĐND" in text_a
    assert FARM not in text_a
    for expected in (FARM, unfunded, "Chưa có nguồn vốn phù hợp", "thôn Mỹ Chánh"):
        assert expected in text_b, expected
    assert ROAD not in text_b
    assert t("NOTICE") in text_a
    pages = len(page_sizes(pdf_info(data_a, tmp_path)))
    assert 1 <= pages <= 2
    assert sheet_a.filename() == f"phan-hoi-thon-{a.code}-2027.pdf"


def test_the_feedback_sheet_of_a_typical_village_fits_two_pages(tmp_path: Path) -> None:
    """Eight or ten proposals with the commune's long reasons: one or two A4 pages, the closing
    text and the signatures with the end of the table, every column heading capitalised."""
    world = plan_in(hai_lang(), villages=1, lines=10, realistic=True, enriched=False)
    plan = VillagePlan.objects.get(village=world["villages"][0])
    for count in (8, 10):
        with translation.override("vi"):
            sheet = FeedbackSheet(plan)
            sheet.fates = sheet.fates[:count]  # the village's first eight, then all ten
            data = sheet.pdf()
        pages = pages_of(data, tmp_path)
        assert 1 <= len(pages) <= 2, (count, len(pages))
        text = " ".join(page for _wide, page in pages)
        assert text.count(LONG_REASON) == count
        assert t("Sources") in text and "theo nguồn vốn" not in text
        last = pages[-1][1]
        assert t("ON BEHALF OF THE PEOPLE'S COMMITTEE") in last
        assert t("Total") in last and "(" + str(count) + ")" in last  # with the last proposal


def test_no_feedback_sheet_before_publication() -> None:
    world = followed_plan(publish=False)
    with pytest.raises(NotFoundError):
        FeedbackSheet(VillagePlan.objects.get(village=world["villages"][0]))


def test_a_shared_work_shows_the_village_part() -> None:
    """Two villages ask for the same road; merged, each sheet shows its own part."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road = sf.transport()
    sf.submitted_plan(a, [sf.money_line("600", "100", sector=road, activity=ROAD)])
    sf.submitted_plan(b, [sf.money_line("300", "50", sector=road, activity=ROAD)])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    lines_merge(actor=planner, plan=plan, lines=list(plan.lines.all()))
    sf.envelope_line(round_, sf.ntp(), "900", sector_=road)
    allocation_run(actor=planner, plan=plan)
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=sf.approver(commune), plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    with translation.override("vi"):
        text = pdf_text(FeedbackSheet(VillagePlan.objects.get(village=a)).pdf())
    assert "NTP26: 500,0" in text  # 750 of support, in proportion 500 : 250
    assert "thôn Mỹ Chánh" in text


def test_the_poster_is_a0_in_large_type(world: dict[str, Any], tmp_path: Path) -> None:
    a = world["villages"][0]
    plan = VillagePlan.objects.get(village=a)
    with translation.override("vi"):
        poster = VillagePoster(plan)
        data = poster.pdf()
        funded = str(Decision.FUNDED.label)
    sizes = page_sizes(pdf_info(data, tmp_path))
    assert sizes and all(abs(w - 2384) < 2 and abs(h - 3370) < 2 for w, h in sizes)
    text = pdf_text(data, "-raw")  # in the order written: a label over two lines stays whole
    assert (
        t("DEVELOPMENT PLAN OF %(village)s FOR %(year)s", village="THÔN DIÊN SANH", year=2027)
        in text
    )
    for expected in (ROAD, SCHOOL, "1,5 km", "03–06/2027", "600,0", "100,0", "500,0", funded):
        assert expected in text, expected
    assert "1.000,0" in text  # the plan's total
    # legible from a distance: no word smaller than 28 pt (word boxes are taller than the size)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    heights = [
        float(y2) - float(y1)
        for y1, y2 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)
    ]
    assert heights and min(heights) >= 28
    assert poster.filename() == f"ap-phich-thon-{a.code}-2027.pdf"


def word_heights(data: bytes) -> list[float]:
    """The height of every word of a PDF, in points (a word's box is taller than its size)."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [
        float(y2) - float(y1)
        for y1, y2 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)
    ]


def test_a_typical_village_poster_is_one_a0_sheet(tmp_path: Path) -> None:
    """Six or ten proposals in five sectors, with long names and places: one A0 sheet, the
    plan's total and the units on it."""
    for commune, count in ((hai_lang(), 6), (dong_hoi(), 10)):
        world = plan_in(commune, villages=1, lines=count, realistic=True, enriched=False)
        plan = VillagePlan.objects.get(village=world["villages"][0])
        with translation.override("vi"):
            data = VillagePoster(plan).pdf()
        pages = pages_of(data, tmp_path)
        assert len(pages) == 1, (count, len(pages))
        text = pages[0][1]
        assert text.count(LOCATION) == count
        assert t("Total of the plan") in text and t("Amounts in million VND.") in text
        assert min(word_heights(data)) >= 28


def test_a_poster_of_many_proposals_continues_on_more_sheets(tmp_path: Path) -> None:
    """Forty proposals: several A0 sheets, each with the column headings, in the same large
    type, the total after the last line."""
    world = plan_in(hai_lang(), villages=1, lines=40, realistic=True, enriched=False)
    plan = VillagePlan.objects.get(village=world["villages"][0])
    with translation.override("vi"):
        data = VillagePoster(plan).pdf()
    pages = pages_of(data, tmp_path)
    assert len(pages) >= 2
    assert all(t("Activity") in page and t("Contribution") in page for _wide, page in pages)
    text = " ".join(page for _wide, page in pages)
    assert text.count(LOCATION) == 40
    assert t("Total of the plan") in pages[-1][1]
    assert min(word_heights(data)) >= 28


def test_the_poster_before_publication_has_no_status() -> None:
    world = followed_plan(publish=False)
    plan = VillagePlan.objects.get(village=world["villages"][0])
    with translation.override("vi"):
        text = pdf_text(VillagePoster(plan).pdf())
        funded = str(Decision.FUNDED.label)
    assert ROAD in text and funded not in text and t("Result") not in text


# --- queries ----------------------------------------------------------------------------------


def _queries(plan: CommunePlan, version: Version | None) -> int:
    with CaptureQueriesContext(connection) as captured:
        CommunePlanDocument(plan, version).document()
    return len(captured.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_size() -> None:
    small = plan_in(hai_lang(), villages=1, lines=1)
    big = plan_in(dong_hoi(), villages=4, lines=5)
    assert _queries(small["plan"], small["version"]) == _queries(big["plan"], big["version"])
    assert _queries(small["plan"], None) == _queries(big["plan"], None)
    assert _queries(big["plan"], big["version"]) <= 20
    for world in (small, big):
        plan = VillagePlan.objects.filter(village=world["villages"][0]).get()
        with CaptureQueriesContext(connection) as captured:
            FeedbackSheet(plan).context()
            VillagePoster(plan).context()
        world["village_queries"] = len(captured.captured_queries)
    assert small["village_queries"] == big["village_queries"]
