"""What the tests of neutralised exports share: texts that start like a spreadsheet formula, a
commune plan published with such texts and one published with no works, a reader of the raw
sheet XML of an .xlsx (cell types, formulas, the quote-prefix flag of each cell's style, exactly
as a spreadsheet program sees them) and LibreOffice headless opening files and saving them again
(it fails, never skips, when ``soffice`` is missing)."""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook

from kehoach.geo.tests.factories import hai_lang
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.monitoring.tests.factories import RESOLUTION, report_data
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

HOSTILE = (
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-5 hộ",
    "@x",
)
"""Texts a user may type (and kehoach stores as typed) that a spreadsheet would run."""
LINK, DDE, PLUS, MINUS, AT = HOSTILE
REASON = '=HYPERLINK("http://evil.example/ly-do","Lý do")'
PROBLEM = "=cmd|' /C notepad'!A1"
CONTENT = "+Vốn xã đối ứng"

KEHOACH_FORMULA = re.compile(
    r"SUM\(\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+\)"
    r"|IF\(AND\(ISNUMBER\([A-Z]{1,3}\d+\),N\([A-Z]{1,3}\d+\)>0\),"
    r'ROUND\([A-Z]{1,3}\d+/[A-Z]{1,3}\d+\*100,1\),""\)'
)
"""The formulas kehoach writes itself: the totals and F14's percentage done."""

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class RawCell:
    sheet: str
    ref: str
    type: str
    """The ``t`` attribute: "s" (shared string), "inlineStr", "str" (a formula's text
    result), "n" (number, also when absent), "b", "e"."""
    text: str | None
    formula: str | None
    quote_prefix: bool


def body(response: Any) -> bytes:
    """The bytes of a response, streamed or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _text_of(element: ElementTree.Element) -> str:
    """The text of a shared or inline string (plain or rich), with OOXML's ``_xHHHH_``
    escapes decoded."""
    raw = "".join(t.text or "" for t in element.iter(f"{MAIN}t"))
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), raw)


class RawBook:
    """The cells of every sheet of an .xlsx as stored, read from the XML."""

    def __init__(self, data: bytes) -> None:
        self.cells: list[RawCell] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            shared: list[str] = []
            if "xl/sharedStrings.xml" in names:
                root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
                shared = [_text_of(si) for si in root.iter(f"{MAIN}si")]
            styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
            xfs = styles.find(f"{MAIN}cellXfs")
            quoted = [
                xf.get("quotePrefix") in ("1", "true")
                for xf in (xfs if xfs is not None else [])
                if xf.tag == f"{MAIN}xf"
            ]
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{RELS}Relationship")}
            for sheet in workbook.iter(f"{MAIN}sheet"):
                target = targets[sheet.get(f"{DOC_RELS}id")]
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                root = ElementTree.fromstring(archive.read(posixpath.normpath(path)))
                for c in root.iter(f"{MAIN}c"):
                    kind = c.get("t", "n")
                    f = c.find(f"{MAIN}f")
                    v = c.find(f"{MAIN}v")
                    if kind == "s" and v is not None and v.text is not None:
                        text: str | None = shared[int(v.text)]
                    elif kind == "inlineStr":
                        inline = c.find(f"{MAIN}is")
                        text = _text_of(inline) if inline is not None else ""
                    else:
                        text = v.text if v is not None else None
                    style = int(c.get("s", "0"))
                    self.cells.append(
                        RawCell(
                            sheet=str(sheet.get("name")),
                            ref=str(c.get("r")),
                            type=kind,
                            text=text,
                            formula=(f.text or "") if f is not None else None,
                            quote_prefix=style < len(quoted) and quoted[style],
                        )
                    )

    def formulas(self) -> list[RawCell]:
        return [c for c in self.cells if c.formula is not None]

    def with_text(self, text: str) -> list[RawCell]:
        return [c for c in self.cells if c.text == text and c.type in ("s", "inlineStr")]


def assert_neutral(data: bytes, texts: Iterable[str]) -> RawBook:
    """No formula but kehoach's own; each text is somewhere in the workbook, always as a
    string cell carrying the quote prefix, and openpyxl reads it back as that string."""
    book = RawBook(data)
    for cell in book.formulas():
        assert KEHOACH_FORMULA.fullmatch(cell.formula or ""), cell
    wanted = set(texts)
    for text in wanted:
        found = book.with_text(text)
        assert found, f"{text!r} is not a string cell of the workbook"
        assert all(c.quote_prefix for c in found), found
        assert not [c for c in book.cells if c.text == text and c.type not in ("s", "inlineStr")]
    opened = load_workbook(io.BytesIO(data))
    seen = set()
    for ws in opened.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in wanted:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell)
                    seen.add(cell.value)
    assert seen == wanted
    return book


def assert_kept_as_text(data: bytes, texts: Iterable[str]) -> RawBook:
    """What a spreadsheet program saved: no formula but kehoach's own, each text still a
    string cell (LibreOffice drops the quote-prefix flag when it saves, the text stays text)."""
    book = RawBook(data)
    for cell in book.formulas():
        assert KEHOACH_FORMULA.fullmatch(cell.formula or ""), cell
    for text in texts:
        assert book.with_text(text), f"{text!r} is not a string cell any more"
    return book


def libreoffice_open(
    files: dict[str, bytes], profile: Path, target: str = "xlsx"
) -> dict[str, bytes]:
    """Open each file in LibreOffice (headless) and save it again as ``target``, all in one
    run; ``profile`` is a LibreOffice user profile folder, reused between calls."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = []
        for name, data in files.items():
            source = folder / "in" / name
            source.parent.mkdir(exist_ok=True)
            source.write_bytes(data)
            sources.append(str(source))
        out = folder / "out"
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                *sources,
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return {name: (out / f"{Path(name).stem}.{target}").read_bytes() for name in files}


