"""Neutralised workbooks and empty tables.

Texts that start like a formula (``=HYPERLINK(…)``, ``=cmd|…``, ``+1``, ``-5 hộ``, ``@x``, a
leading tab), stored in village proposals, commune lines, decision reasons, an envelope line and
a progress report, come out of every form's workbook (downloaded through the real views) as
string cells with the quote prefix, read back as the same text by openpyxl, calamine and
LibreOffice; the only formulas are kehoach's own totals and percentages; the database keeps the
text; an F6 exported and uploaded unchanged changes nothing. Every form downloads with no lines.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.exchange.models import ImportRecord
from kehoach.geo.tests.factories import hai_lang, quang_tri
from kehoach.plans.models import ProposalLine
from kehoach.plans.services.lines import proposal_line_create
from kehoach.plans.tests import factories as f
from kehoach.synthesis.models import CommuneLine, EnvelopeLine
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import FIRST_ROW
from .neutral import (
    AT,
    CONTENT,
    DDE,
    HOSTILE,
    LINK,
    MINUS,
    PLUS,
    PROBLEM,
    REASON,
    RawBook,
    assert_kept_as_text,
    assert_neutral,
    body,
    libreoffice_open,
    published_with_formula_texts,
    published_without_works,
)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAB = "\tTab đầu dòng"
"""A leading tab: the services normalise it away, so only data stored before (or by a
script) holds one; the writer must still make it text."""
UNIT = "@đơn vị"
WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def soffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice profile for the module: made once, each later start is quicker."""
    return tmp_path_factory.mktemp("soffice-profile")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return body(response)


# --- the village's proposals (F6) --------------------------------------------------------------


@pytest.fixture
def village() -> dict[str, Any]:
    """A village plan whose five proposals were made through the web form's service with
    formula-like activities (location ``MINUS``, notes ``AT``, a unit of measure ``UNIT``)."""
    plan = f.village_plan()
    planner = commune_planner(plan.village.parent)
    unit = f.unit("hostile", UNIT)
    for text in HOSTILE:
        proposal_line_create(
            actor=planner,
            plan=plan,
            data=f.line_data(activity=text, location=MINUS, notes=AT, unit=unit),
        )
    return {"plan": plan, "planner": planner, "client": _client(planner)}


def _f6(world: dict[str, Any]) -> bytes:
    return _download(
        world["client"], reverse("exchange:village_download", args=[world["plan"].uid, "F6"])
    )


def test_f6_writes_formula_like_texts_as_text(village: dict[str, Any]) -> None:
    plan = village["plan"]
    stored = list(ProposalLine.objects.filter(plan=plan).values_list("activity", flat=True))
    assert sorted(stored) == sorted(HOSTILE)  # stored as typed

    data = _f6(village)

    book = assert_neutral(data, [*HOSTILE, UNIT])
    sums = [c for c in book.formulas() if c.sheet == "F6"]
    assert sums and all((c.formula or "").startswith("SUM(") for c in sums)
    activities = {c.text: c for c in book.cells if c.sheet == "F6" and c.ref.startswith("C")}
    assert {activities[t].ref for t in HOSTILE} == {f"C{FIRST_ROW + n}" for n in range(5)}
    assert {c.sheet for c in book.with_text(UNIT)} == {"F6", "Danh mục"}  # the list too
    # calamine (the importer's reader) reads the texts back
    grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("F6").to_python()
    assert [row[2] for row in grid[FIRST_ROW - 1 : FIRST_ROW + 4]] == list(HOSTILE)
    # nothing stored changed
    again = list(ProposalLine.objects.filter(plan=plan).values_list("activity", flat=True))
    assert again == stored


def test_a_leading_tab_is_written_as_text(village: dict[str, Any]) -> None:
    f.line(village["plan"], activity=TAB)

    book = assert_neutral(_f6(village), [TAB])

    assert [c.ref for c in book.with_text(TAB)] == [f"C{FIRST_ROW + 5}"]
    assert ProposalLine.objects.get(plan=village["plan"], number=6).activity == TAB


def _upload(world: dict[str, Any], data: bytes) -> ImportRecord:
    url = reverse("exchange:village_upload", args=[world["plan"].uid, "F6"])
    response = world["client"].post(
        url, {"file": SimpleUploadedFile("bieu.xlsx", data, content_type=XLSX)}
    )
    assert response.status_code == 302
    return ImportRecord.objects.filter(plan_uid=world["plan"].uid).latest("id")


