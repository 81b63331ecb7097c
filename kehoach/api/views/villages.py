"""A commune's villages written through the API (issue 17, R25), as the commune officer's
village pages write them: ``POST /units/<code>/villages/`` (add), ``PATCH /villages/<code>/``
(rename), ``POST /villages/<code>/actions/end/`` and ``…/actions/restore/``.

Each write is the page's service (``geo.services``) with the page's right
(``can_manage_villages``: another commune's village is not found, 404). A village has no
version number: its ETag is its last save (``updated_at`` in microseconds,
``geo.services.unit_version``), sent back as ``If-Match`` and checked again by the service
under the commune's lock. ``?dry_run=1`` asks the services' check functions
(``village_rename_check``…), which share the writers' checks and write and lock nothing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.geo import UnitOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.core.errors import NotFoundError
from kehoach.geo import services
from kehoach.geo.choices import Kind, Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user
from kehoach.geo.services import unit_version

from .common import bilingual
from .units import EXAMPLE, units_with_links

VILLAGE_EXAMPLE = {
    **EXAMPLE,
    "code": "19702-004",
    "official_code": "",
    "name": "Thôn Xuân Lộc",
    "kind": "thon",
    "level": 4,
    "parent_code": "19702",
    "predecessors": [],
}

DRY_RUN_ANSWER = inline_serializer(
    "VillageDryRun",
    {
        "dry_run": serializers.BooleanField(),
        "would_save": serializers.BooleanField(
            help_text="Mọi kiểm tra đều đạt — every check passed"
        ),
    },
)


class VillageCreateInput(serializers.Serializer[Any]):
    name = serializers.CharField(allow_blank=True, help_text="Tên thôn — the village's name")
    kind = serializers.CharField(
        required=False, default=Kind.VILLAGE, help_text="thon, to_dan_pho… — kind"
    )
    valid_from = serializers.DateField(
        required=False, allow_null=True, help_text="Hiệu lực từ (mặc định hôm nay) — valid from"
    )


class VillageRenameInput(serializers.Serializer[Any]):
    name = serializers.CharField(allow_blank=True, help_text="Tên mới — the new name")
    effective_date = serializers.DateField(
        required=False, allow_null=True, help_text="Ngày hiệu lực — effective date"
    )
    decision = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Quyết định — decision"
    )


class VillageEndInput(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, help_text="Lý do — why the village ends")
    valid_to = serializers.DateField(
        required=False, allow_null=True, help_text="Ngày chấm dứt — end date"
    )


def unit_for(request: Request, code: str) -> AdministrativeUnit:
    return unit_get_for_user(user=request.user, code=code)


def village_for(request: Request, code: str) -> AdministrativeUnit:
    village = unit_for(request, code)
    if village.level != Level.VILLAGE:
        raise NotFoundError()
    return village


def village_shown(village: AdministrativeUnit) -> Response:
    fresh = units_with_links(AdministrativeUnit.objects.filter(pk=village.pk)).get()
    return Response(UnitOutput(fresh).data, headers={"ETag": etag(unit_version(fresh))})


def village_current(village: AdministrativeUnit) -> Any:
    return lambda: (
        UnitOutput(units_with_links(AdministrativeUnit.objects.filter(pk=village.pk)).get()).data
    )


def _parsed(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


_ETAG_NOTE = (
    "If-Match bắt buộc (ETag của thôn: lần lưu cuối): cũ hơn thì 412 kèm giá trị hiện tại; "
    "?dry_run=1 chỉ kiểm tra.",
    "If-Match is required (the village's ETag: its last save): older, 412 with the current "
    "values; ?dry_run=1 only checks.",
)


class VillageCreate(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput

    @extend_schema(
        operation_id="units_villages_create",
        summary=bilingual("Thêm thôn", "Add a village"),
        description=bilingual(
            "Thêm một thôn/tổ dân phố vào xã, như trang «Thêm thôn»: tên không trùng thôn "
            "đang có của xã, mã được cấp tự động. ?dry_run=1 chỉ kiểm tra.",
            "Adds a village to the commune, as the 'Add a village' page: the name may not be "
            "a current village's of the commune, the code is given automatically. ?dry_run=1 "
            "only checks.",
        ),
        request=VillageCreateInput,
        parameters=[DRY_RUN],
        responses={201: UnitOutput},
        examples=[
            OpenApiExample(
                "Thôn mới — a new village",
                value={"name": "Thôn Xuân Lộc", "kind": "thon"},
                request_only=True,
            ),
            OpenApiExample("Đã thêm — added", value=VILLAGE_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        commune = unit_for(request, code)
        values = _parsed(VillageCreateInput, request)
        if is_dry_run(request):
            services.village_create_check(
                actor=request.user, commune=commune, name=values["name"], kind=values["kind"]
            )
            return Response({"dry_run": True, "would_save": True})
        village = services.village_create(actor=request.user, commune=commune, **values)
        response = village_shown(village)
        response.status_code = 201
        return response


class VillageRename(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput

    @extend_schema(
        operation_id="villages_partial_update",
        summary=bilingual("Đổi tên thôn", "Rename a village"),
        description=bilingual(
            "Đổi tên thôn như trang «Đổi tên»; tên cũ được ghi vào lịch sử tên. " + _ETAG_NOTE[0],
            "Renames the village as the 'Rename' page; the old name is kept in its name "
            "history. " + _ETAG_NOTE[1],
        ),
        request=VillageRenameInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: UnitOutput},
        examples=[
            OpenApiExample(
                "Đổi tên — rename",
                value={"name": "Thôn Xuân Lộc Đông", "decision": "NQ 12/NQ-HĐND"},
                request_only=True,
            ),
            OpenApiExample("Đã đổi tên — renamed", value=VILLAGE_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, code: str) -> Response:
        village = village_for(request, code)
        expected = require_version(request, unit_version(village), village_current(village))
        values = _parsed(VillageRenameInput, request)
        if is_dry_run(request):
            services.village_rename_check(
                actor=request.user, village=village, new_name=values["name"]
            )
            return Response({"dry_run": True, "would_save": True})
        services.village_rename(
            actor=request.user,
            village=village,
            new_name=values["name"],
            effective_date=values.get("effective_date"),
            decision=values["decision"],
            expected_version=expected,
        )
        return village_shown(village)


class VillageEnd(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput

    @extend_schema(
        operation_id="villages_end",
        summary=bilingual("Chấm dứt thôn", "End a village"),
        description=bilingual(
            "Thôn hết hiệu lực (giải thể), với lý do, như trang «Chấm dứt». " + _ETAG_NOTE[0],
            "The village ends (dissolved), with a reason, as the 'End' page. " + _ETAG_NOTE[1],
        ),
        request=VillageEndInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: UnitOutput},
        examples=[
            OpenApiExample(
                "Giải thể — dissolved",
                value={"reason": "NQ 20/NQ-HĐND giải thể thôn", "valid_to": "2026-12-31"},
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        village = village_for(request, code)
        expected = require_version(request, unit_version(village), village_current(village))
        values = _parsed(VillageEndInput, request)
        if is_dry_run(request):
            services.village_end_check(actor=request.user, village=village, **values)
            return Response({"dry_run": True, "would_save": True})
        services.village_end(
            actor=request.user, village=village, expected_version=expected, **values
        )
        return village_shown(village)


class VillageRestore(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput

    @extend_schema(
        operation_id="villages_restore",
        summary=bilingual("Khôi phục thôn", "Restore a village"),
        description=bilingual(
            "Bỏ ngày chấm dứt đặt nhầm, như nút «Khôi phục» của trang thôn (thôn đã sáp nhập "
            "thì hoàn tác việc sáp nhập). " + _ETAG_NOTE[0],
            "Removes an end date set by mistake, as the village page's 'Restore' button (a "
            "merged village is restored by undoing the merge). " + _ETAG_NOTE[1],
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: UnitOutput},
        examples=[OpenApiExample("Còn hiệu lực — current", value=VILLAGE_EXAMPLE)],
    )
    def post(self, request: Request, code: str) -> Response:
        village = village_for(request, code)
        expected = require_version(request, unit_version(village), village_current(village))
        if is_dry_run(request):
            services.village_restore_check(actor=request.user, village=village)
            return Response({"dry_run": True, "would_save": True})
        services.village_restore(actor=request.user, village=village, expected_version=expected)
        return village_shown(village)
