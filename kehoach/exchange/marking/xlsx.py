"""Marking an .xlsx by patching its zip and XML as a stream (docs/decisions.md D41).

Every entry of the user's file is copied unchanged except:

- the styles part (small, bounded): one red fill, a red copy of each ``cellXfs`` entry a wrong
  cell uses, and two text styles for the “Lỗi” sheet (one with the quote prefix);
- each worksheet with wrong cells, read and written in chunks: the ``s`` attribute of the wrong
  cells' ``<c>`` tags points to the red copy of their style; a wrong cell that has no ``<c>``
  (an empty required cell), or whose ``<row>`` is missing, is inserted in its place (one
  ``<row>`` at most is held at a time); a hidden column holding a wrong cell is shown; a
  ``<legacyDrawing>`` is added in its place in the schema's order, with a comments part and
  its VML drawing, unless the sheet already has comments or a VML drawing (the “Lỗi” sheet
  lists the messages anyway);
- every sheet's ``tabSelected`` flag is cleared, and a new worksheet “Lỗi” (inline strings,
  never formulas) is appended last and made the active tab; appending, rather than inserting
  first, keeps every ``localSheetId`` of the defined names right. A “Lỗi” sheet left by an
  earlier marked copy is removed (and the calculation chain, which Excel rebuilds);
- the workbook, its relationships and ``[Content_Types].xml`` list the new and removed parts.

Anything this cannot patch safely (a strict-OOXML file, prefixed element names, cells without
``r`` in a wrong row, no styles part, a DOCTYPE or an XML comment, a tag or row of many
megabytes) raises ``Unpatchable``, and the caller rebuilds the file from its values instead.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from .opc import (
    CT_COMMENTS,
    CT_VML,
    CT_WORKSHEET,
    T_CALC_CHAIN,
    T_COMMENTS,
    T_OFFICE,
    T_STYLES,
    T_VML,
    T_WORKSHEET,
    TYPES,
    _add_relationships,
    _entry,
    _new_entry,
    _new_id,
    _Package,
    _relationship,
    _relative,
    _rels_name,
    _resolve,
    _unused,
    _write,
)
from .parts import Styles, comments_xml, listing_xml, vml_xml
from .sheet import Sheet, SheetPlan
from .stream import CHUNK
from .tags import MAIN, REL, TAG, Unpatchable, attributes, set_attributes

if TYPE_CHECKING:
    from . import Marks

__all__ = ["Unpatchable", "patch"]


@dataclass
class _SheetEntry:
    name: str
    rid: str
    part: str | None
    """The part of a worksheet, chartsheet or dialog sheet; None if missing."""
    is_worksheet: bool


@dataclass
class _Plan:
    """What changes in the package; worked out from its small parts before anything is
    written."""

    workbook: str
    styles_part: str
    sheets: list[_SheetEntry]
    removed: list[int]
    removed_parts: set[str] = field(default_factory=set)
    marked: dict[str, dict[int, dict[int, str]]] = field(default_factory=dict)
    """Worksheet part → its marks."""
    comments: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Worksheet part → (relationship id of the VML drawing, comments part, VML part)."""
    new_parts: dict[str, str] = field(default_factory=dict)
    """New part → its content type."""
    patched: dict[str, bytes] = field(default_factory=dict)
    """Small parts replaced whole."""
    listing_part: str = ""
    vml_block: int = 1
    """The first block of 1,024 VML shape ids free in the workbook (``o:idmap``)."""


def _drop_tags(data: bytes, name: bytes, drop: Callable[[dict[bytes, bytes]], bool]) -> bytes:
    """``data`` without the empty elements ``<name .../>`` that ``drop`` chooses."""
    out, pos = [], 0
    for found in re.finditer(rb"<" + name + rb"[\s/>]", data):
        tag = TAG.match(data, found.start())
        if tag is None or not tag.group(3):
            raise Unpatchable(f"{name!r}")
        if drop(attributes(tag.group(2))):
            out.append(data[pos : tag.start()])
            pos = tag.end()
    return b"".join(out) + data[pos:]