def test_f6_uploaded_back_unchanged_changes_nothing(village: dict[str, Any]) -> None:
    before = list(
        ProposalLine.objects.filter(plan=village["plan"])
        .order_by("number")
        .values_list("activity", "location", "notes", "version")
    )

    record = _upload(village, _f6(village))

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert not record.errors
    assert record.summary["counts"] == {"add": 0, "change": 0, "remove": 0}
    after = list(
        ProposalLine.objects.filter(plan=village["plan"])
        .order_by("number")
        .values_list("activity", "location", "notes", "version")
    )
    assert after == before


def test_a_typed_apostrophe_is_kept_as_typed(village: dict[str, Any]) -> None:
    """A user's own "'=…" (what the open-data CSV holds) is a text with an apostrophe: the
    importer takes it as typed and strips nothing."""
    book = load_workbook(io.BytesIO(_f6(village)))
    typed = "'=SUM(1;2)"
    book["F6"][f"C{FIRST_ROW}"] = typed
    out = io.BytesIO()
    book.save(out)

    record = _upload(village, out.getvalue())

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 1, "remove": 0}
    [change] = record.summary["changes"]
    assert change["fields"][0][1:] == [LINK, typed]
    village["client"].post(reverse("exchange:import_confirm", args=[record.uid]))
    assert ProposalLine.objects.get(plan=village["plan"], number=1).activity == typed


# --- the commune's forms (F9, F11, F12, F14), the province export and the documents ------------


@pytest.fixture
def commune() -> dict[str, Any]:
    world = published_with_formula_texts()
    return {**world, "client": _client(world["planner"])}


def _commune_form(world: dict[str, Any], form: str) -> bytes:
    url = reverse("exchange:commune_download", args=[world["plan"].uid, form])
    return _download(world["client"], url)


COMMUNE_TEXTS = {
    "F9": [*HOSTILE, MINUS, REASON, PLUS],
    "F11": [CONTENT, AT],
    "F12": [LINK, REASON],
    "F14": [LINK, MINUS, PROBLEM],
}


@pytest.mark.parametrize("form", list(COMMUNE_TEXTS))
def test_commune_forms_write_formula_like_texts_as_text(commune: dict[str, Any], form: str) -> None:
    data = _commune_form(commune, form)

    book = assert_neutral(data, COMMUNE_TEXTS[form])

    if form == "F14":  # the live percentage is kehoach's own formula
        assert [c for c in book.formulas() if (c.formula or "").startswith("IF(")]
    stored = set(
        CommuneLine.objects.filter(plan=commune["plan"]).values_list("activity", flat=True)
    )
    assert stored == set(HOSTILE)
    assert CommuneLine.objects.get(plan=commune["plan"], activity=LINK).decision_reason == REASON
    assert EnvelopeLine.objects.get(pk=commune["ntp"].pk).content == CONTENT


def test_libreoffice_keeps_the_texts_as_text(
    village: dict[str, Any], commune: dict[str, Any], soffice_profile: Path
) -> None:
    files = {"F6.xlsx": _f6(village)}
    files |= {f"{form}.xlsx": _commune_form(commune, form) for form in COMMUNE_TEXTS}

    saved = libreoffice_open(files, soffice_profile)

    assert_kept_as_text(saved["F6.xlsx"], HOSTILE)
    for form, texts in COMMUNE_TEXTS.items():
        assert_kept_as_text(saved[f"{form}.xlsx"], texts)


def test_the_province_export_writes_formula_like_texts_as_text(commune: dict[str, Any]) -> None:
    officer = _client(user_with_role(Role.PROVINCE_OFFICER, quang_tri()))
    data = _download(officer, reverse("exchange:province_proposals", args=["44", 2027]))

    book = assert_neutral(data, [*HOSTILE, MINUS])

    assert not book.formulas()  # no formula at all in this workbook
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sorted(r[6] for r in rows[5:]) == sorted(HOSTILE)


