"""A village's old F6 workbook made by a programme in its own layout (not kehoach's template):
what the mapping page's tests and the browser test upload."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from .helpers import saved

HEADERS = [
    "TT",
    "Việc cần làm",
    "Lĩnh vực",
    "Nơi làm",
    "ĐVT",
    "Khối lượng",
    "Bắt đầu",
    "Kết thúc",
    "Kinh phí dự kiến thực hiện",
    "Dân góp",
    "Hỗ trợ từ bên ngoài đề nghị",
]
"""A programme's own F6: the activity under a header no synonym names ("Việc cần làm"), the
location and the total under headers people write ("Nơi làm", "Kinh phí dự kiến thực
hiện")."""
KEYS = [
    "number",
    "activity",
    "sector",
    "location",
    "unit",
    "quantity",
    "start_month",
    "end_month",
    "total_cost_mvnd",
    "contribution_mvnd",
    "external_support_mvnd",
]
"""What each column of ``HEADERS`` holds."""
LINES = [
    [1, "Bê tông ngõ xóm Đông", "Hạ tầng: giao thông", "Xóm Đông", "km", 0.5, "03/2027",
     "06/2027", 300, 100, 200],
    [2, "Nạo vét kênh mương nội đồng", "Hạ tầng: giao thông", "Cánh đồng Bàu", "km", 1.2,
     "04/2027", "08/2027", 150, 50, 100],
]  # fmt: skip


def foreign(lines: list[list[Any]] | None = None, headers: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Kế hoạch"
    ws["A1"] = "KẾ HOẠCH PHÁT TRIỂN THÔN NĂM 2027"
    ws.append([])
    ws.append(headers or HEADERS)
    for line in LINES if lines is None else lines:
        ws.append(line)
    ws.append([])
    ws.append(["", "TRƯỞNG THÔN"])
    return saved(book)
