"""Implementation of a commune plan through the API (issue 17, F14–F18): a work's progress
reports (``/commune-plans/<uid>/lines/<line_uid>/progress-reports/``: the history, latest
first, and a new report), a photo of a report (upload) and the photo itself
(``/photos/<uid>/``, ``?size=thumbnail``) and its removal (``DELETE /photos/<uid>/``).

A report is written by ``monitoring.services.progress.progress_report_create`` — the page's
own call — so the rules, the latest report and the history rows are the page's; ``?dry_run=1``
asks ``progress_reports_check``, the same checks writing and locking nothing. A photo is
``photos.photo_add`` (size and type checks, decoding, re-encoding as a JPEG without metadata),
its dry run ``photo_check``; it is served by the page's own response (private storage, the JPEG
kehoach wrote, ``nosniff`` and a closed Content-Security-Policy) after the page's checks: the
commune plan visible to the user, else 404; it is removed by ``photos.photo_remove`` (the
page's rights; ``If-Match`` "1": a photo is never changed, only added or removed), its dry run
``photo_remove_check``. Reports are only ever added (no version, no ``If-Match``): a correction
is a newer report, as on the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, parsers, renderers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.progress import (
    ProgressPhotoInput,
    ProgressPhotoOutput,
    ProgressReportInput,
    ProgressReportOutput,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError, Where
from kehoach.monitoring.models import ProgressPhoto, ProgressReport
from kehoach.monitoring.services.photos import (
    photo_add,
    photo_check,
    photo_remove,
    photo_remove_check,
)
from kehoach.monitoring.services.progress import (
    ReportChange,
    progress_history,
    progress_report_create,
    progress_reports_check,
)
from kehoach.monitoring.views.photos import download_name, serve_photo
from kehoach.synthesis.models import CommuneLine, CommunePlan, EnvelopeLine
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import CursorPage, bilingual, uid_param
from .documents import AnyFile

REPORT_EXAMPLE = {
    "reported_on": "2026-11-30",
    "status": "ongoing",
    "quantity_done": "0.75",
    "actual_start": "2026-10-01",
    "contribution_cash_mvnd": "20",
    "contribution_labour_days": "100",
    "contribution_labour_mvnd": "15",
    "problems": "Mưa kéo dài, chậm đổ bê tông",
    "disbursed": [
        {"envelope_line_uid": "5f0c3e7a-1d5f-4b8a-9e3c-7a5261b44f0e", "amount_mvnd": "250.5"}
    ],
}
DRY_RUN_OUTPUT = inline_serializer(
    "MonitoringDryRunOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số bản ghi sẽ thêm — records that would be added",
        ),
    },
)


def _plan(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def _work(plan: CommunePlan, kwargs: dict[str, Any]) -> CommuneLine:
    """A line of the plan in any state, as the work's page (it stays readable after an
    amendment); the service decides whether a report may be added to it."""
    line = (
        CommuneLine.objects.filter(plan=plan, uid=uid_param(kwargs, "line_uid"))
        .select_related("sector", "unit", "plan__round__commune")
        .first()
    )
    if line is None:
        raise NotFoundError()
    return line


def _reports(line: CommuneLine) -> QuerySet[ProgressReport]:
    return progress_history(line).select_related("line")


def _disbursed(plan: CommunePlan, items: list[dict[str, Any]]) -> dict[EnvelopeLine, Decimal]:
    """The money of a report by envelope line of the plan's round (the page's form has one
    field per line funding the work; the service refuses a line that does not fund it)."""
    uids = [item["envelope_line_uid"] for item in items]
    found = {
        e.uid: e
        for e in EnvelopeLine.objects.filter(
            uid__in=uids, envelope__round=plan.round
        ).select_related("source")
    }
    out: dict[EnvelopeLine, Decimal] = {}
    problems = []
    for index, item in enumerate(items, start=1):
        envelope_line = found.get(item["envelope_line_uid"])
        if envelope_line is None or envelope_line in out:
            problems.append(
                ApplicationError(
                    "envelope_line_unknown",
                    _("Disbursed: name each envelope line of the plan's round once (its uid)."),
                    Where(field="disbursed", row=index),
                )
            )
            continue
        out[envelope_line] = item["amount_mvnd"]
    if problems:
        raise ApplicationErrors(problems)
    return out


class ProgressReportList(generics.ListAPIView[ProgressReport]):
    serializer_class = ProgressReportOutput
    pagination_class = CursorPage
    cursor_ordering = ("-reported_on", "-id")

    def get_queryset(self) -> QuerySet[ProgressReport]:
        return _reports(_work(_plan(self.request, self.kwargs), self.kwargs))

    @extend_schema(
        operation_id="commune_plans_lines_progress_reports_list",
        summary=bilingual("Báo cáo tiến độ của công trình (F14)", "Progress reports of a work"),
        description=bilingual(
            "Mọi báo cáo tiến độ của công trình, mới nhất trước (như lịch sử trên trang công "
            "trình): khối lượng, tình trạng, đóng góp của dân, giải ngân theo nguồn và ảnh; "
            "is_latest là báo cáo đang có hiệu lực.",
            "Every progress report of the work, latest first (the history of the work's page): "
            "quantity, status, community contribution, money disbursed by source and photos; "
            "is_latest marks the report in force.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[
            OpenApiExample(
                "Đang thi công — ongoing",
                value={
                    **REPORT_EXAMPLE,
                    "uid": "0b6f2c1e-8d4a-4c3b-9f7e-2a1d5c6b7e80",
                    "is_latest": True,
                    "photos": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="commune_plans_lines_progress_reports_create",
        summary=bilingual("Báo cáo tiến độ mới", "A new progress report"),
        description=bilingual(
            "Ghi tình hình công trình đến ngày báo cáo (lũy kế), kiểm tra theo đúng các quy tắc "
            "của biểu F14 trên trang: chỉ công trình được cấp vốn của kế hoạch đã công bố, bởi "
            "người được báo cáo tiến độ của xã. Báo cáo ghi lùi ngày sau báo cáo mới nhất chỉ "
            "vào lịch sử. Giải ngân theo dòng nguồn lực (F11) cấp vốn cho công trình.",
            "Records where the work stands at the reporting date (to date), checked by the same "
            "F14 rules as the page: only a funded work of a published plan, by someone who may "
            "report the commune's progress. A report dated before the latest only joins the "
            "history. Money disbursed by the envelope line (F11) funding the work.",
        ),
        request=ProgressReportInput,
        parameters=[DRY_RUN],
        responses={201: ProgressReportOutput, 200: DRY_RUN_OUTPUT},
        examples=[
            OpenApiExample("Đang thi công — ongoing", value=REPORT_EXAMPLE, request_only=True)
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        line = _work(plan, self.kwargs)
        given = ProgressReportInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        disbursed = _disbursed(plan, values.pop("disbursed", []))
        names = {f"disbursed_{e.uid}": "disbursed" for e in disbursed}
        try:
            if is_dry_run(request):
                counts = progress_reports_check(
                    actor=request.user, target=plan, changes=[ReportChange(line, values, disbursed)]
                )
                return Response({"dry_run": True, "counts": counts})
            report = progress_report_create(
                actor=request.user, line=line, data=values, disbursed=disbursed
            )
        except ApplicationError as error:
            raise renamed(error, names) from error
        shown = _reports(line).get(pk=report.pk)
        return Response(ProgressReportOutput(shown).data, status=status.HTTP_201_CREATED)


class ProgressPhotoCreate(generics.GenericAPIView[ProgressPhoto]):
    serializer_class = ProgressPhotoInput
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        operation_id="commune_plans_lines_progress_reports_photos_create",
        summary=bilingual("Gửi ảnh của báo cáo tiến độ", "Upload a photo of a progress report"),
        description=bilingual(
            "Tệp ảnh (multipart, trường image) trước, trong hoặc sau thi công (stage). Được kiểm "
            "tra như trên trang: không quá 10 MB, JPEG/PNG/WebP nhận biết theo nội dung, không "
            "quá 40 triệu điểm ảnh, đọc được trọn vẹn; rồi mã hóa lại thành JPEG không có siêu "
            "dữ liệu (EXIF, GPS). Chỉ người được báo cáo tiến độ của công trình.",
            "The photo file (multipart, field image) before, during or after the works "
            "(stage). Checked as on the page: at most 10 MB, JPEG/PNG/WebP recognised by its "
            "content, at most 40 megapixels, decoding completely; then re-encoded as a JPEG "
            "without metadata (EXIF, GPS). Only for whoever may report the work's progress.",
        ),
        request={"multipart/form-data": ProgressPhotoInput},
        parameters=[DRY_RUN],
        responses={201: ProgressPhotoOutput, 200: DRY_RUN_OUTPUT},
        examples=[
            OpenApiExample(
                "Ảnh sau thi công — after the works",
                value={"stage": "after", "caption": "Đường đã đổ bê tông"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = _plan(request, self.kwargs)
        line = _work(plan, self.kwargs)
        report = (
            ProgressReport.objects.filter(line=line, uid=uid_param(self.kwargs, "report_uid"))
            .select_related("line")
            .first()
        )
        if report is None:
            raise NotFoundError()
        given = ProgressPhotoInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = {
            "actor": request.user,
            "report": report,
            "stage": given.validated_data["stage"],
            "upload": given.validated_data.get("image"),
            "caption": given.validated_data.get("caption", ""),
        }
        if is_dry_run(request):
            return Response({"dry_run": True, "counts": photo_check(**values)})
        photo = photo_add(**values)
        return Response(ProgressPhotoOutput(photo).data, status=status.HTTP_201_CREATED)


SIZE = OpenApiParameter(
    "size",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["thumbnail"],
    description="thumbnail: ảnh nhỏ — the thumbnail",
)


PHOTO_VERSION = 1
"""A photo's version (its ETag): a photo is never changed, only added or removed."""