def test_the_word_document_holds_the_texts_as_plain_runs() -> None:
    """The draft commune plan as Word: the texts are the characters of runs, never a field
    or a hyperlink; a control character in old data does not break the download."""
    place = hai_lang()
    (village,) = sf.villages(place, ["Thôn Diên Sanh"])
    sf.submitted_plan(village, [sf.money_line("60", "10", activity=text) for text in HOSTILE])
    planner = sf.planner(place)
    commune_plan_synthesise(actor=planner, round_=sf.round_of(place))
    plan = sf.commune_plan_for(sf.round_of(place))
    CommuneLine.objects.filter(plan=plan, activity=AT).update(activity="Chuông\x07 reo")
    url = reverse("exchange:commune_document", args=[plan.uid, "docx"])

    response = _client(planner).get(url)

    assert response.status_code == 200

    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "w:hyperlink" not in xml and "w:fldSimple" not in xml
    assert "<w:instrText" not in xml  # PAGE and NUMPAGES are in the footer, not the body
    root = ElementTree.fromstring(xml)
    runs = "".join(t.text or "" for t in root.iter(f"{WORD}t"))
    assert LINK in runs and DDE in runs and "Chuông reo" in runs


def test_a_control_character_in_old_data_does_not_break_a_workbook(
    village: dict[str, Any],
) -> None:
    """openpyxl refuses a control character in a cell; the writer drops it from the cell
    (the stored text keeps it), so the download still works."""
    f.line(village["plan"], activity="Chuông\x07 reo")

    book = RawBook(_f6(village))

    assert [c.ref for c in book.with_text("Chuông reo")] == [f"C{FIRST_ROW + 5}"]
    stored = ProposalLine.objects.get(plan=village["plan"], number=6).activity
    assert stored == "Chuông\x07 reo"


# --- every form with no lines -----------------------------------------------------------------


def _empty_village_form(form: str) -> tuple[Client, str]:
    plan = f.village_plan()
    return _client(commune_planner(plan.village.parent)), reverse(
        "exchange:village_download", args=[plan.uid, form]
    )


def _empty_commune_form(form: str) -> tuple[Client, str]:
    round_ = sf.round_of(hai_lang())
    plan = sf.commune_plan_for(round_)
    return _client(sf.planner(round_.commune)), reverse(
        "exchange:commune_download", args=[plan.uid, form]
    )


def _empty_f14(form: str) -> tuple[Client, str]:
    world = published_without_works()
    return _client(world["planner"]), reverse(
        "exchange:commune_download", args=[world["plan"].uid, form]
    )


def _empty_province(form: str) -> tuple[Client, str]:
    f.village_plan()  # a round of 2027 in the province, and not one line
    officer = user_with_role(Role.PROVINCE_OFFICER, quang_tri())
    return _client(officer), reverse("exchange:province_proposals", args=["44", 2027])


EMPTY = {
    "F1": ("F1", _empty_village_form),
    "F6": ("F6", _empty_village_form),
    "F8": ("F8", _empty_village_form),
    "F9": ("F9", _empty_commune_form),
    "F11": ("F11", _empty_commune_form),
    "F12": ("F12", _empty_commune_form),
    "F14": ("F14", _empty_f14),
    "F14-draft": ("F14", _empty_commune_form),
    "proposals": ("proposals", _empty_province),
}
SHEET = {"proposals": "De xuat"}
NO_BLANK_ROWS = {"F9", "F12", "F14"}
"""Forms that have no rows to fill in: with no lines, their table is headers and totals."""


@pytest.mark.parametrize("case", list(EMPTY))
def test_every_workbook_downloads_with_no_lines(case: str, soffice_profile: Path) -> None:
    form, make = EMPTY[case]
    client, url = make(form)

    data = _download(client, url)

    sheet = SHEET.get(form, form)
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    if form in NO_BLANK_ROWS:
        totals = next(r for r in ws.iter_rows() if r[1].value == "Tổng cộng")
        row = totals[0].row
        assert ws.cell(row - 1, 1).value == 1  # right under the column numbers
        # totals over no rows are zeros, not sums over the column numbers above
        amounts = [c.value for c in totals if c.data_type == "n" and c.value is not None]
        assert amounts and set(amounts) == {0}
        assert not ws.data_validations.dataValidation
        assert not RawBook(data).formulas()
    if form == "proposals":
        assert ws.max_row == 5  # the title block and the header row
    saved = libreoffice_open({"bieu.xlsx": data}, soffice_profile)["bieu.xlsx"]
    assert sheet in load_workbook(io.BytesIO(saved)).sheetnames
