"""Rows of a workbook made elsewhere found among the plan's lines by name and number."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from kehoach.exchange.forms.base.matching import LineIndex, foreign_note


@dataclass
class Line:
    number: int
    activity: str


LINES = [
    Line(1, "Bê tông hóa đường trục thôn Diên Sanh"),
    Line(2, "Sửa chữa phòng học"),
    Line(3, "Nạo vét kênh mương"),
    Line(4, "Nạo vét kênh mương"),
]


def _index() -> LineIndex[Line]:
    return LineIndex(LINES, name=lambda x: x.activity, number=lambda x: x.number)


def test_a_name_written_another_way_finds_its_only_line() -> None:
    found = _index().find(7, "BE TONG HOA  duong truc thon Dien Sanh.", "1")
    assert found.line is LINES[0] and found.by == "name" and not found.problem


def test_the_name_wins_over_a_number_that_restarts_under_each_heading() -> None:
    found = _index().find(9, "Sửa chữa phòng học", 1)  # STT 1 under "II. Giáo dục"
    assert found.line is LINES[1]


def test_the_number_tells_lines_of_the_same_name_apart() -> None:
    index = _index()
    assert index.find(5, "Nạo vét kênh mương", "4").line is LINES[3]
    assert index.find(6, "nao vet kenh muong", 3.0).line is LINES[2]


def test_lines_of_the_same_name_without_a_number_are_refused_with_their_numbers() -> None:
    with translation.override("vi"):
        found = _index().find(5, "Nạo vét kênh mương", None)
    assert found.line is None
    assert "số 3, 4" in found.problem and "STT" in found.problem


def test_a_name_edited_a_little_is_found_by_its_number() -> None:
    found = _index().find(5, "Sửa chữa 2 phòng học", "2")
    assert found.line is LINES[1] and found.by == "number"


def test_a_number_whose_line_has_another_name_is_not_believed() -> None:
    with translation.override("vi"):
        found = _index().find(5, "Xây nhà văn hóa", "2")
    assert found.line is None
    assert "không có dòng nào tên “Xây nhà văn hóa”" in found.problem


def test_an_unknown_name_offers_the_closest_names() -> None:
    with translation.override("vi"):
        found = _index().find(5, "Sửa chữa phòng hoc lớp", "")
    assert found.line is None and "“Sửa chữa phòng học”" in found.problem


def test_a_row_without_a_name_asks_for_one_and_a_number_alone_is_enough() -> None:
    index = _index()
    assert index.find(5, "", None).problem
    assert index.find(6, None, "1").line is LINES[0]


def test_a_line_on_two_rows_is_refused_naming_the_first_row() -> None:
    index = _index()
    assert index.find(5, "Sửa chữa phòng học").line is LINES[1]
    with translation.override("vi"):
        again = index.find(8, "sua chua phong hoc")
    assert again.line is None and "dòng 5" in again.problem
    assert index.take(LINES[1], 9).problem  # the hidden key's row shares the check
    assert index.take(LINES[0], 10).line is LINES[0]
    assert index.unmatched() == [LINES[2], LINES[3]]


def test_numbers_that_are_not_line_numbers_are_ignored() -> None:
    index = _index()
    for number in ("I", "1.1", "a", -1, 0, True, "2,5"):
        assert index.find(5, "Không có", number).line is None


def test_the_foreign_note_is_vietnamese() -> None:
    with translation.override("vi"):
        assert "không tải từ kehoach" in foreign_note()
