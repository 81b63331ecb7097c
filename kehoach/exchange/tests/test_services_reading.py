"""Reading an upload never ends in a server error: a hostile or damaged file, or a failure
nobody foresaw while reading it, is a refused record in the plan's history naming the file, and
a confirmation that cannot read the kept file applies nothing."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

from kehoach.approvals.models import StatusChange
from kehoach.core.errors import ApplicationError
from kehoach.exchange.forms import f6
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.services import import_apply, import_check
from kehoach.exchange.targets import village_target

from . import hostile
from .helpers import lines_state, plan_with_lines, upload

pytestmark = pytest.mark.django_db


def _history(plan: Any) -> list[str]:
    return list(
        StatusChange.objects.filter(plan_uid=plan.uid, action="import").values_list(
            "comment", flat=True
        )
    )


def test_a_hostile_upload_is_a_refused_record_naming_the_file_sheet_and_cell() -> None:
    plan, planner = plan_with_lines()
    before = lines_state(plan)
    record = upload(plan, planner, hostile.huge_dimension_xlsx(), "Biểu F6.xlsx")
    assert record.result == ImportRecord.Result.REFUSED
    assert record.file  # the upload is kept with its record
    [error] = record.errors
    assert error["sheet"] == "F6"
    assert "“Biểu F6.xlsx”" in error["message"] and "XFD1048576" in error["message"]
    assert lines_state(plan) == before
    assert _history(plan) == ["Biểu F6 “Biểu F6.xlsx” bị từ chối: có 1 lỗi; chưa có gì được lưu."]


@pytest.mark.parametrize(
    "item",
    [h for h in hostile.hostile_files() if h.name in {"forged size", "xls password", "zip bomb"}],
    ids=lambda item: item.name,
)
def test_damaged_files_are_refused_records_too(item: hostile.Hostile) -> None:
    plan, planner = plan_with_lines()
    record = upload(plan, planner, item.make(), item.filename)
    assert record.result == ImportRecord.Result.REFUSED
    assert f"“{item.filename}”" in record.errors[0]["message"]
    assert len(_history(plan)) == 1


def _failing(plan: Any) -> Any:
    def read(upload: Any, layouts: Any, actor: Any) -> Any:
        raise RuntimeError("a cell nobody foresaw")

    return dataclasses.replace(village_target("F6", plan), read=read)


def test_a_failure_while_reading_is_logged_and_refused_not_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan, planner = plan_with_lines()
    with caplog.at_level(logging.ERROR, logger="kehoach.exchange.services"):
        record = import_check(
            actor=planner, target=_failing(plan), data=f6.export(plan), filename="bieu.xlsx"
        )
    assert record.result == ImportRecord.Result.REFUSED
    assert record.errors[0]["message"] == (
        "Không đọc được tệp “bieu.xlsx” do một lỗi ngoài dự kiến của kehoach; chưa có gì được "
        "lưu. Lỗi đã được ghi lại. Hãy lưu lại tệp dưới dạng .xlsx rồi tải lên lại; nếu lỗi "
        "vẫn xảy ra, hãy gửi tệp cho quản trị viên."
    )
    assert "a cell nobody foresaw" in caplog.text
    assert len(_history(plan)) == 1


def test_a_confirmation_that_cannot_read_the_kept_file_applies_nothing() -> None:
    """A form that does not keep the changes of its check yet reads the kept file again."""
    plan, planner = plan_with_lines()
    rereading = dataclasses.replace(village_target("F6", plan), keep=None)
    record = import_check(
        actor=planner, target=rereading, data=f6.export(plan), filename="bieu.xlsx"
    )
    assert record.result == ImportRecord.Result.PREVIEWED and record.kept is None
    before, history = lines_state(plan), _history(plan)
    with pytest.raises(ApplicationError) as caught:
        import_apply(actor=planner, target=_failing(plan), record=record)
    assert caught.value.code == "file_unreadable"
    assert lines_state(plan) == before
    assert _history(plan) == history
    record.refresh_from_db()
    assert record.result == ImportRecord.Result.PREVIEWED
