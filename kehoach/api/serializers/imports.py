"""Workbook imports and background jobs as the API shows them (issue 17): the upload's input
(the workbook, its form, the plan it is for), the import record (what the check found, what it
would change, the problems with the sheet/row/column as ``where``) and a job's status."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kehoach.exchange.models import Form, ImportRecord
from kehoach.jobs.models import Job


class ImportInput(serializers.Serializer[Any]):
    """Only the shape of the upload; every rule (size, what the file is, who may change the
    plan, every cell) is the import service's, as on the upload page."""

    file = serializers.FileField(
        allow_empty_file=True, help_text="Tệp biểu (.xlsx, .xls, .ods, .csv) — the workbook"
    )
    form = serializers.ChoiceField(
        choices=Form.values,
        help_text="Biểu: F1, F6, F8 (kế hoạch thôn); F9, F10, F11, F12, F14 (kế hoạch xã) — "
        "the form: F1, F6, F8 (a village plan's); F9, F10, F11, F12, F14 (a commune plan's)",
    )
    plan = serializers.UUIDField(
        help_text="Mã kế hoạch thôn (F1, F6, F8) hoặc kế hoạch xã (các biểu khác) — the "
        "village plan's UUID (F1, F6, F8) or the commune plan's (the other forms)"
    )


class WhereOutput(serializers.Serializer[Any]):
    sheet = serializers.CharField(allow_null=True, help_text="Trang tính — sheet")
    row = serializers.IntegerField(allow_null=True, help_text="Dòng — row")
    column = serializers.CharField(allow_null=True, help_text="Cột — column")


class ImportProblemOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã lỗi ổn định — stable code")
    detail = serializers.CharField(help_text="Lỗi và cách sửa — the problem and what to do")
    value = serializers.CharField(allow_blank=True, help_text="Giá trị trong ô — the cell's value")
    where = WhereOutput()


class ImportChangeOutput(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="add, change, remove")
    row = serializers.IntegerField(allow_null=True, help_text="Dòng của biểu — workbook row")
    label = serializers.CharField(help_text="Dòng nào — which line")
    fields = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Các cột thay đổi: [cột, cũ, mới] — the columns that change: [column, old, new]",
    )


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": error.get("code") or "cell_invalid",
        "detail": error.get("message") or "",
        "value": str(error.get("value") or ""),
        "where": {
            "sheet": error.get("sheet") or None,
            "row": error.get("row") or None,
            "column": error.get("column") or None,
        },
    }


class ImportRecordOutput(serializers.Serializer[ImportRecord]):
    uid = serializers.UUIDField(help_text="Mã lần tải lên — the upload's UUID")
    form = serializers.CharField(help_text="Biểu — form")
    plan = serializers.UUIDField(
        source="target_uid", help_text="Kế hoạch được thay đổi — the plan it changes"
    )
    filename = serializers.CharField(help_text="Tên tệp — file name")
    status = serializers.CharField(
        source="result",
        help_text="refused (bị từ chối), previewed (chờ xác nhận), applied (đã áp dụng), "
        "stale (dữ liệu đã đổi sau khi kiểm tra), cancelled (đã hủy) — refused, previewed "
        "(waiting for confirmation), applied, stale (the data changed after the check), "
        "cancelled",
    )
    created_at = serializers.DateTimeField(help_text="Tải lên lúc — uploaded at")
    counts = serializers.SerializerMethodField(
        help_text="Số dòng sẽ thêm, sửa, xóa — lines to add, change, remove"
    )
    changes = serializers.SerializerMethodField(
        help_text="Những thay đổi (tối đa 300; more: số còn lại) — the changes (at most 300; "
        "more: how many others)"
    )
    more = serializers.SerializerMethodField(help_text="Số thay đổi không liệt kê — not listed")
    warnings = serializers.SerializerMethodField(help_text="Lưu ý — warnings")
    problems = serializers.SerializerMethodField(
        help_text="Các lỗi (where: trang tính, dòng, cột) — the problems (where: sheet, row, "
        "column)"
    )
    applied = serializers.SerializerMethodField(
        help_text="Đã áp dụng: added, changed, deleted — what was applied"
    )
    job = serializers.SerializerMethodField(
        help_text="Công việc nền đang áp dụng biểu, nếu có — the background job applying it"
    )

    def _summary(self, record: ImportRecord) -> dict[str, Any]:
        return record.summary or {}

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_counts(self, record: ImportRecord) -> dict[str, int]:
        return dict(self._summary(record).get("counts") or {})

    @extend_schema_field(ImportChangeOutput(many=True))
    def get_changes(self, record: ImportRecord) -> list[dict[str, Any]]:
        return list(self._summary(record).get("changes") or [])

    @extend_schema_field(serializers.IntegerField())
    def get_more(self, record: ImportRecord) -> int:
        return int(self._summary(record).get("more") or 0)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, record: ImportRecord) -> list[str]:
        summary = self._summary(record)
        return [*summary.get("notes", []), *summary.get("warnings", [])]

    @extend_schema_field(ImportProblemOutput(many=True))
    def get_problems(self, record: ImportRecord) -> list[dict[str, Any]]:
        return [_problem(error) for error in record.errors or []]

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), allow_null=True))
    def get_applied(self, record: ImportRecord) -> dict[str, int] | None:
        applied = self._summary(record).get("applied")
        return dict(applied) if applied is not None else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_job(self, record: ImportRecord) -> str | None:
        job = self.context.get("job")
        return str(job.uid) if job is not None else None


