"""Every form confirms from the changes its check kept (issue 14): F1, F8, F9, F10, F11, F12
and F14 keep what the check found with the record, and the confirmation applies it through
the entity's batch writer without the workbook (deleted from storage here) — exactly as the
older path, which reads the workbook again, applies it (both are run on the same data, the
older one rolled back). A record whose data changed after the check is still refused, and a
kept record is refused whole when what it names is gone or was kept by another version."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f1, f8, f9, f10, f11, f12, f14
from kehoach.exchange.forms import kept as keeping
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import pack_kept
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.tests.factories import hai_lang
from kehoach.monitoring.models import Disbursement, ProgressReport
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.monitoring.tests.factories import followed_plan, report_data
from kehoach.plans.models import Attendee, BasicInfo, VillageMeeting
from kehoach.synthesis.models import CommuneLine, EnvelopeLine, LineFunding
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.tests import factories as sf

from .helpers import FIRST_ROW, confirm, opened, plan_with_lines, saved, upload
from .test_f10 import _letter, _row
from .test_f14 import Sheet, _status
from .test_forms import C_FIRST, MEETING, _row_of

pytestmark = pytest.mark.django_db
D = Decimal
VOLATILE = {"created_at", "updated_at", "decided_at", "id", "pk", "uid"}


# --- what the confirmation changed ------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` without what differs from one run to the other (times, keys)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _audit(since: int) -> list[Any]:
    return [
        (e.subject_label, e.subject_repr, e.operation, _plain(e.before), _plain(e.after))
        for e in AuditEntry.objects.filter(pk__gt=since).order_by("pk")
    ]


def _rows(queryset: Any, *fields: str) -> list[Any]:
    return list(queryset.order_by(*fields).values_list(*fields))


def _village_state(plan: Any) -> list[Any]:
    info = BasicInfo.objects.filter(plan=plan).first()
    meeting = VillageMeeting.objects.filter(plan=plan).first()
    return [
        _plain({f.name: getattr(info, f.attname) for f in BasicInfo._meta.concrete_fields})
        if info
        else None,
        list(info.ethnic_groups.values_list("name", "households", "persons")) if info else [],
        _plain({f.name: getattr(meeting, f.attname) for f in VillageMeeting._meta.concrete_fields})
        if meeting
        else None,
        _rows(
            Attendee.objects.filter(meeting__plan=plan),
            "full_name",
            "sex",
            "ethnicity",
            "poverty_status",
            "household",
            "version",
        ),
    ]


def _commune_state(plan: Any) -> list[Any]:
    lines = CommuneLine.objects.filter(plan=plan)
    return [
        _rows(
            lines,
            "number",
            "activity",
            "location",
            "notes",
            "decision",
            "decision_reason",
            "decision_origin",
            "decision_code",
            "decision_params",
            "manual_scores",
            "review",
            "state",
            "version",
        ),
        _rows(
            LineFunding.objects.filter(line__plan=plan),
            "line__number",
            "envelope_line__number",
            "amount_mvnd",
        ),
        _rows(
            EnvelopeLine.objects.filter(envelope__round=plan.round),
            "number",
            "source__code",
            "sector__code",
            "content",
            "amount_mvnd",
            "counterpart_share_pct",
            "firmness",
            "area_scope",
            "area_flags",
            "origin",
            "version",
            "deleted_at",
        ),
        _rows(
            EnvelopeLine.area_villages.through.objects.filter(
                envelopeline__envelope__round=plan.round
            ),
            "envelopeline__number",
            "administrativeunit__code",
        ),
        _rows(
            ProgressReport.objects.filter(line__plan=plan),
            "line__number",
            "reported_on",
            "quantity_done",
            "status",
            "actual_start",
            "actual_finish",
            "contribution_cash_mvnd",
            "problems",
            "is_latest",
        ),
        _rows(
            Disbursement.objects.filter(report__line__plan=plan),
            "report__line__number",
            "report__reported_on",
            "envelope_line__number",
            "amount_mvnd",
        ),
    ]


def _gone_file(record: ImportRecord) -> None:
    storage, name = record.file.storage, record.file.name
    storage.delete(name)
    assert not storage.exists(name)


def _both_ways(
    plan: Any, actor: Any, data: bytes, form: str, state: Callable[[Any], Any]
) -> tuple[ImportRecord, Any]:
    """Check ``data``; confirm it the older way (the file read and checked again) and roll
    that back; then delete the file and confirm from the kept changes. Both must change the
    data and write the history the same; returns the record and the state after."""
    record = upload(plan, actor, data, form=form)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.kept is not None
    before = state(plan)
    with transaction.atomic():
        mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ImportRecord.objects.filter(pk=record.pk).update(kept=None)
        old = confirm(plan, actor, record)
        old_way = (state(plan), _audit(mark), old.summary["applied"])
        transaction.set_rollback(True)
    assert state(plan) == before
    _gone_file(record)
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new = confirm(plan, actor, record)
    assert new.result == ImportRecord.Result.APPLIED
    new_way = (state(plan), _audit(mark), new.summary["applied"])
    assert new_way == old_way
    assert new_way[0] != before
    return new, new_way[0]


def _refused_as_stale(
    plan: Any, actor: Any, data: bytes, form: str, change: Callable[[], None], state: Any
) -> None:
    record = upload(plan, actor, data, form=form)
    assert record.result == ImportRecord.Result.PREVIEWED, record.errors
    assert record.kept is not None
    change()
    before = state(plan)
    with pytest.raises(ApplicationError) as caught:
        confirm(plan, actor, record)
    assert caught.value.code == "import_stale"
    assert state(plan) == before
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.STALE


# --- F1 ---------------------------------------------------------------------------------------


def _f1_edited(plan: Any) -> bytes:
    book = opened(f1.export(plan))
    ws = book["F1"]
    poor = _row_of(book, "F1", "poor_households")
    ws[f"C{_row_of(book, 'F1', 'total_households')}"] = "1.250"
    ws[f"C{poor}"] = 125
    ws[f"E{poor}"], ws[f"F{poor}"] = "Rà soát hộ nghèo 2026", "15/11/2026"
    ethnic = book["Dân tộc"]
    ethnic[f"B{FIRST_ROW}"], ethnic[f"C{FIRST_ROW}"], ethnic[f"D{FIRST_ROW}"] = "Kinh", 1200, 4800
    ethnic[f"B{FIRST_ROW + 1}"], ethnic[f"C{FIRST_ROW + 1}"] = "Vân Kiều", 50
    return saved(book)


def test_f1_confirms_from_the_kept_changes() -> None:
    plan, planner = plan_with_lines()
    record, _state = _both_ways(plan, planner, _f1_edited(plan), "F1", _village_state)
    info = BasicInfo.objects.get(plan=plan)
    assert (info.total_households, info.poor_households) == (1250, 125)
    assert info.sources["poor_households"] == {
        "source": "Rà soát hộ nghèo 2026",
        "date": "2026-11-15",
    }
    assert list(info.ethnic_groups.values_list("name", "households", "persons")) == [
        ("Kinh", 1200, 4800),
        ("Vân Kiều", 50, 0),
    ]
    assert record.summary["applied"] == {"added": 0, "changed": 1, "deleted": 0}


def test_f1_a_record_checked_before_another_save_is_stale() -> None:
    plan, planner = plan_with_lines()
    first = upload(plan, planner, _f1_edited(plan), form="F1")
    confirm(plan, planner, first)
    book = opened(f1.export(plan))
    book["F1"][f"C{_row_of(book, 'F1', 'total_households')}"] = 1300
    data = saved(book)

    def saved_on_the_web() -> None:
        BasicInfo.objects.filter(plan=plan).update(version=9, total_households=1100)

    _refused_as_stale(plan, planner, data, "F1", saved_on_the_web, _village_state)


# --- F8 ---------------------------------------------------------------------------------------


def _f8_book(plan: Any, people: list[tuple[str, str]]) -> bytes:
    book = opened(f8.export(plan))
    for key, value in MEETING.items():
        book["F8"][f"B{_row_of(book, 'F8', key)}"] = value
    sheet = book["Danh sách dự họp"]
    for row in range(FIRST_ROW, FIRST_ROW + 6):
        sheet[f"B{row}"], sheet[f"C{row}"] = None, None
    for offset, (name, sex) in enumerate(people):
        sheet[f"B{FIRST_ROW + offset}"], sheet[f"C{FIRST_ROW + offset}"] = name, sex
    return saved(book)


def test_f8_confirms_the_meeting_and_the_people_added_and_removed_from_the_kept_changes() -> None:
    plan, planner = plan_with_lines()
    first = _f8_book(plan, [("Nguyễn Thị Hoa", "Nữ"), ("Trần Văn Nam", "Nam")])
    confirm(plan, planner, upload(plan, planner, first, form="F8"))
    again = opened(_f8_book(plan, [("Trần Văn Nam", "Nam"), ("Lê Thị Mai", "Nữ")]))
    again["F8"][f"B{_row_of(again, 'F8', 'votes_agree')}"] = 115
    again["F8"][f"B{_row_of(again, 'F8', 'votes_disagree')}"] = 5
    _both_ways(plan, planner, saved(again), "F8", _village_state)
    meeting = VillageMeeting.objects.get(plan=plan)
    assert (meeting.votes_agree, meeting.votes_disagree, meeting.version) == (115, 5, 2)
    assert meeting.held_on == datetime.date(2026, 7, 20)
    assert sorted(meeting.attendees.values_list("full_name", flat=True)) == [
        "Lê Thị Mai",
        "Trần Văn Nam",
    ]


def test_f8_without_an_attendance_sheet_keeps_the_list() -> None:
    plan, planner = plan_with_lines()
    first = _f8_book(plan, [("Nguyễn Thị Hoa", "Nữ")])
    confirm(plan, planner, upload(plan, planner, first, form="F8"))
    book = opened(_f8_book(plan, []))
    del book["Danh sách dự họp"]
    book["F8"][f"B{_row_of(book, 'F8', 'place')}"] = "Hội trường thôn"
    _both_ways(plan, planner, saved(book), "F8", _village_state)
    meeting = VillageMeeting.objects.get(plan=plan)
    assert meeting.place == "Hội trường thôn"
    assert list(meeting.attendees.values_list("full_name", flat=True)) == ["Nguyễn Thị Hoa"]


def test_f8_a_person_changed_after_the_check_makes_it_stale() -> None:
    plan, planner = plan_with_lines()
    confirm(plan, planner, upload(plan, planner, _f8_book(plan, [("An", "Nam")]), form="F8"))
    data = _f8_book(plan, [("An", "Nam"), ("Bình", "Nữ")])

    def changed() -> None:
        Attendee.objects.filter(meeting__plan=plan).update(version=5, household="Hộ ông An")

    _refused_as_stale(plan, planner, data, "F8", changed, _village_state)


# --- the commune forms ------------------------------------------------------------------------


def _commune() -> dict[str, Any]:
    """Two villages' lines in a commune plan, with an envelope (as ``test_forms.commune``)."""
    commune = hai_lang()
    a, b = sf.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = sf.transport(), sf.education()
    sf.submitted_plan(
        a,
        [
            sf.money_line("600", "100", sector=road, activity="Đường xóm Trên", priority=1,
                          beneficiary_households=80),
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
    sf.envelope_line(round_, sf.ntp(), "1000", sector_=road)
    sf.envelope_line(round_, sf.commune_budget(), "400", origin="commune")
    return {"plan": plan, "planner": planner, "round": round_}


def _line_row(ws: Any, activity: str, column: str = "C") -> int:
    return next(r for r in range(C_FIRST, C_FIRST + 2) if ws[f"{column}{r}"].value == activity)


def _touch_a_line(plan: Any) -> Callable[[], None]:
    def changed() -> None:
        line = CommuneLine.objects.filter(plan=plan).order_by("pk").first()
        assert line is not None
        CommuneLine.objects.filter(pk=line.pk).update(version=line.version + 1, notes="web")

    return changed


def _f9_edited(plan: Any) -> bytes:
    book = opened(f9.export(plan))
    ws = book["F9"]
    ws[f"D{_line_row(ws, 'Đường xóm Trên')}"] = "Xóm Trên, thôn Diên Sanh"
    school = _line_row(ws, "Sửa phòng học")
    ws[f"O{school}"], ws[f"P{school}"] = "Hoãn lại", "Chờ vốn năm sau"
    return saved(book)


def test_f9_confirms_from_the_kept_changes() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record, _state = _both_ways(plan, planner, _f9_edited(plan), "F9", _commune_state)
    assert CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên").location == (
        "Xóm Trên, thôn Diên Sanh"
    )
    school = CommuneLine.objects.get(plan=plan, activity="Sửa phòng học")
    assert (school.decision, school.decision_reason) == ("deferred", "Chờ vốn năm sau")
    assert record.summary["applied"] == {"added": 0, "changed": 2, "deleted": 0}


def test_f9_a_line_changed_after_the_check_makes_it_stale() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    _refused_as_stale(plan, planner, _f9_edited(plan), "F9", _touch_a_line(plan), _commune_state)


def _f10_edited(plan: Any) -> bytes:
    book = opened(f10.export(plan))
    ws = book["F10"]
    school = CommuneLine.objects.get(plan=plan, activity="Sửa phòng học")
    road = CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên")
    ws[f"{_letter(book, '5. Tính cấp thiết, an toàn (×1)')}{_row(book, school)}"] = "4,5"
    ws[f"{_letter(book, '5. Tính cấp thiết, an toàn (×1)')}{_row(book, road)}"] = 3
    return saved(book)


def test_f10_confirms_from_the_kept_scores() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record, _state = _both_ways(plan, planner, _f10_edited(plan), "F10", _commune_state)
    school = CommuneLine.objects.get(plan=plan, activity="Sửa phòng học")
    road = CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên")
    assert school.manual_scores["urgency_safety"] == 4.5
    assert road.manual_scores["urgency_safety"] == 3
    assert record.summary["applied"]["changed"] == 2


def test_f10_a_line_changed_after_the_check_makes_it_stale() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    _refused_as_stale(plan, planner, _f10_edited(plan), "F10", _touch_a_line(plan), _commune_state)


def _f11_edited(plan: Any, planner: Any) -> bytes:
    book = opened(f11.export(plan, actor=planner))
    ws = book["F11"]
    budget = next(
        r for r in range(C_FIRST, C_FIRST + 2) if str(ws[f"B{r}"].value).startswith("NS-X")
    )
    ws[f"H{budget}"] = "450,5"
    new = C_FIRST + 2
    ws[f"B{new}"], ws[f"D{new}"], ws[f"H{new}"] = ws[f"B{budget}"].value, "Sửa chữa nhỏ", 50
    ws[f"F{new}"] = "Thôn Diên Sanh"
    return saved(book)


def test_f11_confirms_the_lines_added_and_changed_from_the_kept_changes() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record, _state = _both_ways(plan, planner, _f11_edited(plan, planner), "F11", _commune_state)
    lines = EnvelopeLine.objects.filter(envelope__round=world["round"]).order_by("number")
    assert [x.amount_mvnd for x in lines] == [D(1000), D("450.5"), D(50)]
    added = lines.last()
    assert added is not None
    assert list(added.area_villages.values_list("name", flat=True)) == ["Thôn Diên Sanh"]
    assert record.summary["applied"] == {"added": 1, "changed": 1, "deleted": 0}


def test_f11_an_envelope_line_changed_after_the_check_makes_it_stale() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]

    def changed() -> None:
        EnvelopeLine.objects.filter(envelope__round=world["round"], number=2).update(
            version=7, notes="web"
        )

    _refused_as_stale(plan, planner, _f11_edited(plan, planner), "F11", changed, _commune_state)


