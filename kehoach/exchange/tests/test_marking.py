"""The marked copy of an upload with errors (``GET /imports/<uid>/errors.xlsx``): the user's own
.xlsx with exactly the wrong cells red and commented and everything else unchanged, a last and
active sheet “Lỗi”; Excel's and LibreOffice's readers accept it; a re-uploaded copy is marked
again with one “Lỗi” sheet; .xls and .ods come back rebuilt from their values; a file over the
upload limits comes back as the list of errors alone without any reader opening it."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kehoach.exchange.forms import f6
from kehoach.exchange.marking import marked_copy
from kehoach.exchange.models import ImportRecord

from .helpers import FIRST_ROW, libreoffice_convert, opened, plan_with_lines, saved

pytestmark = pytest.mark.django_db

ROW1, ROW2, NEW = FIRST_ROW, FIRST_ROW + 1, FIRST_ROW + 2
RED = "FFFFC7CE"
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def setup() -> dict[str, Any]:
    plan, planner = plan_with_lines()
    client = Client()
    client.force_login(planner)
    return {"plan": plan, "planner": planner, "client": client}


def _upload(setup: dict[str, Any], data: bytes, name: str = "de-xuat.xlsx") -> ImportRecord:
    """Upload through the real view; the new record."""
    url = reverse("exchange:village_upload", args=[setup["plan"].uid, "F6"])
    before = set(ImportRecord.objects.values_list("pk", flat=True))
    kind = TYPES[name.rsplit(".", 1)[-1]]
    setup["client"].post(url, {"file": SimpleUploadedFile(name, data, content_type=kind)})
    return ImportRecord.objects.exclude(pk__in=before).get()


def _marked(setup: dict[str, Any], record: ImportRecord) -> bytes:
    response = setup["client"].get(reverse("exchange:import_errors", args=[record.uid]))
    assert response.status_code == 200
    return bytes(response.content)


def _with_errors(setup: dict[str, Any]) -> bytes:
    """The plan's F6 with a word for a number (I), an activity whose cell is gone altogether
    (C: no ``<c>`` in the file) and a copied row that repeats a line key (the hidden X)."""
    book = opened(f6.export(setup["plan"]))
    ws = book["F6"]
    ws[f"I{ROW1}"] = "mười"
    del ws._cells[(ROW2, 3)]
    for col in range(1, 25):
        ws.cell(row=NEW, column=col, value=ws.cell(row=ROW1, column=col).value)
    ws[f"I{NEW}"] = 100
    return saved(book)


def _wrong(record: ImportRecord) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["sheet"], f"{e['column']}{e['row']}"): e for e in record.errors}


def _red_cells(book: Workbook) -> set[tuple[str, str]]:
    return {
        (ws.title, cell.coordinate)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED
    }


def _commented(book: Workbook) -> dict[tuple[str, str], str]:
    return {
        (ws.title, cell.coordinate): cell.comment.text
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.comment is not None
    }


def _style(cell: Any) -> tuple[str, ...]:
    """Everything of a cell's look but its fill (openpyxl's style proxies compare by repr)."""
    return tuple(
        repr(part)
        for part in (
            cell.font,
            cell.border,
            cell.number_format,
            cell.alignment,
            cell.protection,
            cell.quotePrefix,
        )
    )


def test_the_marked_copy_marks_exactly_the_wrong_cells_and_changes_nothing_else(
    setup: dict[str, Any],
) -> None:
    data = _with_errors(setup)
    record = _upload(setup, data)
    assert record.result == ImportRecord.Result.REFUSED
    wrong = _wrong(record)
    assert {("F6", f"I{ROW1}"), ("F6", f"C{ROW2}"), ("F6", f"X{NEW}")} <= set(wrong)
    assert (
        f'r="C{ROW2}"'
        not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    )

    marked_data = _marked(setup, record)
    original, marked = opened(data), opened(marked_data)

    assert _red_cells(marked) == set(wrong)
    assert _commented(marked) == {key: e["problem"] for key, e in wrong.items()}
    assert marked["F6"][f"C{ROW2}"].value is None  # the missing cell, inserted to be marked
    assert marked.sheetnames == [*original.sheetnames, "Lỗi"]
    assert marked.active is not None and marked.active.title == "Lỗi"
    assert [bool(ws.sheet_view.tabSelected) for ws in marked.worksheets] == [False] * 4 + [True]
    listing = [list(r) for r in marked["Lỗi"].iter_rows(values_only=True)]
    assert listing[0] == ["Trang", "Ô", "Nội dung lỗi"]
    assert sorted(listing[1:]) == sorted(
        [e["sheet"], f"{e['column']}{e['row']}", e["message"]] for e in record.errors
    )
    for ws in original.worksheets:
        copy = marked[ws.title]
        assert sorted(map(str, copy.merged_cells.ranges)) == sorted(
            map(str, ws.merged_cells.ranges)
        )
        widths = {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()}
        if ws.title == "F6":
            assert widths["X"][1] is True and copy.column_dimensions["X"].hidden is False
            widths["X"] = (widths["X"][0], False)  # the line key holds an error: shown
        assert {k: (d.width, d.hidden) for k, d in copy.column_dimensions.items()} == widths
        assert {k: d.height for k, d in copy.row_dimensions.items() if d.height} == {
            k: d.height for k, d in ws.row_dimensions.items() if d.height
        }
        assert copy.freeze_panes == ws.freeze_panes and copy.sheet_state == ws.sheet_state
        assert copy.protection.sheet == ws.protection.sheet
        assert [str(v.sqref) for v in copy.data_validations.dataValidation] == [
            str(v.sqref) for v in ws.data_validations.dataValidation
        ]
        for row in ws.iter_rows():
            for cell in row:
                twin = copy[cell.coordinate]
                assert twin.value == cell.value, (ws.title, cell.coordinate)
                assert _style(twin) == _style(cell), (ws.title, cell.coordinate)
                if (ws.title, cell.coordinate) not in wrong:
                    assert repr(twin.fill) == repr(cell.fill), (ws.title, cell.coordinate)
    assert marked.defined_names.keys() == original.defined_names.keys()
    assert marked["F6"].print_title_rows == original["F6"].print_title_rows

    # every other part of the user's file is there byte for byte
    before, after = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(marked_data))
    changed = {n for n in before.namelist() if before.read(n) != after.read(n)}
    assert changed == {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }


def test_libreoffice_opens_the_marked_copy_with_its_marks(setup: dict[str, Any]) -> None:
    record = _upload(setup, _with_errors(setup))
    marked = _marked(setup, record)

    again = opened(libreoffice_convert(marked, "xlsx", "xlsx"))

    assert again.sheetnames[-1] == "Lỗi"
    cell = again["F6"][f"I{ROW1}"]
    assert cell.value == "mười" and cell.fill.fgColor.rgb == RED
    assert cell.comment is not None and "số" in cell.comment.text
    assert again["F6"][f"C{ROW2}"].comment is not None
    assert again["F6"][f"C{ROW1}"].value == "Bê tông hóa đường thôn"
    assert again["Lỗi"]["C1"].value == "Nội dung lỗi"


def test_a_marked_copy_uploaded_again_is_marked_again_with_one_errors_sheet(
    setup: dict[str, Any],
) -> None:
    first = _upload(setup, _with_errors(setup))
    copy = _marked(setup, first)

    second = _upload(setup, copy, "de-xuat-loi.xlsx")
    assert second.result == ImportRecord.Result.REFUSED
    assert set(_wrong(second)) == set(_wrong(first))
    again = opened(_marked(setup, second))

    assert again.sheetnames == ["F6", "Danh mục", "Hướng dẫn", "_kehoach", "Lỗi"]
    assert _red_cells(again) == set(_wrong(second))
    assert len(list(again["Lỗi"].iter_rows())) == len(second.errors) + 1
    # the sheet has comments now (the first copy's): they stay, none is added twice
    assert _commented(again) == _commented(opened(copy))


def test_an_old_marked_copy_with_its_errors_sheet_first_keeps_its_defined_names(
    setup: dict[str, Any],
) -> None:
    """Copies made before D41 had “Lỗi” first; removing it moves every sheet-local name."""
    book = opened(_with_errors(setup))
    book.create_sheet("Lỗi", 0)["A1"] = "Trang"
    old = saved(book)
    assert 'localSheetId="1"' in zipfile.ZipFile(io.BytesIO(old)).read("xl/workbook.xml").decode()

    record = _upload(setup, old)
    marked = opened(_marked(setup, record))

    assert marked.sheetnames == ["F6", "Danh mục", "Hướng dẫn", "_kehoach", "Lỗi"]
    assert marked["F6"].print_title_rows == "$11:$13"
    assert _red_cells(marked) == set(_wrong(record))


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_an_xls_or_ods_upload_comes_back_rebuilt_with_its_values(
    setup: dict[str, Any], kind: str
) -> None:
    book = opened(f6.export(setup["plan"]))
    book["F6"][f"I{ROW1}"] = "nhiều"
    record = _upload(setup, libreoffice_convert(saved(book), "xlsx", kind), f"bieu.{kind}")
    assert record.result == ImportRecord.Result.REFUSED

    marked = opened(_marked(setup, record))

    assert marked.sheetnames[-1] == "Lỗi" and marked.active.title == "Lỗi"
    assert marked["F6"][f"C{ROW1}"].value == "Bê tông hóa đường thôn"
    assert marked["F6"][f"I{ROW1}"].value == "nhiều"
    assert _red_cells(marked) == set(_wrong(record))
    assert _commented(marked) == {key: e["problem"] for key, e in _wrong(record).items()}


def _one_cell_rows(rows: int, last: str | None = None) -> bytes:
    """An .xlsx whose sheet “F6” holds ``rows`` rows of one cell each (and, if ``last`` is
    given, one more cell there), written with zipfile: 1 MB of zip for 150,000 rows."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    if last:
        body += f'<row r="{rows + 1}"><c r="{last}"><v>1</v></c></row>'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships"><sheets><sheet name="F6" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": head + body + "</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


