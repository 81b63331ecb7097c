"""The items of the village meeting minutes (F8) as villages write them: the labels each item
goes by besides the form's own (``WRITTEN_LABELS``), the names of the attendance sheet, and the
cells as minutes fill them ("150 hộ", "14 giờ, ngày 12/3/2026")."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import translation

from kehoach.core.numbers import ParseError
from kehoach.core.text import fold
from kehoach.plans.models import VillageMeeting
from kehoach.plans.services.meeting import MEETING_FIELDS

from ... import cells
from ...layouts import Column
from ...reading.headers import clean

ATTENDANCE_SHEET = "Danh sách dự họp"

ATTENDANCE_SHEETS = (
    ATTENDANCE_SHEET,
    "Danh sách người dự họp",
    "Danh sách tham dự",
    "Danh sách người tham dự",
    "Danh sách đại biểu",
    "Danh sách dự họp thôn",
    "DS dự họp",
    "DS người dự họp",
    "DS tham dự",
    "Điểm danh",
)
"""The names the attendance sheet goes by (compared folded, legacy names converted)."""
NUMBER_COLUMN = Column("number", "STT", 6, "text")
"""The item numbers of minutes made elsewhere ("1", "2.1", "a)"), read and ignored."""
WRITTEN_LABELS: dict[str, tuple[str, ...]] = {
    "held_on": (
        "Thời gian họp",
        "Ngày họp",
        "Thời gian",
        "Ngày",
        "Thời gian tổ chức",
        "Ngày tổ chức",
        "Ngày họp thôn",
        "Thời gian họp thôn",
    ),
    "place": ("Địa điểm họp", "Địa điểm", "Nơi họp", "Địa điểm tổ chức"),
    "chair": ("Chủ trì", "Người chủ trì", "Chủ trì cuộc họp", "Chủ tọa", "Chủ trì hội nghị"),
    "secretary": ("Thư ký", "Thư ký cuộc họp", "Người ghi biên bản", "Thư ký hội nghị"),
    "agenda": ("Nội dung họp", "Nội dung cuộc họp", "Chương trình họp", "Nội dung chính"),
    "commune_staff": (
        "Cán bộ xã dự họp",
        "Cán bộ xã tham dự",
        "Đại diện xã",
        "Đại diện UBND xã",
        "Cán bộ xã",
        "Khách mời",
    ),
    "households_total": (
        "Tổng số hộ trong thôn",
        "Tổng số hộ",
        "Số hộ trong thôn",
        "Tổng số hộ của thôn",
        "Số hộ của thôn",
        "Số hộ toàn thôn",
    ),
    "households_represented": (
        "Số hộ tham dự",
        "Số hộ dự họp",
        "Số hộ có đại diện",
        "Số hộ có đại diện dự họp",
        "Số hộ có đại diện tham dự",
        "Số hộ tham gia",
        "Số hộ đến họp",
    ),
    "participants_total": (
        "Số người tham dự",
        "Số người dự họp",
        "Tổng số người dự họp",
        "Tổng số người tham dự",
        "Số người tham gia",
        "Tổng số người tham gia",
        "Số người đến họp",
        "Tổng số đại biểu",
        "Số đại biểu",
    ),
    "participants_women": (
        "Trong đó: nữ",
        "Trong đó nữ",
        "Số nữ",
        "Nữ",
        "Phụ nữ",
        "Số người dự họp là nữ",
        "Trong đó: phụ nữ",
        "Số phụ nữ",
    ),
    "participants_poor": (
        "Trong đó: hộ nghèo, cận nghèo",
        "Trong đó: người thuộc hộ nghèo, cận nghèo",
        "Người thuộc hộ nghèo, cận nghèo",
        "Hộ nghèo, cận nghèo",
        "Hộ nghèo/cận nghèo",
        "Người nghèo, cận nghèo",
        "Số người thuộc hộ nghèo, cận nghèo",
    ),
    "participants_em": (
        "Trong đó: DTTS",
        "Trong đó: người DTTS",
        "Người DTTS",
        "DTTS",
        "Dân tộc thiểu số",
        "Người dân tộc thiểu số",
        "Số người DTTS",
        "Trong đó: dân tộc thiểu số",
    ),
    "participants_youth": ("Thanh niên", "Trong đó: thanh niên", "Số thanh niên"),
    "participants_elderly": ("Người cao tuổi", "Trong đó: người cao tuổi", "Số người cao tuổi"),
    "decision": (
        "Nội dung quyết nghị",
        "Quyết nghị",
        "Kết luận",
        "Kết luận cuộc họp",
        "Nghị quyết",
        "Nội dung thống nhất",
        "Cuộc họp thống nhất",
    ),
    "votes_agree": (
        "Số phiếu tán thành",
        "Tán thành",
        "Đồng ý",
        "Số người đồng ý",
        "Số phiếu đồng ý",
        "Nhất trí",
        "Số người nhất trí",
        "Số người tán thành",
        "Biểu quyết tán thành",
    ),
    "votes_disagree": (
        "Số phiếu không tán thành",
        "Không tán thành",
        "Không đồng ý",
        "Số người không đồng ý",
        "Số phiếu không đồng ý",
        "Không nhất trí",
        "Số người không tán thành",
        "Biểu quyết không tán thành",
    ),
    "votes_abstain": (
        "Số phiếu không ý kiến",
        "Không ý kiến",
        "Số người không ý kiến",
        "Ý kiến khác",
        "Không biểu quyết",
        "Số phiếu trắng",
    ),
}
"""The ways minutes written elsewhere label each item, besides the form's own labels (the
model's names in Vietnamese and in English); compared cleaned like a header."""
COUNT_UNITS = re.compile(r"^\s*([0-9][0-9.,]*)\s*(?:ho|nguoi|phieu|dai bieu|ng)\.?\s*$")
"""A count with its unit, as minutes write it: "150 hộ", "130 người", "110 phiếu"."""
DAY_IN_TEXT = re.compile(r"\b(\d{1,2})\s*(?:/|-|\.|thang)\s*(\d{1,2})\s*(?:/|-|\.|nam)\s*(\d{4})\b")
"""A day inside a longer text: "14 giờ, ngày 12/3/2026", "ngày 12 tháng 3 năm 2026"."""
DATES = {"held_on"}
COUNTS = {
    "households_total",
    "households_represented",
    "participants_total",
    "participants_women",
    "participants_poor",
    "participants_em",
    "participants_youth",
    "participants_elderly",
    "votes_agree",
    "votes_disagree",
    "votes_abstain",
}