def _f12_edited(plan: Any) -> bytes:
    book = opened(f12.export(plan))
    ws = book["F12"]
    headers = [c.value for c in ws[C_FIRST - 2]]
    ntp = next(i for i, h in enumerate(headers, start=1) if h and str(h).startswith("1. NTP"))
    budget = next(i for i, h in enumerate(headers, start=1) if h and str(h).startswith("2. NS-X"))
    ws.cell(row=_line_row(ws, "Đường xóm Trên"), column=ntp, value="500")
    ws.cell(row=_line_row(ws, "Sửa phòng học"), column=budget, value="350")
    return saved(book)


def test_f12_confirms_the_funding_from_the_kept_changes() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record, _state = _both_ways(plan, planner, _f12_edited(plan), "F12", _commune_state)
    funding = sorted(
        LineFunding.objects.filter(line__plan=plan).values_list(
            "line__activity", "envelope_line__source__code", "amount_mvnd"
        )
    )
    assert [(a, amount) for a, _code, amount in funding] == [
        ("Sửa phòng học", D(350)),
        ("Đường xóm Trên", D(500)),
    ]
    assert record.summary["applied"]["changed"] == 2


def test_f12_a_funding_changed_after_the_check_makes_it_stale() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]

    def changed() -> None:
        line = CommuneLine.objects.get(plan=plan, activity="Sửa phòng học")
        envelope = EnvelopeLine.objects.get(envelope__round=world["round"], number=2)
        LineFunding.objects.create(line=line, envelope_line=envelope, amount_mvnd=10)

    _refused_as_stale(plan, planner, _f12_edited(plan), "F12", changed, _commune_state)