CHILD = """
import json, os, resource, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
sys.path.insert(0, {root!r})
import django
django.setup()
from django.utils import translation
translation.activate("vi")
from python_calamine import CalamineWorkbook
from kehoach.exchange.marking import marked_copy
data = open(sys.argv[1], "rb").read()
errors = json.loads(open(sys.argv[2]).read())
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
if sys.argv[3] == "calamine":
    import io
    CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("F6").to_python()
else:
    open(sys.argv[4], "wb").write(marked_copy(data, "bieu.xlsx", errors))
"""


def _child(tmp_path: Path, data: bytes, errors: list[Any], what: str) -> tuple[int, bytes]:
    """Run ``what`` ("marked" or "calamine") on ``data`` in a process limited to 1 GiB of
    address space; its exit code and the marked copy."""
    (tmp_path / "bieu.xlsx").write_bytes(data)
    (tmp_path / "errors.json").write_text(json.dumps(errors))
    out = tmp_path / "out.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD.format(root=str(ROOT)),
            str(tmp_path / "bieu.xlsx"),
            str(tmp_path / "errors.json"),
            what,
            str(out),
        ],
        capture_output=True,
        timeout=600,
        cwd=ROOT,
    )
    return done.returncode, out.read_bytes() if out.exists() else b""


def test_a_file_over_the_limits_gives_the_list_of_errors_alone(
    setup: dict[str, Any], tmp_path: Path
) -> None:
    data = _one_cell_rows(150_000)
    record = _upload(setup, data, "bieu.xlsx")
    assert record.result == ImportRecord.Result.REFUSED
    marked = opened(_marked(setup, record))
    assert marked.sheetnames == ["Lỗi"]
    assert record.errors[0]["message"] in [c.value for c in marked["Lỗi"]["C"]]

    # no reader ever builds the table: one that did (calamine, dense from A1 to XFD150001)
    # would be killed in a process of 1 GiB, where the marked copy is made
    hostile = _one_cell_rows(150_000, last="XFD150001")
    errors = [{"sheet": "F6", "row": 2, "column": "A", "message": "Sai", "problem": "Sai"}]
    assert _child(tmp_path, hostile, errors, "calamine")[0] != 0
    code, result = _child(tmp_path, hostile, errors, "marked")
    assert code == 0
    listing = opened(result)
    assert listing.sheetnames == ["Lỗi"]
    texts = [c.value for c in listing["Lỗi"]["C"]]
    assert texts[1] and texts[2] == "Sai"  # why the file is not given back, then the errors


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_message_that_starts_like_a_formula_is_a_text_cell(
    setup: dict[str, Any], kind: str
) -> None:
    data = f6.export(setup["plan"])
    if kind != "xlsx":
        data = libreoffice_convert(data, "xlsx", kind)
    evil = '=HYPERLINK("http://evil.example","x")'
    errors = [{"sheet": "F6", "row": ROW1, "column": "C", "message": evil, "problem": "-1"}]

    marked = marked_copy(data, f"bieu.{kind}", errors)

    archive = zipfile.ZipFile(io.BytesIO(marked))
    xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets/" in n).decode()
    assert "HYPERLINK" not in "".join(re.findall(r"<f>(.*?)</f>", xml))
    cell = opened(marked)["Lỗi"]["C2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (evil, "s", True)
    assert opened(marked)["F6"][f"C{ROW1}"].comment.text == "-1"


def test_an_xlsx_that_cannot_be_patched_safely_is_rebuilt_from_its_values() -> None:
    """Cells without ``r`` in a wrong row: the copy holds the values, marked."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "F6"
    ws.append(["Hoạt động", "Số lượng"])
    ws.append(["Đường xóm", "mười"])
    data = saved(book)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<c r="[A-Z]+2"', b"<c", part)
            archive.writestr(name, part)
    errors = [{"sheet": "F6", "row": 2, "column": "B", "message": "Sai số", "problem": "số"}]

    marked = opened(marked_copy(out.getvalue(), "bieu.xlsx", errors))

    assert [c.value for c in marked["F6"][2]] == ["Đường xóm", "mười"]
    assert _red_cells(marked) == {("F6", "B2")}
    assert marked.sheetnames == ["F6", "Lỗi"]


def test_missing_rows_are_inserted_in_order_and_a_hidden_range_is_split() -> None:
    """Only the wrong column of a hidden range is shown."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "F6"
    for row in (1, 2, 3):
        ws.append([f"{letter}{row}" for letter in "ABCDEF"])
    ws["A8"] = "A8"
    ws.column_dimensions.group("D", "F", hidden=True)
    data = saved(book)
    errors = [
        {
            "sheet": "F6",
            "row": row,
            "column": column,
            "message": f"Sai {column}{row}",
            "problem": "p",
        }
        for row, column in ((2, "E"), (6, "B"), (6, "A"), (20, "C"))
    ]

    result = marked_copy(data, "bieu.xlsx", errors)

    sheet = zipfile.ZipFile(io.BytesIO(result)).read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<row r="(\d+)"', sheet) == ["1", "2", "3", "6", "8", "20"]
    assert re.findall(r'<c r="([A-Z]+6)"', sheet) == ["A6", "B6"]
    marked = opened(result)
    assert _red_cells(marked) == {("F6", "E2"), ("F6", "A6"), ("F6", "B6"), ("F6", "C20")}
    assert [marked["F6"][f"{c}1"].value for c in "ABCDEF"] == ["A1", "B1", "C1", "D1", "E1", "F1"]
    hidden = {c: marked["F6"].column_dimensions[c].hidden for c in "DEF"}
    assert hidden == {"D": True, "E": False, "F": True}


def _mangled(data: bytes, seed: int) -> bytes:
    """``data`` with its sheet, styles or workbook XML cut, repeated or given odd tags."""
    rnd = random.Random(seed)
    source = zipfile.ZipFile(io.BytesIO(data))
    target = rnd.choice(["xl/worksheets/sheet1.xml"] * 4 + ["xl/styles.xml", "xl/workbook.xml"])
    xml = source.read(target)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(xml))
        xml = rnd.choice(
            [
                xml[:i] + xml[i + rnd.randint(1, 40) :],
                xml[: i + 200] + xml[i : i + 200] + xml[i + 200 :],
                xml.replace(b' r="', b' x="', rnd.randint(1, 30)),
                xml[:i] + rnd.choice([b"<", b">", b'"', b"<row>", b"<c/>", b"<x:y/>"]) + xml[i:],
                xml.replace(b"<sheetData>", b"<sheetData/>", 1),
                xml.replace(b"</sheets>", b'<sheet name="L&#7895;i" r:id="rId1"/></sheets>'),
            ]
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, xml if name == target else source.read(name))
    return out.getvalue()


def test_a_mangled_workbook_never_breaks_the_marked_copy() -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "F6"
    for row in range(1, 30):
        ws.append([f"v{row}", row, row * 1.5, None, "=A1"])
    ws.column_dimensions["D"].hidden = True
    data = saved(book)
    errors = [
        {"sheet": "F6", "row": row, "column": column, "message": "Sai", "problem": "Sai"}
        for row, column in ((2, "B"), (5, "D"), (40, "A"))
    ]
    readable = 0
    for seed in range(80):
        mangled = _mangled(data, seed)
        result = marked_copy(mangled, "bieu.xlsx", errors)  # never raises
        try:
            opened(mangled)
        except Exception:
            continue  # openpyxl cannot read the user's file either
        readable += 1
        marked = opened(result)
        assert marked.sheetnames[-1] == "Lỗi", seed
        assert "F6" not in marked.sheetnames or ("F6", "B2") in _red_cells(marked), seed
    assert readable >= 10