def _publish(planner: Any, approver: Any, plan: Any) -> None:
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data=RESOLUTION)
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    plan.refresh_from_db()


def published_with_formula_texts() -> dict[str, Any]:
    """The published 2027 plan of Xã Hải Lăng whose lines came from village proposals named
    with the ``HOSTILE`` texts (location ``MINUS``): the ``LINK`` line funded with the reason
    ``REASON`` from an envelope line whose content is ``CONTENT`` (notes ``AT``), with a
    progress report whose problems are ``PROBLEM``; the others not funded, reason ``PLUS``."""
    place = hai_lang()
    (village,) = sf.villages(place, ["Thôn Diên Sanh"])
    road = sf.transport()
    sf.submitted_plan(
        village,
        [
            sf.money_line(
                "600", "100", sector=road, activity=text, location=MINUS, quantity=Decimal(2)
            )
            for text in HOSTILE
        ],
    )
    round_ = sf.round_of(place)
    planner, approver = sf.planner(place), sf.approver(place)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    ntp = sf.envelope_line(round_, sf.ntp(), "900", sector_=road, content=CONTENT, notes=AT)
    lines = {x.activity: x for x in plan.lines.all()}
    for text, line in lines.items():
        if text == LINK:
            funding = {ntp: Decimal(500)}
            line_decide(
                actor=planner, line=line, decision=Decision.FUNDED, reason=REASON, funding=funding
            )
        else:
            line_decide(actor=planner, line=line, decision=Decision.UNFUNDED, reason=PLUS)
    _publish(planner, approver, plan)
    progress_report_create(
        actor=planner,
        line=lines[LINK],
        data=report_data(problems=PROBLEM, reported_on=datetime.date(2026, 11, 30)),
        disbursed={ntp: Decimal(250)},
    )
    return {"plan": plan, "planner": planner, "commune": place, "ntp": ntp}


def published_without_works() -> dict[str, Any]:
    """The published 2027 plan of Xã Hải Lăng whose only line is in the plan without
    funding: a plan with no works to follow (F14 and the progress dataset have no rows)."""
    place = hai_lang()
    (village,) = sf.villages(place, ["Thôn Mỹ Chánh"])
    sf.submitted_plan(
        village, [sf.money_line("30", "0", sector=sf.agriculture(), activity="Tập huấn")]
    )
    round_ = sf.round_of(place)
    planner, approver = sf.planner(place), sf.approver(place)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    line_decide(
        actor=planner, line=plan.lines.get(), decision=Decision.UNFUNDED, reason="Chưa có vốn"
    )
    _publish(planner, approver, plan)
    return {"plan": plan, "planner": planner, "commune": place}