def _plan(package: _Package, marks: Marks) -> tuple[_Plan, Styles]:
    from . import ERRORS_SHEET

    root_rels = package.rels("")
    office = [r for r in root_rels if r.type == T_OFFICE and not r.external]
    if len(office) != 1:
        raise Unpatchable("no workbook (or a strict OOXML one)")
    workbook = _resolve("", office[0].target)
    wb_xml = package.read(workbook)
    root = ElementTree.fromstring(wb_xml)
    if root.tag != f"{{{MAIN}}}workbook":
        raise Unpatchable("workbook")
    rels = {r.id: r for r in package.rels(workbook)}
    styles = [r for r in rels.values() if r.type == T_STYLES and not r.external]
    if len(styles) != 1:
        raise Unpatchable("no styles")
    styles_part = _resolve(workbook, styles[0].target)
    sheets: list[_SheetEntry] = []
    for item in root.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet"):
        rid = item.get(f"{{{REL}}}id", "")
        rel = rels.get(rid)
        part = _resolve(workbook, rel.target) if rel and not rel.external else None
        if part is not None and not package.has(part):
            part = None
        is_worksheet = bool(rel and rel.type == T_WORKSHEET)
        sheets.append(_SheetEntry(item.get("name", ""), rid, part, is_worksheet))
    if not sheets:
        raise Unpatchable("no sheets")
    removed = [i for i, s in enumerate(sheets) if s.name.casefold() == ERRORS_SHEET.casefold()]
    kept = [s for i, s in enumerate(sheets) if i not in removed]
    shared = {s.rid for s in kept} | {s.part.lower() for s in kept if s.part}
    if any(sheets[i].rid in shared or (sheets[i].part or "").lower() in shared for i in removed):
        raise Unpatchable("an errors sheet shares its part with another sheet")
    plan = _Plan(workbook, styles_part, sheets, removed)
    taken: set[str] = set()
    for i in removed:
        part = sheets[i].part
        if part:
            plan.removed_parts |= {part, _rels_name(part)}
    calc_chain = [r for r in rels.values() if r.type == T_CALC_CHAIN and not r.external]
    if removed:
        plan.removed_parts |= {_resolve(workbook, r.target) for r in calc_chain}
    plan.vml_block = _free_vml_block(package)
    for i, sheet in enumerate(sheets):
        wrong = marks.cells.get(sheet.name)
        if i in removed or not wrong or not sheet.is_worksheet or sheet.part is None:
            continue
        plan.marked[sheet.part] = wrong
        sheet_rels = package.rels(sheet.part)
        if any(r.type in (T_COMMENTS, T_VML) for r in sheet_rels):
            continue  # the sheet has its own comments: the messages are on “Lỗi”
        comments = _unused(package, taken, "xl/comments/kehoach{}.xml")
        vml = _unused(package, taken, "xl/drawings/kehoach{}.vml")
        used = {r.id for r in sheet_rels}
        vml_id, comments_id = _new_id(used), _new_id(used)
        plan.comments[sheet.part] = (vml_id, comments, vml)
        plan.new_parts |= {comments: CT_COMMENTS, vml: CT_VML}
        rels_part = _rels_name(sheet.part)
        existing = package.read(rels_part) if package.has(rels_part) else None
        plan.patched[rels_part] = _add_relationships(
            existing,
            [
                _relationship(vml_id, T_VML, _relative(sheet.part, vml)),
                _relationship(comments_id, T_COMMENTS, _relative(sheet.part, comments)),
            ],
        )
    listing = _unused(package, taken, "xl/worksheets/kehoach{}.xml")
    plan.listing_part = listing
    plan.new_parts[listing] = CT_WORKSHEET
    used_ids = set(rels)
    listing_id = _new_id(used_ids)
    removed_ids = {sheets[i].rid for i in removed} | {r.id for r in calc_chain if removed}
    wb_rels_part = _rels_name(workbook)
    wb_rels = _drop_tags(
        package.read(wb_rels_part),
        b"Relationship",
        lambda a: html.unescape(a.get(b"Id", b"").decode()) in removed_ids,
    )
    plan.patched[wb_rels_part] = _add_relationships(
        wb_rels, [_relationship(listing_id, T_WORKSHEET, _relative(workbook, listing))]
    )
    plan.patched[workbook] = _workbook(wb_xml, plan, listing_id)
    plan.patched["[Content_Types].xml"] = _content_types(package, plan)
    return plan, Styles(package.read(styles_part))


def _free_vml_block(package: _Package) -> int:
    """One past the last block of shape ids the workbook's VML drawings use (controls or
    comments of other sheets), so that no two shapes share an id."""
    used = [0]
    for name in package.names:
        if name.endswith(".vml"):
            for data in re.findall(
                rb"<o:idmap\b[^>]*\bdata=\"([0-9,\s]*)\"",
                package.read(name, parse=False),
            ):
                used += [int(n) for n in re.findall(rb"[0-9]+", data)]
    return max(used) + 1


