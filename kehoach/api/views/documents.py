"""The plans' documents through the API (issue 17), as the pages offer them
(``exchange.views_documents``): the commune plan as PDF or Word (``?version=N`` an approved
version, ``?draft=1`` the plan as it is now, by default the latest approved version or the
draft) and a village plan's A0 poster. The same visibility as the pages: a plan the user may
not see and a version that does not exist are 404, checked before anything kept is looked at.

A document kept up to date (an approved version's, rendered once) is answered at once, 200 with
the file. Any other is rendered by a background job — the person's own job for the same
document still open is reused — as the page's button does: 202 with the job, whose file is
``GET /api/v1/jobs/<uid>/file/`` once it is done. The API never renders in the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.imports import JobOutput
from kehoach.exchange.tasks import (
    DOCUMENT_TASK,
    FORMATS,
    DocumentSpec,
    commune_plan_spec,
    document_label,
    village_poster_spec,
)
from kehoach.exchange.views_documents import chosen_version
from kehoach.jobs.selectors import job_unfinished_of
from kehoach.jobs.services import job_start
from kehoach.plans.selectors import plan_get_for_user
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import bilingual, uid_param
from .imports import job_answer


class AnyFile(renderers.BaseRenderer):
    """Lets a client that asks for the file's type (``Accept: application/pdf``) reach the
    view; the file itself is a Django response that no renderer touches."""

    media_type = "*/*"
    format = "file"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


def document_answer(
    request: Request, spec: DocumentSpec, *, document: str, plan: Any, **params: Any
) -> HttpResponse | Response:
    """The kept, up-to-date file at once; otherwise the job that renders it (202)."""
    if spec.is_kept():
        response = HttpResponse(spec.data(user=request.user), content_type=spec.content_type)
        response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    params = {"document": document, "plan_uid": str(plan.uid), **params}
    job = job_unfinished_of(user=request.user, task=DOCUMENT_TASK, params=params)
    if job is None:
        job = job_start(
            actor=request.user,
            kind="document",
            task=DOCUMENT_TASK,
            label=document_label(spec),
            **params,
        )
    return job_answer(request, job, status.HTTP_202_ACCEPTED)


VERSION = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description="Phiên bản đã phê duyệt (mặc định: phiên bản mới nhất, hoặc bản nháp nếu "
    "chưa có) — the approved version (by default the latest one, or the draft while none is "
    "approved)",
)
DRAFT = OpenApiParameter(
    "draft",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="1: kế hoạch như hiện tại (bản nháp) — 1: the plan as it is now (the draft)",
)


def _responses(content_type: str) -> dict[Any, Any]:
    return {
        (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="Tệp — the file"),
        (202, "application/json"): OpenApiResponse(
            JobOutput,
            description="Đang tạo bằng công việc nền — being rendered by a background job",
        ),
    }


def _document_view(
    name: str,
    operation_id: str,
    summary: str,
    description: str,
    content_type: str,
    answer: Callable[[Request, Any], HttpResponse | Response],
    parameters: list[OpenApiParameter],
) -> type[generics.GenericAPIView[Any]]:
    class DocumentView(generics.GenericAPIView[Any]):
        serializer_class = JobOutput
        renderer_classes = [renderers.JSONRenderer, AnyFile]

        @extend_schema(
            operation_id=operation_id,
            summary=summary,
            description=description,
            parameters=parameters,
            responses=_responses(content_type),
            examples=[],
        )
        def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse | Response:
            return answer(request, uid_param(self.kwargs))

    DocumentView.__name__ = DocumentView.__qualname__ = name
    return DocumentView


def _commune_plan(fmt: str) -> Callable[[Request, Any], HttpResponse | Response]:
    def answer(request: Request, uid: Any) -> HttpResponse | Response:
        plan = commune_plan_get_for_user(user=request.user, uid=uid)
        version = chosen_version(request, plan)
        spec = commune_plan_spec(plan, version, fmt)
        number = version.number if version is not None else None
        return document_answer(
            request, spec, document="commune_plan", plan=plan, fmt=fmt, version=number
        )

    return answer


def _village_poster(request: Request, uid: Any) -> HttpResponse | Response:
    plan = plan_get_for_user(user=request.user, uid=uid)
    return document_answer(request, village_poster_spec(plan), document="village_poster", plan=plan)


_JOB_TEXT = (
    "Đã lưu sẵn: 200 với tệp; nếu không: 202 với công việc nền tạo tệp (tải ở "
    "/api/v1/jobs/{uid}/file/ khi xong).",
    "Kept up to date: 200 with the file; otherwise 202 with the background job that renders "
    "it (download it at /api/v1/jobs/{uid}/file/ once done).",
)

CommunePlanPdf = _document_view(
    "CommunePlanPdf",
    "commune_plans_document_pdf",
    bilingual("Văn bản kế hoạch xã (PDF)", "The commune plan document (PDF)"),
    bilingual(
        "Văn bản kế hoạch xã như nút Tải PDF trên trang. " + _JOB_TEXT[0],
        "The commune plan document as the page's PDF button gives it. " + _JOB_TEXT[1],
    ),
    FORMATS["pdf"],
    _commune_plan("pdf"),
    [VERSION, DRAFT],
)
CommunePlanDocx = _document_view(
    "CommunePlanDocx",
    "commune_plans_document_docx",
    bilingual("Văn bản kế hoạch xã (Word)", "The commune plan document (Word)"),
    bilingual(
        "Văn bản kế hoạch xã như nút Tải Word trên trang. " + _JOB_TEXT[0],
        "The commune plan document as the page's Word button gives it. " + _JOB_TEXT[1],
    ),
    FORMATS["docx"],
    _commune_plan("docx"),
    [VERSION, DRAFT],
)
VillagePoster = _document_view(
    "VillagePoster",
    "village_plans_document_poster",
    bilingual("Áp phích A0 của kế hoạch thôn (PDF)", "The village plan's A0 poster (PDF)"),
    bilingual(
        "Áp phích khổ A0 để dán ở nhà văn hóa thôn, như trên trang. " + _JOB_TEXT[0],
        "The A0 poster for the village hall, as the page gives it. " + _JOB_TEXT[1],
    ),
    FORMATS["pdf"],
    _village_poster,
    [],
)
