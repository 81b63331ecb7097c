"""Workbook imports through the API (issue 17), the machinery of the upload pages: upload a
workbook for a plan (``POST /imports/``: ``exchange.services.import_check`` — the same size
limit, the same safe opening of hostile files, every cell checked by the form's rules, the
record and its history row), read what it would change and its problems
(``GET /imports/<uid>/``), and confirm it (``POST /imports/<uid>/actions/confirm/``:
``import_apply`` at once, or — a large workbook — ``import_confirm_start``'s background job,
answered 202 with the job). A job's status and its file: ``GET /jobs/<uid>/`` and
``GET /jobs/<uid>/file/``.

As on the pages, an upload is its uploader's: another person's record is 404, and so is one
whose plan the person no longer sees. A record has no version: the fingerprint taken at the
check is what refuses a confirmation when the plan changed since (``import_stale``)."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.imports import (
    ImportDryRunOutput,
    ImportInput,
    ImportRecordOutput,
    JobOutput,
    dry_run_answer,
)
from kehoach.api.writes import DRY_RUN, is_dry_run
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.exchange.models import ImportRecord
from kehoach.exchange.reading import Limits
from kehoach.exchange.services import (
    Target,
    import_apply,
    import_apply_check,
    import_check,
    import_check_only,
)
from kehoach.exchange.targets import VILLAGE_FORMS, commune_target, village_target
from kehoach.exchange.tasks import (
    import_confirm_start,
    import_in_background,
    import_job_of,
    import_target_for,
)
from kehoach.jobs.choices import JobStatus
from kehoach.jobs.models import Job
from kehoach.jobs.selectors import job_get_for_user
from kehoach.plans.selectors import plan_get_for_user
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import bilingual, uid_param

RECORD_EXAMPLE = {
    "uid": "5b0c2f7e-3a41-4c8e-9d2b-7e6f1a2b3c4d",
    "form": "F6",
    "plan": "0f1e2d3c-4b5a-4697-8877-665544332211",
    "filename": "F6-thon-dong-ha.xlsx",
    "status": "previewed",
    "created_at": "2027-02-03T08:15:00+07:00",
    "counts": {"add": 1, "change": 1, "remove": 0},
    "changes": [
        {
            "kind": "change",
            "row": 14,
            "label": "1. Bê tông hóa đường thôn",
            "fields": [["Tổng kinh phí", "1.200", "1.350"]],
        }
    ],
    "more": 0,
    "warnings": [],
    "problems": [],
    "applied": None,
    "job": None,
}
JOB_EXAMPLE = {
    "uid": "7c6b5a49-3827-4165-9a0b-1c2d3e4f5a6b",
    "kind": "import",
    "label": "Đang áp dụng biểu F6 “F6-thon-dong-ha.xlsx”",
    "status": "queued",
    "done": 0,
    "total": 0,
    "message": "",
    "error": "",
    "file_name": "",
    "created_at": "2027-02-03T08:16:00+07:00",
    "finished_at": None,
}

DRY_RUN_EXAMPLE = {
    "dry_run": True,
    "form": "F6",
    "plan": "0f1e2d3c-4b5a-4697-8877-665544332211",
    "filename": "F6-thon-dong-ha.xlsx",
    "status": "refused",
    "layout": "F6",
    "rows": 0,
    "counts": {"add": 0, "change": 0, "remove": 0},
    "changes": [],
    "more": 0,
    "warnings": [],
    "problems": [
        {
            "code": "required",
            "detail": "Ô này không được để trống.",
            "value": "",
            "where": {"sheet": "F6", "row": 14, "column": "C"},
        }
    ],
}


def import_target(*, user: Any, form: str, plan_uid: Any) -> Target:
    """What an upload of ``form`` for the plan ``plan_uid`` changes, the plan looked up for
    ``user`` (a village plan for F1, F6, F8, a commune plan for the others; another unit's
    or the wrong kind: NotFoundError)."""
    if form in VILLAGE_FORMS:
        return village_target(form, plan_get_for_user(user=user, uid=plan_uid))
    return commune_target(form, commune_plan_get_for_user(user=user, uid=plan_uid))


def own_record(user: Any, uid: Any) -> tuple[ImportRecord, Target]:
    """The user's own upload and its target, as the import pages find them (another person's
    record, or one whose plan the user no longer sees, is NotFoundError)."""
    record = ImportRecord.objects.filter(uid=uid, actor_id=user.pk).defer("kept").first()
    if record is None:
        raise NotFoundError()
    return record, import_target_for(user=user, record=record)


def record_answer(
    request: Request, record: ImportRecord, status_code: int = status.HTTP_200_OK
) -> Response:
    waiting = record.result == ImportRecord.Result.PREVIEWED
    job = import_job_of(actor=request.user, record=record) if waiting else None
    return Response(
        ImportRecordOutput(record, context={"job": job}).data,
        status=status_code,
        headers={"Location": request.build_absolute_uri(f"/api/v1/imports/{record.uid}/")},
    )


def job_answer(request: Request, job: Job, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(
        JobOutput(job).data,
        status=status_code,
        headers={"Location": request.build_absolute_uri(f"/api/v1/jobs/{job.uid}/")},
    )


class ImportCreate(generics.GenericAPIView[ImportRecord]):
    serializer_class = ImportInput
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        summary=bilingual("Tải lên một biểu", "Upload a workbook"),
        description=bilingual(
            "Tải lên biểu Excel của một kế hoạch (multipart: file, form, plan) như trang tải "
            "lên: tệp được mở an toàn trong giới hạn kích thước, mọi ô được kiểm tra theo quy "
            "tắc của biểu; không ghi gì vào kế hoạch. Trả lời bản ghi lần tải lên: previewed "
            "(chờ xác nhận, kèm những thay đổi) hoặc refused (kèm các lỗi với trang tính, "
            "dòng, cột). Tệp quá lớn, kế hoạch không được sửa: lỗi, không có bản ghi. Với "
            "?dry_run=1: 200 với những gì bản xem trước sẽ cho thấy (mẫu biểu nhận ra, số "
            "dòng, các lỗi với vị trí), không lưu bản ghi, tệp hay lịch sử.",
            "Upload a plan's workbook (multipart: file, form, plan) as the upload page does: "
            "the file is opened safely within the size limit and every cell is checked by the "
            "form's rules; nothing of the plan is written. Answers the upload's record: "
            "previewed (waiting for confirmation, with the changes) or refused (with the "
            "problems by sheet, row, column). A file too large or a plan you may not change: "
            "a problem and no record. With ?dry_run=1: 200 with what the preview would show "
            "(the layout recognised, the rows, the problems with where), keeping no record, "
            "file or history.",
        ),
        request={"multipart/form-data": ImportInput},
        parameters=[DRY_RUN],
        responses={201: ImportRecordOutput, 200: ImportDryRunOutput},
        examples=[
            OpenApiExample("Biểu F6 — F6 workbook", value=RECORD_EXAMPLE, status_codes=["201"]),
            OpenApiExample("Chạy thử — dry run", value=DRY_RUN_EXAMPLE, status_codes=["200"]),
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = ImportInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        target = import_target(user=request.user, form=values["form"], plan_uid=values["plan"])
        upload = values["file"]
        limit = Limits().max_bytes
        if upload.size and upload.size > limit:
            raise ApplicationError(
                "file_too_large",
                _("The file is larger than %(mb)s MB; split it or remove what is not needed.")
                % {"mb": limit // (1024 * 1024)},
            )
        data, filename = upload.read(), upload.name or ""
        if is_dry_run(request):
            found = import_check_only(
                actor=request.user, target=target, data=data, filename=filename
            )
            return Response(
                dry_run_answer(
                    form=target.form,
                    plan=target.obj.uid,
                    filename=filename[:255],
                    layout=found.layout,
                    summary=found.summary,
                    errors=found.errors,
                )
            )
        record = import_check(actor=request.user, target=target, data=data, filename=filename)
        return record_answer(request, record, status.HTTP_201_CREATED)


class ImportDetail(generics.GenericAPIView[ImportRecord]):
    serializer_class = ImportRecordOutput

    @extend_schema(
        operation_id="imports_retrieve",
        summary=bilingual("Một lần tải lên", "One upload"),
        description=bilingual(
            "Trạng thái của lần tải lên, những gì nó sẽ thay đổi và các lỗi (where: trang "
            "tính, dòng, cột); job: công việc nền đang áp dụng nó. Chỉ người đã tải lên.",
            "The upload's status, what it would change and its problems (where: sheet, row, "
            "column); job: the background job applying it. Only for the person who uploaded "
            "it.",
        ),
        responses={200: ImportRecordOutput},
        examples=[OpenApiExample("Biểu F6 — F6 workbook", value=RECORD_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record, _target = own_record(request.user, uid_param(self.kwargs))
        return record_answer(request, record)


CONFIRM_DRY_RUN = inline_serializer(
    "ImportConfirmDryRunOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số dòng sẽ thêm, sửa, xóa — lines that would be added, changed, removed",
        ),
    },
)


class ImportConfirm(generics.GenericAPIView[ImportRecord]):
    serializer_class = ImportRecordOutput

    @extend_schema(
        operation_id="imports_confirm",
        summary=bilingual("Xác nhận áp dụng biểu", "Confirm a workbook"),
        description=bilingual(
            "Áp dụng biểu đã kiểm tra, tất cả hoặc không gì, như nút Xác nhận: 200 với bản ghi "
            "đã áp dụng; biểu lớn được áp dụng bằng công việc nền: 202 với công việc (theo dõi "
            "ở /api/v1/jobs/{uid}/). Dữ liệu đã đổi sau khi kiểm tra: lỗi import_stale, không "
            "ghi gì. Không cần If-Match: dấu vân tay lúc kiểm tra đóng vai phiên bản.",
            "Apply a checked workbook, all or nothing, as the Confirm button does: 200 with "
            "the applied record; a large workbook is applied by a background job: 202 with the "
            "job (follow it at /api/v1/jobs/{uid}/). The data changed after the check: problem "
            "import_stale, nothing written. No If-Match: the fingerprint taken at the check "
            "plays the version's part.",
        ),
        request=None,
        parameters=[DRY_RUN],
        responses={200: ImportRecordOutput, 202: JobOutput},
        examples=[
            OpenApiExample(
                "Công việc nền — background job", value=JOB_EXAMPLE, status_codes=["202"]
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record, target = own_record(request.user, uid_param(self.kwargs))
        if is_dry_run(request):
            counts = import_apply_check(actor=request.user, target=target, record=record)
            return Response({"dry_run": True, "counts": counts})
        if import_in_background(record):
            job = import_confirm_start(actor=request.user, target=target, record=record)
            return job_answer(request, job, status.HTTP_202_ACCEPTED)
        done = import_apply(actor=request.user, target=target, record=record)
        return record_answer(request, done)


class JobDetail(generics.GenericAPIView[Job]):
    serializer_class = JobOutput

    @extend_schema(
        operation_id="jobs_retrieve",
        summary=bilingual("Một công việc nền", "One background job"),
        description=bilingual(
            "Trạng thái của công việc nền bạn đã yêu cầu (áp dụng biểu, tạo văn bản…): "
            "queued, running, done, failed; khi xong có tệp thì tải ở …/file/.",
            "The status of a background job you asked for (applying a workbook, rendering a "
            "document…): queued, running, done, failed; once done with a file, download it "
            "at …/file/.",
        ),
        responses={200: JobOutput},
        examples=[OpenApiExample("Áp dụng biểu — applying a workbook", value=JOB_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = job_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        return Response(JobOutput(job).data)


class JobFile(generics.GenericAPIView[Job]):
    serializer_class = JobOutput

    @extend_schema(
        operation_id="jobs_file",
        summary=bilingual("Tệp kết quả của công việc", "A job's result file"),
        description=bilingual(
            "Tệp do công việc nền làm ra (văn bản PDF/DOCX, biểu Excel), khi nó đã xong.",
            "The file a background job made (a PDF/DOCX document, a workbook), once it is done.",
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Tệp — the file"
            )
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        job = job_get_for_user(user=request.user, uid=uid_param(self.kwargs))
        if job.status != JobStatus.DONE or not job.file:
            raise NotFoundError()
        try:
            handle = job.file.open("rb")
        except FileNotFoundError as exc:  # removed from the disk
            raise NotFoundError() from exc
        content_type = mimetypes.guess_type(job.file_name)[0] or "application/octet-stream"
        response = FileResponse(
            handle, as_attachment=True, filename=job.file_name, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
