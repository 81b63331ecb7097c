"""What the F7 workbook's writing and reading share: the period's columns (the layout's year
group spread into one group per year of the round), the drop-down lists and the statuses as
the workbook names them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.db.models import Q

from kehoach.catalog.models import FundingSource
from kehoach.midterm.choices import SET_BY_HAND, YearStatus
from kehoach.midterm.models import MediumTermPlan

from ... import choices as lists
from ...choices import Choices, _entry
from ...layouts import Column, FormLayout

FORM = "F7"
FORM_NAME = "Kế hoạch phát triển thôn 5 năm"
YEAR_PARTS = ("year_quantity", "year_cost_mvnd", "year_status")
"""The layout's columns repeated for each year of the period (``parent``: "Năm {year}")."""
LINE_KEYS = (
    "sector",
    "activity",
    "location",
    "unit",
    "contribution_mvnd",
    "external_support_mvnd",
    "proposed_source",
    "beneficiary_households",
    "beneficiary_poor",
    "beneficiary_em",
    "implementation_mode",
    "notes",
)
"""The columns of a line that do not change from year to year (``MediumTermLine``)."""
STATUS_LABELS: dict[str, str] = {
    YearStatus.PLANNED: "Dự kiến",
    YearStatus.PROPOSED: "Đã đề xuất trong kế hoạch năm",
    YearStatus.IN_PLAN: "Có trong kế hoạch năm được duyệt",
    YearStatus.NOT_FUNDED: "Chưa được bố trí vốn",
    YearStatus.DONE: "Đã hoàn thành",
    YearStatus.DROPPED: "Bỏ",
}
"""The status of a year as the workbook writes it (the workbook is in Vietnamese whatever the
user's language); only ``SET_BY_HAND`` are in the drop-down, the others are written locked."""
STATUS_ALIASES = {
    YearStatus.PLANNED: ("dự kiến thực hiện", "kế hoạch", "planned"),
    YearStatus.DROPPED: ("bỏ", "không thực hiện", "hủy", "dropped"),
}


def year_key(part: str, year: int) -> str:
    """``year_cost_mvnd_2027``: the key of one column of a year's group."""
    return f"{part}_{year}"


def split_year_key(key: str) -> tuple[str, int] | None:
    """``("year_cost_mvnd", 2027)`` for a year column's key, None for the others."""
    part, _sep, year = key.rpartition("_")
    if part in YEAR_PARTS and year.isdigit():
        return part, int(year)
    return None


def period_columns(layout: FormLayout, years: Sequence[int]) -> list[Column]:
    """The layout's columns with its year group written once per year of the period, in the
    place of the group: "Năm 2026" over Khối lượng, Kinh phí, Tình trạng, then "Năm 2027" …"""
    group = [c for c in layout.columns if c.key in YEAR_PARTS]
    out: list[Column] = []
    placed = False
    for column in layout.columns:
        if column.key not in YEAR_PARTS:
            out.append(column)
            continue
        if placed:
            continue
        placed = True
        for year in years:
            for part in group:
                out.append(
                    dataclasses.replace(
                        part,
                        key=year_key(part.key, year),
                        parent=(part.parent or "Năm {year}").replace("{year}", str(year)),
                    )
                )
    return out


def statuses() -> Choices:
    """Every status (a derived one read back from the file must be known), the ones set by
    hand first: the drop-down lists those only (``settable_labels``)."""
    order = [*SET_BY_HAND, *(s for s in YearStatus if s not in SET_BY_HAND)]
    return Choices(
        [
            _entry(
                STATUS_LABELS[YearStatus(s)],
                YearStatus(s),
                str(s),
                aliases=STATUS_ALIASES.get(YearStatus(s), ()),
            )
            for s in order
        ]
    )


def settable_labels() -> list[str]:
    return [STATUS_LABELS[YearStatus(s)] for s in SET_BY_HAND]


def form_lists(plan: MediumTermPlan) -> dict[str, Choices]:
    """The lists of the form; a source is offered when it is in use in some year of the
    period (the writer checks it against each year the line is planned in)."""
    round_ = plan.round
    return {
        "sectors": lists.sectors(),
        "units": lists.units(),
        "sources": lists.sources(
            round_.first_year,
            queryset=FundingSource.objects.active().filter(
                Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=round_.last_year),
                Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=round_.first_year),
            ),
        ),
        "modes": lists.modes(),
        "statuses": statuses(),
    }