def _f14_world() -> dict[str, Any]:
    world = followed_plan()
    progress_report_create(
        actor=world["planner"],
        line=world["road"],
        data=report_data(),
        disbursed={world["ntp"]: D(250)},
    )
    return world


def _f14_edited(world: dict[str, Any]) -> bytes:
    sheet = Sheet(f14.export(world["plan"]))
    sheet.set(
        str(world["road"].activity),
        {
            "Ngày báo cáo": "01/12/2026",
            "Khối lượng đã thực hiện": "1,5",
            "Tình trạng": _status("completed"),
            "Hoàn thành": datetime.date(2026, 12, 1),
            "1. NTP26": "480,5",
            "Tiền mặt": 60,
        },
    )
    sheet.set(
        str(world["school"].activity),
        {
            "Ngày báo cáo": datetime.date(2026, 12, 1),
            "Khối lượng đã thực hiện": 0.4,
            "Tình trạng": _status("ongoing"),
            "Khởi công": "15/11/2026",
            "2. NS-X": 100,
            "Khó khăn, vướng mắc": "Thiếu cát xây dựng",
        },
    )
    return sheet.bytes()


def test_f14_confirms_the_new_reports_from_the_kept_changes() -> None:
    world = _f14_world()
    plan, planner = world["plan"], world["planner"]
    record, _state = _both_ways(plan, planner, _f14_edited(world), "F14", _commune_state)
    latest = ProgressReport.objects.get(line=world["road"], is_latest=True)
    assert (latest.reported_on, latest.quantity_done) == (datetime.date(2026, 12, 1), D("1.5"))
    assert [(d.envelope_line_id, d.amount_mvnd) for d in latest.disbursements.all()] == [
        (world["ntp"].pk, D("480.5"))
    ]
    school = ProgressReport.objects.get(line=world["school"])
    assert (school.actual_start, school.problems) == (
        datetime.date(2026, 11, 15),
        "Thiếu cát xây dựng",
    )
    assert record.summary["applied"] == {"added": 2, "changed": 0, "deleted": 0}