class JobOutput(serializers.Serializer[Job]):
    uid = serializers.UUIDField(help_text="Mã công việc — the job's UUID")
    kind = serializers.CharField(help_text="import, document, province-export …")
    label = serializers.CharField(help_text="Công việc gì — what it does")
    status = serializers.CharField(
        help_text="queued (chờ), running (đang chạy), done (xong), failed (thất bại) — queued, "
        "running, done, failed"
    )
    done = serializers.IntegerField(help_text="Đã làm — steps done")
    total = serializers.IntegerField(help_text="Tổng số bước — steps in all")
    message = serializers.CharField(help_text="Đang làm gì, hoặc kết quả — what it does now")
    error = serializers.CharField(help_text="Lý do thất bại — why it failed")
    file_name = serializers.CharField(help_text="Tệp kết quả, nếu có — its result file")
    created_at = serializers.DateTimeField(help_text="Yêu cầu lúc — asked at")
    finished_at = serializers.DateTimeField(allow_null=True, help_text="Xong lúc — finished at")


class ImportDryRunOutput(serializers.Serializer[Any]):
    """What ``?dry_run=1`` on an upload answers: the preview's findings, nothing kept."""

    dry_run = serializers.BooleanField(help_text="Luôn true — always true")
    form = serializers.CharField(help_text="Biểu — form")
    plan = serializers.UUIDField(help_text="Kế hoạch sẽ được thay đổi — the plan it would change")
    filename = serializers.CharField(help_text="Tên tệp — file name")
    status = serializers.CharField(
        help_text="refused (sẽ bị từ chối) hoặc previewed (sẽ chờ xác nhận) — refused or "
        "previewed (would wait for confirmation)"
    )
    layout = serializers.CharField(
        help_text="Mẫu biểu nhận ra, rỗng nếu không đọc được — the layout recognised, empty "
        "when the file could not be read"
    )
    rows = serializers.IntegerField(
        help_text="Số dòng sẽ thêm, sửa, xóa — rows that would add, change or remove a line"
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Số dòng sẽ thêm, sửa, xóa — lines to add, change, remove",
    )
    changes = ImportChangeOutput(many=True, help_text="Những thay đổi — the changes (≤ 300)")
    more = serializers.IntegerField(help_text="Số thay đổi không liệt kê — not listed")
    warnings = serializers.ListField(child=serializers.CharField(), help_text="Lưu ý — warnings")
    problems = ImportProblemOutput(
        many=True, help_text="Các lỗi (where: trang tính, dòng, cột) — the problems (where)"
    )


def dry_run_answer(
    *, form: str, plan: Any, filename: str, layout: str, summary: dict[str, Any], errors: list[Any]
) -> dict[str, Any]:
    """The body of ``ImportDryRunOutput`` from what the check found."""
    counts = dict(summary.get("counts") or {"add": 0, "change": 0, "remove": 0})
    return {
        "dry_run": True,
        "form": form,
        "plan": str(plan),
        "filename": filename,
        "status": "refused" if errors or not layout else "previewed",
        "layout": layout,
        "rows": sum(counts.values()),
        "counts": counts,
        "changes": list(summary.get("changes") or []),
        "more": int(summary.get("more") or 0),
        "warnings": [*summary.get("notes", []), *summary.get("warnings", [])],
        "problems": [_problem(error) for error in errors],
    }
