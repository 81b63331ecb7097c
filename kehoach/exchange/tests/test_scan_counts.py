"""The byte counts that spare the upload scan a pattern per cell, and the column-wise typing of
a table, checked against the exact ways they stand for."""

from __future__ import annotations

import random
from typing import Any

import pytest

from kehoach.core.numbers import ParseError
from kehoach.exchange.forms.base.table import _Failed, _read_column
from kehoach.exchange.scan import xlsx_cells


def test_pieces_fit_says_what_splitting_says() -> None:
    rnd = random.Random(14)
    for _ in range(20_000):
        body = b"".join(rnd.choice([b"x", b"</c>", b"<", b"c", b"/", b">"]) for _ in range(40))
        limit = rnd.randrange(-2, 16)
        expected = max(map(len, body.split(b"</c>"))) <= limit
        assert xlsx_cells._pieces_fit(body, limit) is expected, (body, limit)


@pytest.mark.parametrize(
    "body",
    [
        b'<c r="A1" t="s"><v>0</v></c>',
        b"<c r=\"A1\" t='s'><v>0</v></c>",
        b'<c r="A1" t = "s"><v>0</v></c>',
        b'<c r="A1"\tt="s"><v>0</v></c>',
        b'<c r="A1" s="s" t="s"><v>0</v></c>',
        b'<c r="A1" t="n"><v>1</v></c><c r="B1" t="inlineStr"><is><t>"s"</t></is></c>',
        b'<c r="A1"><v>1</v></c>',
    ],
)
def test_shared_cells_are_counted_as_the_pattern_counts_them(body: bytes) -> None:
    assert xlsx_cells._kinds(body) == len(xlsx_cells._T_ANY.findall(body))


def _typed(value: Any) -> Any:
    if value == "x":
        raise ParseError("wrong", "wrong")
    return (type(value).__name__, value)


def test_a_column_of_one_type_is_typed_once_per_value() -> None:
    seen: list[Any] = []

    def convert(value: Any) -> Any:
        seen.append(value)
        return _typed(value)

    typed, wrong = _read_column(["a", None, "a", "b", None], convert)
    assert typed == [
        ("str", "a"),
        ("NoneType", None),
        ("str", "a"),
        ("str", "b"),
        ("NoneType", None),
    ]
    assert not wrong
    assert seen == ["a", None, "b"]


def test_a_mixed_column_keeps_one_one_point_zero_and_true_apart() -> None:
    typed, wrong = _read_column([1, 1.0, True, "1", None, "x"], _typed)
    assert typed[:5] == [
        ("int", 1),
        ("float", 1.0),
        ("bool", True),
        ("str", "1"),
        ("NoneType", None),
    ]
    assert wrong
    assert typed[5].__class__ is _Failed


def _fed(chunks: list[bytes]) -> tuple[int, dict[str, tuple[int, int]]]:
    from array import array

    from kehoach.exchange.reading import Limits
    from kehoach.exchange.scan.budget import Budget

    budget = Budget("bieu.xlsx", Limits())
    extent = budget.sheet("F6")
    cells = xlsx_cells._FastCells("xl/worksheets/sheet1.xml", extent, array("L", [3, 5, 7]), budget)
    for chunk in [*chunks, b""]:
        cells.feed(chunk)
    extent.close()
    return budget.text, budget.extents


@pytest.mark.parametrize("cut", ['t="s"><v>', 't="s"><v', "t=", "</v>", "</c>", "<row"])
def test_a_chunk_parted_anywhere_in_a_cell_stays_on_the_fast_path(cut: str) -> None:
    """A chunk of the stream may end between a shared cell's ``<v>`` and its index: the fast
    path reads on (it used to fall back to the element handler, three times slower)."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>{r % 3}</v></c><c r="B{r}"><v>1.5</v></c></row>'
        for r in range(1, 40)
    )
    body = f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode()
    whole = _fed([body])
    at = body.index(cut.encode(), len(body) // 2) + len(cut)
    assert _fed([body[:at], body[at:]]) == whole
    assert whole[0] == sum([3, 5, 7][r % 3] for r in range(1, 40))
