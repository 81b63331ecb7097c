"""The open-data build reads and writes with Python's cycle collector paused (it makes no
cycle), and gives it back as it found it; the short way of ``plain`` writes what the long one
did."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kehoach.geo.tests.factories import CommuneFactory, quang_tri
from kehoach.portal import selectors
from kehoach.portal.collector import collector_paused
from kehoach.portal.opendata import DATASETS, FORMATS, Scope, csv_chunks, json_chunks, plain
from kehoach.portal.stored.files import write_file

from .factories import followed_plan

D = Decimal


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:  # pragma: no cover - pytest runs with the collector on
        gc.disable()


def test_the_collector_is_paused_in_the_block_and_on_again_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_error(collector_on: None) -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on: None) -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_the_batches_are_handed_over_with_the_collector_on(collector_on: None) -> None:
    followed_plan()
    for code, name in [("19707", "Xã Hải An"), ("19708", "Xã Hải Đông")]:
        followed_plan(CommuneFactory.create(code=code, name=name, parent=quang_tri()))
    seen = []
    for batch in selectors.published_in(quang_tri(), 2027):
        seen.append((gc.isenabled(), [plan.commune_code for plan in batch]))
    assert seen == [(True, ["19707", "19708", "19702"])]


@pytest.mark.django_db
def test_a_built_file_is_what_the_formatters_write_and_leaves_the_collector_on(
    collector_on: None,
) -> None:
    followed_plan()
    scope = Scope(quang_tri(), 2027)
    for dataset in DATASETS.values():
        for fmt in FORMATS:
            out = io.BytesIO()
            write_file(dataset, fmt, scope, out)
            assert gc.isenabled()
            if fmt == "csv":
                assert out.getvalue() == b"".join(csv_chunks(dataset, scope))
            elif fmt == "json":
                assert _undated(out.getvalue()) == _undated(b"".join(json_chunks(dataset, scope)))


def _undated(document: bytes) -> Any:
    head, _sep, rest = document.partition(b'"generated_at": "')
    return head, rest.partition(b'"')[2]


def _long_plain(value: Decimal) -> str:
    """``plain`` as it was first written (the fixed-point format of every decimal)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@pytest.mark.parametrize(
    "text",
    ["500.000", "0.750", "0", "-0.000", "1030", "-5.250", "1E+3", "5E+1", "1.50E-7", "0E-10"],
)
def test_plain_writes_what_the_fixed_point_format_wrote(text: str) -> None:
    assert plain(D(text)) == _long_plain(D(text))


def test_plain_has_no_exponent() -> None:
    assert [plain(D(x)) for x in ("1E+3", "1.50E-7", "0E-10")] == ["1000", "0.00000015", "0"]
