"""The SWOT by sector (F3) through the API: ``/village-plans/<uid>/swot/`` lists the plan's
entries, ``…/swot/<sector_code>/`` reads, saves (``swot_save``: created or replaced whole) or
deletes (``swot_delete``) one sector's entry. ETag: the entry's version ("0" while there is
none); the If-Match version is passed to the service, which checks it again under its lock."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api import filters
from kehoach.api.serializers.findings import SwotInput, SwotOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.catalog.models import Sector
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import SwotEntry, VillagePlan
from kehoach.plans.services.findings import (
    SWOT_TEXT_FIELDS,
    swot_check,
    swot_delete,
    swot_delete_check,
    swot_entries,
    swot_save,
)

from ..common import CursorPage, bilingual
from .common import DRY_RUN_ANSWER, dry_run_answer, plan_of, service

SWOT_EXAMPLE = {
    "sector_code": "HT-GT",
    "strengths": "Nhân dân đồng thuận góp công",
    "weaknesses": "Đường xóm Trên lầy lội mùa mưa",
    "opportunities": "Chương trình MTQG hỗ trợ bê tông hóa",
    "threats": "Lũ cuốn trôi nền đường",
    "implication": "Ưu tiên đường xóm Trên",
    "version": 3,
    "updated_at": "2026-08-12T10:00:00+07:00",
}


class SwotList(generics.ListAPIView[SwotEntry]):
    serializer_class = SwotOutput
    pagination_class = CursorPage
    cursor_ordering = ("sector_order", "sector__code")

    def get_queryset(self) -> QuerySet[SwotEntry]:
        plan = plan_of(self.request, self.kwargs)
        return swot_entries(plan).annotate(sector_order=F("sector__sort_order"))

    @extend_schema(
        operation_id="village_plans_swot_list",
        summary=bilingual("Phân tích SWOT theo lĩnh vực (F3)", "SWOT analysis by sector (F3)"),
        description=bilingual(
            "Điểm mạnh, điểm yếu, cơ hội, thách thức của từng lĩnh vực, theo thứ tự lĩnh vực "
            "của danh mục; mỗi lĩnh vực một mục, mã lĩnh vực là khóa của nó.",
            "Strengths, weaknesses, opportunities and threats of each sector, in the "
            "catalogue's sector order; one entry per sector, the sector code is its key.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[OpenApiExample("Giao thông — transport", value=SWOT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def _swot_shown(entry: SwotEntry) -> dict[str, Any]:
    return dict(SwotOutput(entry).data)


class SwotDetail(generics.GenericAPIView[SwotEntry]):
    serializer_class = SwotOutput

    def _parts(self) -> tuple[VillagePlan, Sector, SwotEntry | None]:
        plan = plan_of(self.request, self.kwargs)
        sector = Sector.objects.filter(code=str(self.kwargs.get("sector_code", ""))).first()
        if sector is None:
            raise NotFoundError()
        return plan, sector, swot_entries(plan).filter(sector=sector).first()

    @extend_schema(
        operation_id="village_plans_swot_retrieve",
        summary=bilingual("SWOT của một lĩnh vực", "One sector's SWOT"),
        description=bilingual(
            "Mục SWOT của lĩnh vực, ETag là phiên bản của nó (404 khi chưa có).",
            "The sector's SWOT entry with its version as ETag (404 while there is none).",
        ),
        responses={200: SwotOutput},
        examples=[OpenApiExample("Giao thông — transport", value=SWOT_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, _sector, entry = self._parts()
        if entry is None:
            raise NotFoundError()
        return Response(_swot_shown(entry), headers={"ETag": etag(entry.version)})

    @extend_schema(
        operation_id="village_plans_swot_update",
        summary=bilingual("Lưu SWOT của một lĩnh vực", "Save one sector's SWOT"),
        description=bilingual(
            "Tạo hoặc thay cả mục SWOT của lĩnh vực (lĩnh vực đang dùng) như biểu trên trang: "
            "nội dung bỏ qua thì để trống; phải có ít nhất một điểm mạnh, điểm yếu, cơ hội hoặc "
            'thách thức. Chỉ khi kế hoạch còn là bản nháp. If-Match bắt buộc ("0" khi chưa có '
            "mục). Trả lời 201 khi tạo mới, 200 khi thay.",
            "Create or replace the sector's whole SWOT entry (a sector in use) as the page's "
            "form does: a text left out is empty; at least one strength, weakness, opportunity "
            'or threat. Only while the plan is a draft. If-Match is required ("0" while there '
            "is no entry). Answers 201 when created, 200 when replaced.",
        ),
        request=SwotInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: SwotOutput, 201: SwotOutput},
        examples=[
            OpenApiExample(
                "Giao thông — transport",
                value={k: v for k, v in SWOT_EXAMPLE.items() if k in SWOT_TEXT_FIELDS},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan, sector, entry = self._parts()
        version = entry.version if entry is not None else 0
        expected = require_version(request, version, lambda: _swot_shown(entry) if entry else {})
        given = SwotInput(data=request.data)
        given.is_valid(raise_exception=True)
        texts = {name: given.validated_data.get(name) or "" for name in SWOT_TEXT_FIELDS}
        arguments = {"actor": request.user, "plan": plan, "sector": sector, **texts}
        if is_dry_run(request):
            service(swot_check, **arguments)
            return dry_run_answer()
        saved = service(swot_save, expected_version=expected, **arguments)
        saved = swot_entries(plan).get(pk=saved.pk)
        return Response(
            _swot_shown(saved),
            status=status.HTTP_201_CREATED if entry is None else status.HTTP_200_OK,
            headers={"ETag": etag(saved.version)},
        )

    @extend_schema(
        operation_id="village_plans_swot_destroy",
        summary=bilingual("Xóa SWOT của một lĩnh vực", "Delete one sector's SWOT"),
        description=bilingual(
            "Xóa mục SWOT của lĩnh vực như nút Xóa trên trang. If-Match bắt buộc.",
            "Delete the sector's SWOT entry as the page's Delete button does. If-Match is "
            "required.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={204: None, 200: DRY_RUN_ANSWER},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _, _sector, entry = self._parts()
        if entry is None:
            raise NotFoundError()
        expected = require_version(request, entry.version, lambda: _swot_shown(entry))
        if is_dry_run(request):
            service(swot_delete_check, actor=request.user, entry=entry)
            return dry_run_answer()
        service(swot_delete, actor=request.user, entry=entry, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)
