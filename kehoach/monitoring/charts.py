"""Charts drawn on the server as inline SVG: no JavaScript, printable, readable in black and
white and on a 360 px screen.

A chart is horizontal bars: each row's label on its own line, then one bar per series with its
value written at the end of the bar. The first series is a dark bar, the second a white bar
with a dark outline, so the two stay apart when printed in black and white; a legend says
which is which. The SVG has ``role="img"``, a ``<title>`` and a ``<desc>`` it is labelled by,
and a visible title. ``Chart`` also carries the table of its numbers (columns, rows, total):
``monitoring/partials/chart.html`` writes the table right after the drawing, so every chart
comes with its figures.

The SVG is built with ElementTree, which escapes every label: the markup is well-formed XML
whatever the names of sectors, sources or communes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from kehoach.core.numbers import format_number_vi

WIDTH = 320
"""Width of the drawing in its own units; it is scaled to the width of the page."""
PAD = 4
TITLE = 17
LEGEND = 19
LABEL = 16
BAR = 14
BAR_GAP = 2
GROUP_GAP = 8
VALUE_ROOM = 80
"""Room kept right of the longest bar for its value."""
LABEL_CHARS = 46
TITLE_CHARS = 40
CHAR = 6.8
"""Roughly the width of a character of the 12-unit font, for the legend."""
INK = "#1f3a5f"
STYLES = [
    {"fill": INK, "stroke": INK},
    {"fill": "#ffffff", "stroke": INK},
]
SVG_NS = "http://www.w3.org/2000/svg"

Number = Decimal | int


def number_text(value: Number | None, decimals: int = 1, suffix: str = "") -> str:
    """A number the Vietnamese way (1.234,5), with an optional suffix such as %."""
    if value is None:
        return ""
    return format_number_vi(Decimal(value), decimals) + suffix


@dataclass
class Row:
    """One line of the chart and of its table."""

    label: str
    values: list[Number]
    """The values drawn, one per series."""
    extra: list[str] = field(default_factory=list)
    """Further cells of the table only (already written, e.g. a percentage)."""
    href: str = ""


@dataclass
class Chart:
    """A horizontal bar chart with the table of its numbers."""

    id: str
    title: str
    description: str
    label_header: str
    series: list[str]
    rows: list[Row]
    decimals: int = 1
    suffix: str = ""
    extra_headers: list[str] = field(default_factory=list)
    total: Row | None = None
    scale_max: Number | None = None
    """The value of a full bar; the largest value when not given (100 for percentages)."""
    counting: str = ""
    """How the rows are counted when it is not plain, written in the table's caption."""
    note: str = ""
    """A remark written under the table."""

    def text(self, value: Number | None) -> str:
        return number_text(value, self.decimals, self.suffix)

    @property
    def headers(self) -> list[str]:
        return [*self.series, *self.extra_headers]

    def cells(self, row: Row) -> list[str]:
        return [self.text(v) for v in row.values] + row.extra

    @property
    def table_rows(self) -> list[tuple[Row, list[str]]]:
        return [(row, self.cells(row)) for row in self.rows]

    @property
    def total_cells(self) -> list[str]:
        return self.cells(self.total) if self.total is not None else []

    @property
    def svg(self) -> SafeString:
        return mark_safe(render_svg(self))  # built by ElementTree: escaped


def _lines(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` characters, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, "text", {"x": _n(x), "y": _n(y), **attrs})
    node.text = text
    return node


def _n(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (text)."""
    values = [Decimal(v) for row in chart.rows for v in row.values]
    top = max(values, default=Decimal(0))
    if chart.scale_max is not None:
        top = max(top, Decimal(chart.scale_max))
    span = WIDTH - 2 * PAD - VALUE_ROOM
    multi = len(chart.series) > 1
    title_lines = _lines(chart.title, TITLE_CHARS)
    legend_lines = 1
    x = float(PAD)
    legend: list[tuple[float, int, str]] = []
    for name in chart.series if multi else []:
        room = 18 + CHAR * len(name) + 12
        if x > PAD and x + room > WIDTH:
            x, legend_lines = float(PAD), legend_lines + 1
        legend.append((x, legend_lines - 1, name))
        x += room
    group_height = LABEL + len(chart.series) * (BAR + BAR_GAP) + GROUP_GAP
    head = PAD + TITLE * len(title_lines)
    body_top = head + (LEGEND * legend_lines if multi else 4)
    height = body_top + max(len(chart.rows), 1) * group_height
    ids = f"{chart.id}-title {chart.id}-desc"
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {WIDTH} {_n(height)}",
            "role": "img",
            "aria-labelledby": ids,
            "class": "chart",
            "font-family": "sans-serif",
            "font-size": "12",
        },
    )
    ET.SubElement(root, "title", {"id": f"{chart.id}-title"}).text = chart.title
    ET.SubElement(root, "desc", {"id": f"{chart.id}-desc"}).text = chart.description
    for number, line in enumerate(title_lines):
        _text(
            root, PAD, PAD + 12 + TITLE * number, line, **{"font-size": "13", "font-weight": "bold"}
        )
    for index, (x, line_number, name) in enumerate(legend):
        top_of_key = head + 2 + LEGEND * line_number
        style = STYLES[index % len(STYLES)]
        ET.SubElement(
            root,
            "rect",
            {"x": _n(x), "y": _n(top_of_key), "width": "14", "height": "11", **style},
        )
        _text(root, x + 18, top_of_key + 10, name)
    if not chart.rows:
        return ET.tostring(root, encoding="unicode")
    y = float(body_top)
    for row in chart.rows:
        _text(root, PAD, y + 12, _short(row.label))
        y += LABEL
        for index, value in enumerate(row.values):
            length = float(Decimal(value) / top * span) if top else 0.0
            style = STYLES[index % len(STYLES)]
            ET.SubElement(
                root,
                "rect",
                {
                    "x": _n(PAD),
                    "y": _n(y),
                    "width": _n(max(length, 1.0)),
                    "height": str(BAR),
                    "stroke-width": "1",
                    **style,
                },
            )
            _text(root, PAD + max(length, 1.0) + 4, y + 11, chart.text(value))
            y += BAR + BAR_GAP
        y += GROUP_GAP
    return ET.tostring(root, encoding="unicode")