def _workbook(data: bytes, plan: _Plan, listing_id: str) -> bytes:
    """workbook.xml without the removed sheets, with “Lỗi” last and active."""
    from . import ERRORS_SHEET

    removed = sorted(plan.removed)
    names = {plan.sheets[i].name for i in removed}
    root = TAG.search(data)
    if root is None or root.group(1) != b"workbook":
        raise Unpatchable("workbook root")
    ids = []
    for found in re.finditer(rb"<sheet[\s/>]", data):
        tag = TAG.match(data, found.start())
        if tag is None:
            raise Unpatchable("sheet")
        try:
            ids.append(int(attributes(tag.group(2)).get(b"sheetId", b"0")))
        except ValueError:
            raise Unpatchable("sheetId") from None
    data = _drop_tags(
        data,
        b"sheet",
        lambda a: html.unescape(a.get(b"name", b"").decode("utf-8")) in names,
    )
    r_prefix = b"r:" if attributes(root.group(2)).get(b"xmlns:r") == REL.encode() else b""
    declare = b"" if r_prefix else b' xmlns:r="' + REL.encode() + b'"'
    sheet = (
        b'<sheet name="'
        + ERRORS_SHEET.encode()
        + b'" sheetId="%d"' % (max(ids, default=0) + 1)
        + declare
        + b' r:id="'
        + listing_id.encode()
        + b'"/>'
    )
    end = data.find(b"</sheets>")
    if end < 0:
        raise Unpatchable("sheets")
    data = data[:end] + sheet + data[end:]
    if removed:
        data = _defined_names(data, removed)
    active = len(plan.sheets) - len(removed)
    views = list(re.finditer(rb"<workbookView[\s/>]", data))
    if not views:
        sheets = data.find(b"<sheets")
        view = b'<bookViews><workbookView activeTab="%d"/></bookViews>' % active
        return data[:sheets] + view + data[sheets:]
    out, pos = [], 0
    for found in views:
        tag = TAG.match(data, found.start())
        if tag is None:
            raise Unpatchable("workbookView")
        first = int(attributes(tag.group(2)).get(b"firstSheet", b"0"))
        values: dict[bytes, bytes | None] = {b"activeTab": b"%d" % active}
        if first > active:
            values[b"firstSheet"] = None
        out.append(data[pos : tag.start()])
        out.append(set_attributes(tag.group(), values))
        pos = tag.end()
    return b"".join(out) + data[pos:]


def _defined_names(data: bytes, removed: list[int]) -> bytes:
    """The defined names local to a sheet follow it to its new position, or go with it."""
    out: list[bytes] = []
    pos = 0
    for found in re.finditer(rb"<definedName[\s/>]", data):
        tag = TAG.match(data, found.start())
        if tag is None:
            raise Unpatchable("definedName")
        local = attributes(tag.group(2)).get(b"localSheetId")
        if local is None:
            continue
        index = int(local)
        end = tag.end()
        if not tag.group(3):
            close = data.find(b"</definedName>", end)
            if close < 0:
                raise Unpatchable("definedName")
            end = close + len(b"</definedName>")
        out.append(data[pos : tag.start()])
        if index in removed:
            pos = end
            continue
        shift = sum(1 for i in removed if i < index)
        out.append(set_attributes(tag.group(), {b"localSheetId": b"%d" % (index - shift)}))
        pos = tag.end()
    data = b"".join(out) + data[pos:]
    return re.sub(rb"<definedNames>\s*</definedNames>", b"", data)


def _content_types(package: _Package, plan: _Plan) -> bytes:
    data = package.read("[Content_Types].xml")
    root = ElementTree.fromstring(data)
    if root.tag != f"{{{TYPES}}}Types":
        raise Unpatchable("content types")
    gone = {"/" + part.lower() for part in plan.removed_parts}
    data = _drop_tags(
        data,
        b"Override",
        lambda a: html.unescape(a.get(b"PartName", b"").decode()).lower() in gone,
    )
    added = b"".join(
        f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(kind)}/>".encode()
        for part, kind in plan.new_parts.items()
    )
    end = data.rfind(b"</Types>")
    if end < 0:
        raise Unpatchable("content types")
    return data[:end] + added + data[end:]


def patch(data: bytes, marks: Marks) -> bytes:
    """The marked .xlsx; raises ``Unpatchable`` (or a zipfile/XML error) when it cannot."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = _Package(archive)
        plan, styles = _plan(package, marks)
        sheet_parts = {s.part.lower(): s.part for s in plan.sheets if s.part}
        removed = {part.lower() for part in plan.removed_parts}
        patched = {name.lower(): value for name, value in plan.patched.items()}
        styles_info = None
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as result:
            for info in package.infos:
                name = info.filename.lower()
                if name in removed:
                    continue
                if name == plan.styles_part.lower():
                    styles_info = info  # written last, once every sheet asked for its styles
                    continue
                entry = _entry(info)
                if name in patched:
                    result.writestr(entry, patched.pop(name))
                elif info.is_dir():
                    result.writestr(entry, b"")
                else:
                    with archive.open(info) as source, result.open(entry, "w") as sink:
                        part = sheet_parts.get(name)
                        if part is None:
                            shutil.copyfileobj(source, sink, CHUNK)
                        else:
                            comments = plan.comments.get(part)
                            sheet = SheetPlan(
                                plan.marked.get(part, {}),
                                comments[0] if comments else None,
                                styles,
                            )
                            Sheet(source, sink.write, sheet).run()
            for (
                name,
                value,
            ) in patched.items():  # the relationships of a sheet that had none
                result.writestr(_new_entry(name), value)
            block = plan.vml_block
            for part, (_rid, comments_part, vml_part) in plan.comments.items():
                marked = plan.marked[part]
                _write(result, comments_part, comments_xml(marked))
                _write(result, vml_part, vml_xml(marked, block))
                block += sum(len(cells) for cells in marked.values()) // 1024 + 1
            _write(result, plan.listing_part, listing_xml(marks.listing, styles))
            if styles_info is None:
                raise Unpatchable("styles")
            result.writestr(_entry(styles_info), styles.patched())
    return out.getvalue()