def test_f14_a_report_made_after_the_check_makes_it_stale() -> None:
    world = _f14_world()
    plan, planner = world["plan"], world["planner"]

    def reported() -> None:
        progress_report_create(
            actor=planner,
            line=world["school"],
            data=report_data(quantity_done=D("0.2")),
            disbursed={world["budget"]: D(20)},
        )

    _refused_as_stale(plan, planner, _f14_edited(world), "F14", reported, _commune_state)


# --- what is kept -----------------------------------------------------------------------------


def test_a_confirmation_without_kept_changes_needs_the_file() -> None:
    """The other side of ``_both_ways``: with nothing kept, the confirmation reads the file,
    so the tests above would fail if the kept path opened it."""
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record = upload(plan, planner, _f9_edited(plan), form="F9")
    ImportRecord.objects.filter(pk=record.pk).update(kept=None)
    _gone_file(record)
    before = _commune_state(plan)
    with pytest.raises((ApplicationError, OSError)):
        confirm(plan, planner, record)
    assert _commune_state(plan) == before


def test_a_record_kept_by_another_version_of_its_form_is_refused() -> None:
    world = _commune()
    plan, planner = world["plan"], world["planner"]
    record = upload(plan, planner, _f9_edited(plan), form="F9")
    ImportRecord.objects.filter(pk=record.pk).update(kept=pack_kept({"v": 0, "items": []}))
    before = _commune_state(plan)
    with pytest.raises(ApplicationError) as caught:
        confirm(plan, planner, record)
    assert caught.value.code == "import_stale"
    assert _commune_state(plan) == before


