"""F10 — the commune scoring workbook: download the lines with their scores, type scores
offline, upload, see what changes, confirm; a wrong score is refused by its cell with the
scoring service's own message; every save goes through the grid's writer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f10
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.reading import open_workbook
from kehoach.geo.tests.factories import hai_lang
from kehoach.synthesis.models import CommuneLine
from kehoach.synthesis.services.lines import commune_plan_synthesise, lines_with_sources
from kehoach.synthesis.services.scoring import line_scores, line_scores_set
from kehoach.synthesis.tests import factories as sf

from .helpers import confirm, libreoffice_convert, opened, saved, upload

pytestmark = pytest.mark.django_db
D = Decimal
SHEET = "F10"
RANGE = "điểm phải là số từ 0 đến 5, hoặc để trống."


@pytest.fixture
def world() -> dict[str, Any]:
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(
        a,
        [
            sf.money_line("600", "100", sector=road, activity="Đường xóm Trên", priority=1,
                          beneficiary_households=80),
            sf.money_line("200", "20", sector=road, activity="Cầu tràn xóm Dưới", priority=2,
                          beneficiary_households=30),
        ],
    )  # fmt: skip
    sf.submitted_plan(
        b,
        [sf.money_line("400", "50", sector=school, activity="Sửa phòng học", priority=1,
                       beneficiary_households=60)],
    )  # fmt: skip
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    return {"plan": plan, "planner": planner, "commune": commune}


def _line(plan: Any, activity: str) -> CommuneLine:
    return CommuneLine.objects.get(plan=plan, activity=activity)


def _letter(book: Workbook, start: str) -> str:
    """The column whose header (either header row) is ``start``, or starts with it when it
    ends with a space (a criterion's header ends with its weight)."""
    ws = book[SHEET]
    for row in ws.iter_rows(min_row=1, max_row=20):
        for cell in row:
            text = cell.value if isinstance(cell.value, str) else ""
            if text == start or (start.endswith(" ") and text.startswith(start)):
                return str(cell.column_letter)
    raise KeyError(start)


def _row(book: Workbook, line: CommuneLine) -> int:
    """The row of a line: its key (``D<number>``) is in the hidden last column."""
    ws = book[SHEET]
    for row in ws.iter_rows():
        if row[-1].value == f"D{line.number}":
            return int(row[-1].row)
    raise KeyError(line.number)


def _scores(plan: Any) -> dict[str, Any]:
    scores = line_scores(plan, lines_with_sources(plan))
    return {s.line.activity: s for s in scores.values()}


def test_the_workbook_has_a_column_per_criterion_the_scores_and_the_ranks(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    school = _line(plan, "Sửa phòng học")
    line_scores_set(actor=planner, line=school, scores={"urgency_safety": "4,5"})
    book = opened(f10.export(plan))
    ws = book[SHEET]
    row = _row(book, school)
    urgency = _letter(book, "5. Tính cấp thiết, an toàn (×1)")
    priority = _letter(book, "1. Thứ tự ưu tiên của thôn (×1)")
    assert ws[f"{urgency}{row}"].value == 4.5
    assert ws[f"{priority}{row}"].value == 5  # priority 1 of 1..3: computed, locked
    assert ws[f"{priority}{row}"].protection.locked
    assert not ws[f"{urgency}{row}"].protection.locked
    first = min(_row(book, line) for line in CommuneLine.objects.filter(plan=plan))
    assert ws[f"{priority}{first - 3}"].value == "Điểm theo tiêu chí (từ 0 đến 5)"
    # the score is Excel's own formula (Σ weight × points / Σ weights), the rank a value
    score = ws[f"{_letter(book, 'Điểm')}{row}"].value
    assert str(score).startswith("=ROUND((") and str(score).endswith(")/9,2)")
    assert ws[f"{_letter(book, 'Thứ hạng')}{row}"].value == _scores(plan)["Sửa phòng học"].rank
    assert ws["A4"].value == "Biểu: F10 – Chấm điểm, xếp hạng của xã"


def test_excel_computes_the_score_kehoach_computes(world: dict[str, Any]) -> None:
    """LibreOffice opens the workbook, recalculates the score formulas and saves it: each
    line's score is the one the grid shows."""
    plan, planner = world["plan"], world["planner"]
    line_scores_set(
        actor=planner,
        line=_line(plan, "Cầu tràn xóm Dưới"),
        scores={"urgency_safety": "5", "readiness": "3,5", "ntm_criterion": "2"},
    )
    exported = f10.export(plan)
    book = opened(exported)
    recalculated = open_workbook(libreoffice_convert(exported, "xlsx", "xlsx"), "bieu.xlsx")
    grid = recalculated.sheet(SHEET).grid
    column = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(_letter(book, "Điểm"))))
    for activity, score in _scores(plan).items():
        row = _row(book, _line(plan, activity))
        assert D(str(grid[row - 1][column - 1])).quantize(D("0.01")) == score.score, activity