class PhotoDetail(generics.GenericAPIView[ProgressPhoto]):
    serializer_class = ProgressPhotoOutput
    renderer_classes = [renderers.JSONRenderer, AnyFile]

    @extend_schema(
        operation_id="photos_retrieve",
        summary=bilingual("Tải một ảnh", "Download a photo"),
        description=bilingual(
            "Ảnh JPEG mà kehoach đã ghi (không bao giờ là tệp đã gửi), cho người xem được kế "
            "hoạch xã của nó như trên trang; ?size=thumbnail cho ảnh nhỏ.",
            "The JPEG kehoach wrote (never the bytes sent), for whoever may see its commune "
            "plan, as on the pages; ?size=thumbnail for the thumbnail.",
        ),
        parameters=[SIZE],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="Ảnh — photo")
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        photo = self._photo(request)
        if request.query_params.get("size") == "thumbnail":
            served = serve_photo(photo, photo.thumbnail, "image/jpeg", download_name(photo, "-nho"))
        else:
            served = serve_photo(
                photo, photo.image, photo.content_type or "image/jpeg", download_name(photo)
            )
        served["ETag"] = etag(PHOTO_VERSION)
        return served

    def _photo(self, request: Request) -> ProgressPhoto:
        """The photo, if the user may see its commune plan (else 404, as a missing one)."""
        photo = (
            ProgressPhoto.objects.filter(uid=uid_param(self.kwargs))
            .select_related("report__line__plan")
            .first()
        )
        if photo is None:
            raise NotFoundError()
        commune_plan_get_for_user(user=request.user, uid=photo.report.line.plan.uid)
        return photo

    @extend_schema(
        operation_id="photos_destroy",
        summary=bilingual("Xóa một ảnh", "Remove a photo"),
        description=bilingual(
            "Như nút Xóa ảnh trên trang công trình: người được báo cáo tiến độ của công trình, "
            "khi công trình còn được theo dõi; ghi vào lịch sử của kế hoạch xã với ảnh đã là gì, "
            'tệp được xóa sau đó. If-Match bắt buộc: "1" (ảnh không bao giờ được sửa, chỉ thêm '
            "hoặc xóa).",
            "As the Remove button of the work's page: whoever may report the work's progress, "
            "while the work is followed; recorded in the commune plan's history with what the "
            'photo was, its files deleted afterwards. If-Match is required: "1" (a photo is '
            "never changed, only added or removed).",
        ),
        parameters=[IF_MATCH, DRY_RUN],
        responses={204: None, 200: DRY_RUN_OUTPUT},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        photo = self._photo(request)
        require_version(request, PHOTO_VERSION, lambda: ProgressPhotoOutput(photo).data)
        if is_dry_run(request):
            counts = photo_remove_check(actor=request.user, photo=photo)
            return Response({"dry_run": True, "counts": counts})
        photo_remove(actor=request.user, photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)