def test_kept_values_come_back_as_they_were() -> None:
    village = AdministrativeUnit.objects.get(pk=hai_lang().pk)
    value = {
        "amount": D("12.50"),
        "day": datetime.date(2027, 5, 1),
        "at": datetime.datetime(2027, 5, 1, 8, 30, tzinfo=datetime.UTC),
        "unit": village,
        "list": [village, None, 1, 2.5, True, "chữ"],
        "nested": {"source": "Rà soát", "date": ""},
    }
    kept = keeping.dump(value)
    assert keeping.Loader().load(kept) == value
    assert type(keeping.Loader().load(kept)["amount"]) is Decimal


def test_a_kept_entry_deleted_since_refuses_the_confirmation() -> None:
    village = hai_lang()
    kept = keeping.dump([village])
    AdministrativeUnit.objects.filter(pk=village.pk).update(code="X")  # still there
    assert keeping.Loader().load(kept)[0].pk == village.pk
    kept[0]["$obj"][1] = village.pk + 10_000
    with pytest.raises(ApplicationError) as caught:
        keeping.Loader().load(kept)
    assert caught.value.code == "import_stale"


def test_a_value_kehoach_cannot_keep_is_refused_at_the_check() -> None:
    with pytest.raises(TypeError):
        keeping.dump({1: "a key that is not a text"})
    with pytest.raises(TypeError):
        keeping.dump(object())