def _label(name: str) -> str:
    return str(getattr(VillageMeeting._meta.get_field(name), "verbose_name", name)).capitalize()


def _rows_by_label() -> dict[str, str]:
    """Each item's field by its label (cleaned like a header): the form's own label in
    Vietnamese and in the language of the page, then the ways minutes write it
    (``WRITTEN_LABELS``). A workbook made elsewhere has no row keys."""
    named: dict[str, str] = {}
    with translation.override("vi"):
        for name in MEETING_FIELDS:
            named.setdefault(clean(_label(name)), name)
    for name in MEETING_FIELDS:
        named.setdefault(clean(_label(name)), name)
    for name, labels in WRITTEN_LABELS.items():
        for label in labels:
            named.setdefault(clean(label), name)
    named.pop("", None)
    return named


def _expected_labels() -> str:
    with translation.override("vi"):
        return ", ".join(f"“{_label(name)}”" for name in MEETING_FIELDS)


def _count(raw: Any) -> int | None:
    """A count, or a count with its unit ("150 hộ")."""
    if isinstance(raw, str):
        found = COUNT_UNITS.match(fold(raw))
        if found:
            raw = found.group(1)
    return cells.integer(raw)


def _day(raw: Any) -> datetime.date | None:
    """A day, or the day written inside the text of "Thời gian họp" ("14 giờ, ngày
    12/3/2026", "ngày 12 tháng 3 năm 2026")."""
    try:
        return cells.date(raw)
    except ParseError:
        found = DAY_IN_TEXT.search(fold(raw)) if isinstance(raw, str) else None
        if found is None:
            raise
        day, month, year = (int(part) for part in found.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return cells.date(f"{day:02d}/{month:02d}/{year}")  # its message: no such day
