"""An .xlsx archive: its parts in the order calamine reads them, each sheet on the fast path when
it can."""

from __future__ import annotations

from array import array

from .budget import Budget
from .messages import _too_many_strings
from .xlsx_cells import _Fallback, _FastCells, _SheetCells
from .xlsx_parts import _Relationships, _SharedStrings, _WorkbookSheets
from .xml import _Handler, _parse
from .zipped import _Zip, zip_key


def _scan_sheet(box: _Zip, key: str, sheet: str, shared: array[int], budget: Budget) -> None:
    """One worksheet part: on the fast path when it can, exactly otherwise."""
    part = box.entries[key].filename
    filename = budget.filename
    if max(shared, default=0) <= budget.limits.max_cell_text:
        saved = budget.snapshot()
        extent = budget.sheet(sheet)
        fast = _FastCells(part, extent, shared, budget)
        try:
            _parse(
                box.stream(key),
                _Handler(filename, part),
                counter=budget.add_sheet_bytes,
                inspect=fast.feed,
            )
        except _Fallback:
            budget.restore(saved)
        else:
            extent.close()
            return
    extent = budget.sheet(sheet)
    cells = _SheetCells(filename, part, extent, shared, budget)
    _parse(box.stream(key), cells, text=True, counter=budget.add_sheet_bytes)
    extent.close()


def _resolve(base: str, target: str) -> str:
    """A relationship target the way calamine resolves it: absolute, or after the folder."""
    return target[1:] if target.startswith("/") else f"{base}{target}"


def _scan_xlsx(box: _Zip, budget: Budget) -> None:
    limits = budget.limits
    filename = budget.filename
    base = "xl/"
    if box.has("_rels/.rels"):
        rels = _Relationships(filename, "_rels/.rels")
        _parse(box.stream("_rels/.rels", limits.max_part_xml), rels)
        for target, kind in rels.order:
            if kind.endswith("/relationships/officeDocument"):
                folder = target.rpartition("/")[0]
                base = f"{folder}/".lstrip("/") if folder else ""
    targets: dict[str, str] = {}  # part key → sheet name
    rels_key = zip_key(f"{base}_rels/workbook.xml.rels")
    workbook_rels: dict[str, tuple[str, str]] = {}
    if box.has(rels_key):
        relationships = _Relationships(filename, box.entries[rels_key].filename)
        _parse(box.stream(rels_key, limits.max_part_xml), relationships)
        workbook_rels = relationships.by_id
    workbook_key = zip_key(f"{base}workbook.xml")
    if box.has(workbook_key):
        sheets = _WorkbookSheets(filename, box.entries[workbook_key].filename, limits.max_sheets)
        _parse(box.stream(workbook_key, limits.max_part_xml), sheets)
        for name, rel_id in sheets.sheets:
            target = workbook_rels.get(rel_id, ("", ""))[0]
            if target:
                targets.setdefault(zip_key(_resolve(base, target)), name)
    shared = array("L")
    strings_key = zip_key(f"{base}sharedStrings.xml")
    if box.has(strings_key):
        info = box.entries[strings_key]
        if info.file_size > limits.max_shared_strings_bytes:
            raise _too_many_strings(filename, limits)
        strings = _SharedStrings(filename, info.filename, limits)
        _parse(box.stream(strings_key), strings, text=True)
        shared = strings.lengths
    styles_key = zip_key(f"{base}styles.xml")
    if box.has(styles_key):
        _parse(box.stream(styles_key, limits.max_part_xml), _Handler(filename, styles_key))
    for key, info in box.entries.items():
        if "worksheets/" in key and not key.endswith(".rels") and not info.is_dir():
            targets.setdefault(key, info.filename)
    for key, sheet in targets.items():  # a target that is another part is read again as a sheet
        if not box.has(key):
            continue
        _scan_sheet(box, key, sheet or key, shared, budget)