def test_round_trip_scores_typed_offline_are_previewed_then_saved(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    bridge, school = _line(plan, "Cầu tràn xóm Dưới"), _line(plan, "Sửa phòng học")
    line_scores_set(actor=planner, line=school, scores={"readiness": "2"})
    school.refresh_from_db()
    before = _scores(plan)
    book = opened(f10.export(plan))
    ws = book[SHEET]
    urgency = _letter(book, "5. Tính cấp thiết, an toàn ")
    readiness = _letter(book, "8. Mức độ sẵn sàng ")
    ws[f"{urgency}{_row(book, bridge)}"] = "4,5"  # typed as text, the Vietnamese way
    ws[f"{readiness}{_row(book, bridge)}"] = 5
    ws[f"{readiness}{_row(book, school)}"] = None  # emptied: the score is removed
    # a computed criterion is locked: a value typed there anyway changes nothing
    ws[f"{_letter(book, '1. Thứ tự ưu tiên ')}{_row(book, school)}"] = 0

    record = upload(plan, planner, saved(book), form="F10")

    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"] == {"add": 0, "change": 2, "remove": 0}
    changes = {c["label"]: c["fields"] for c in record.summary["changes"]}
    bridge_fields = changes[f"{bridge.number}. Cầu tràn xóm Dưới"]
    assert bridge_fields[:2] == [
        ["Tính cấp thiết, an toàn", "—", "4,5"],
        ["Mức độ sẵn sàng (mặt bằng, thiết kế)", "—", "5"],
    ]
    assert bridge_fields[2][0] == "Điểm"
    assert changes[f"{school.number}. Sửa phòng học"][0] == [
        "Mức độ sẵn sàng (mặt bằng, thiết kế)",
        "2",
        "—",
    ]
    assert CommuneLine.objects.get(pk=bridge.pk).manual_scores == {}  # nothing saved yet

    confirm(plan, planner, record)

    assert CommuneLine.objects.get(pk=bridge.pk).manual_scores == {
        "urgency_safety": 4.5,
        "readiness": 5,
    }
    assert CommuneLine.objects.get(pk=school.pk).manual_scores == {}
    after = _scores(plan)
    assert after["Cầu tràn xóm Dưới"].score > before["Cầu tràn xóm Dưới"].score
    assert bridge_fields[2][1:] == [
        str(before["Cầu tràn xóm Dưới"].score).replace(".", ","),
        str(after["Cầu tràn xóm Dưới"].score).replace(".", ","),
    ]
    moved = [
        name
        for name, score in after.items()
        if name not in ("Cầu tràn xóm Dưới", "Sửa phòng học") and score.rank != before[name].rank
    ]
    moves = [n for n in record.summary["notes"] if n.startswith("Thứ hạng của")]
    assert moves == (
        [f"Thứ hạng của {len(moved)} dòng khác thay đổi theo các điểm này."] if moved else []
    )
    entry = AuditEntry.objects.filter(subject_id=str(bridge.pk)).latest("id")
    assert entry.after == {"manual_scores": {"urgency_safety": 4.5, "readiness": 5}}
    assert ImportRecord.objects.get(pk=record.pk).result == ImportRecord.Result.APPLIED


def test_a_wrong_score_is_refused_by_its_cell_and_nothing_is_saved(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    bridge, school = _line(plan, "Cầu tràn xóm Dưới"), _line(plan, "Sửa phòng học")
    book = opened(f10.export(plan))
    ws = book[SHEET]
    urgency = _letter(book, "5. Tính cấp thiết, an toàn ")
    ntm = _letter(book, "4. Gắn với tiêu chí nông thôn mới ")
    ws[f"{urgency}{_row(book, bridge)}"] = 7
    ws[f"{ntm}{_row(book, school)}"] = "cao"
    ws[f"{urgency}{_row(book, school)}"] = 3  # right, but the file is refused whole

    record = upload(plan, planner, saved(book), form="F10")

    assert record.result == ImportRecord.Result.REFUSED
    cells = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert cells == {
        (_row(book, bridge), urgency): (
            f"Trang “F10”, ô {urgency}{_row(book, bridge)} (5. Tính cấp thiết, an toàn (×1)), "
            f"giá trị “7”: {RANGE}"
        ),
        (_row(book, school), ntm): (
            f"Trang “F10”, ô {ntm}{_row(book, school)} (4. Gắn với tiêu chí nông thôn mới chưa "
            f"đạt (×1)), giá trị “cao”: {RANGE}"
        ),
    }
    assert not CommuneLine.objects.filter(plan=plan).exclude(manual_scores={}).exists()


def test_a_line_scored_on_the_web_after_the_download_is_not_overwritten(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    bridge, school = _line(plan, "Cầu tràn xóm Dưới"), _line(plan, "Sửa phòng học")
    book = opened(f10.export(plan))
    line_scores_set(actor=planner, line=school, scores={"urgency_safety": "1"})
    urgency = _letter(book, "5. Tính cấp thiết, an toàn ")
    book[SHEET][f"{urgency}{_row(book, school)}"] = 4
    record = upload(plan, planner, saved(book), form="F10")
    assert record.result == ImportRecord.Result.REFUSED
    [error] = record.errors
    assert (error["row"], error["column"]) == (_row(book, school), urgency)
    assert (
        f"dòng {school.number} đã được sửa trên kehoach sau khi tải biểu này về; hãy tải biểu "
        "mới về và chấm lại dòng này."
    ) in error["message"]

    # the same workbook with that row left as it was downloaded goes in, and the score given
    # on the web is kept
    book[SHEET][f"{urgency}{_row(book, school)}"] = None
    book[SHEET][f"{urgency}{_row(book, bridge)}"] = 2
    record = upload(plan, planner, saved(book), form="F10")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.summary["counts"]["change"] == 1
    assert record.summary["notes"] == [
        f"Dòng {_row(book, school)}: dòng {school.number} đã được chấm điểm trên kehoach sau khi "
        "tải biểu này về và dòng này trong biểu không thay đổi; giữ nguyên điểm trên kehoach."
    ]
    confirm(plan, planner, record)
    assert CommuneLine.objects.get(pk=school.pk).manual_scores == {"urgency_safety": 1}
    assert CommuneLine.objects.get(pk=bridge.pk).manual_scores == {"urgency_safety": 2}


def test_changed_criteria_make_an_old_workbook_useless(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    data = f10.export(plan)
    profile = plan.round.profile
    profile.scoring_criteria[4]["weight"] = 3
    profile.save(update_fields=["scoring_criteria"])
    record = upload(plan, planner, data, form="F10")
    assert record.result == ImportRecord.Result.REFUSED
    assert record.errors[0]["message"] == (
        "Tiêu chí chấm điểm hoặc trọng số đã thay đổi sau khi tải biểu này về nên các cột "
        "không còn khớp; hãy tải biểu về lại."
    )


def test_rows_are_not_added_nor_repeated(world: dict[str, Any]) -> None:
    plan, planner = world["plan"], world["planner"]
    bridge = _line(plan, "Cầu tràn xóm Dưới")
    book = opened(f10.export(plan))
    ws = book[SHEET]
    last = ws.max_row
    key = ws.max_column
    for column in range(1, key + 1):  # a copy of the bridge's row below the table
        ws.cell(
            row=last + 1, column=column, value=ws.cell(row=_row(book, bridge), column=column).value
        )
    ws.cell(row=last + 2, column=3, value="Đường mới")
    ws.cell(
        row=last + 2, column=_column_index(_letter(book, "5. Tính cấp thiết, an toàn ")), value=3
    )
    record = upload(plan, planner, saved(book), form="F10")
    assert record.result == ImportRecord.Result.REFUSED
    messages = [e["message"] for e in record.errors]
    assert any(f"dòng này đã có ở dòng {_row(book, bridge)}" in m for m in messages), messages
    assert any("không thêm dòng ở biểu này" in m for m in messages), messages


def _column_index(letter: str) -> int:
    return sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letter)))


def test_the_planner_downloads_and_uploads_f10_from_the_workbooks_tab(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    client = Client()
    client.force_login(planner)
    page = client.get(reverse("exchange:commune", args=[plan.uid])).content.decode()
    assert "F10 — Chấm điểm, xếp hạng của xã" in page
    assert reverse("exchange:commune_upload", args=[plan.uid, "F10"]) in page
    response = client.get(reverse("exchange:commune_download", args=[plan.uid, "F10"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="F10-19702-2027.xlsx"'
    book = opened(response.content)
    book[SHEET][
        f"{_letter(book, '5. Tính cấp thiết, an toàn ')}{_row(book, _line(plan, 'Sửa phòng học'))}"
    ] = 4
    upload_url = reverse("exchange:commune_upload", args=[plan.uid, "F10"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(upload_url, {"file": SimpleUploadedFile("F10.xlsx", saved(book))})
    record = ImportRecord.objects.get()
    assert answer["Location"] == reverse("exchange:import", args=[record.uid])
    preview = client.get(answer["Location"]).content.decode()
    assert "Tính cấp thiết, an toàn" in preview
    client.post(reverse("exchange:import_confirm", args=[record.uid]))
    assert _line(plan, "Sửa phòng học").manual_scores == {"urgency_safety": 4}


def test_an_activity_that_looks_like_a_formula_is_written_as_text(world: dict[str, Any]) -> None:
    plan = world["plan"]
    CommuneLine.objects.filter(pk=_line(plan, "Sửa phòng học").pk).update(
        activity='=HYPERLINK("http://evil.example","x")'
    )
    book = opened(f10.export(plan))
    ws = book[SHEET]
    cells = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert [c.data_type for c in cells] == ["s"]


def test_a_plan_without_lines_gives_an_empty_form(world: dict[str, Any]) -> None:
    plan = world["plan"]
    CommuneLine.objects.filter(plan=plan).update(state="removed")
    book = opened(f10.export(plan))
    ws = book[SHEET]
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not [c for c in ws[ws.max_row] if c.value == "Tổng cộng"]


def test_scores_given_on_the_web_between_check_and_confirmation_stop_the_upload(
    world: dict[str, Any],
) -> None:
    plan, planner = world["plan"], world["planner"]
    bridge, school = _line(plan, "Cầu tràn xóm Dưới"), _line(plan, "Sửa phòng học")
    book = opened(f10.export(plan))
    book[SHEET][f"{_letter(book, '5. Tính cấp thiết, an toàn ')}{_row(book, bridge)}"] = 4
    record = upload(plan, planner, saved(book), form="F10")
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    line_scores_set(actor=planner, line=school, scores={"readiness": "1"})
    with pytest.raises(ApplicationError) as caught:
        confirm(plan, planner, record)
    assert caught.value.code == "import_stale"
    assert _line(plan, "Cầu tràn xóm Dưới").manual_scores == {}
    assert ImportRecord.objects.get(pk=record.pk).result == ImportRecord.Result.STALE
