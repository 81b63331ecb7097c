"""Writes over several villages of a commune at once through the API (issue 17, R25), as the
commune officer's pages make them: ``POST /units/<code>/villages/merge/`` (merge, into one of
them or into a new village), ``POST /villages/<code>/actions/undo-merge/`` (the village page's
"Undo the merge") and ``POST /units/<code>/villages/import/`` (the village list from a CSV
file, all or nothing).

Each is the page's service (``geo.services``) with the page's right (``can_manage_villages``:
another commune is not found, 404). A merge names the version (``ETag``) read of each merged
village in its body, an undo the merged-into village's in ``If-Match``: older, 412 with the
current values; the services check them again under the commune's lock. ``?dry_run=1`` asks
the check functions (``villages_merge_check``, ``villages_merge_undo_check``,
``villages_import_check``), which share the writers' checks and write and lock nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.problems import PreconditionFailed
from kehoach.api.serializers.geo import UnitOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, is_dry_run, require_version
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.geo import services
from kehoach.geo.choices import Kind, Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.services import unit_version

from .common import bilingual
from .units import units_with_links
from .villages import VILLAGE_EXAMPLE, unit_for, village_current, village_for, village_shown

MAX_UPLOAD = 1_000_000
"""The page's limit: a village list is much smaller than 1 MB."""


class MergedVillage(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Mã thôn — the village's code")
    version = serializers.IntegerField(
        help_text="ETag của thôn đã đọc (lần lưu cuối) — the village's ETag you read"
    )


class VillageMergeInput(serializers.Serializer[Any]):
    villages = MergedVillage(many=True, help_text="Các thôn sáp nhập — the villages merged")
    into = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="Mã thôn còn lại (trống: thôn mới) — the village that remains (none: new)",
    )
    new_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Tên thôn mới — new name"
    )
    kind = serializers.CharField(
        required=False, default=Kind.VILLAGE, help_text="Loại thôn mới — the new village's kind"
    )
    effective_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Ngày hiệu lực — effective"
    )
    decision = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Quyết định — decision"
    )


class VillageImportInput(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file is the service's problem (csv_empty), as on the page
        help_text="CSV UTF-8: Tên thôn, Loại (thôn/bản/tổ dân phố), Từ ngày (dd/mm/yyyy)",
    )


def _shown_all(villages: list[AdministrativeUnit]) -> list[dict[str, Any]]:
    rows = units_with_links(AdministrativeUnit.objects.filter(pk__in=[v.pk for v in villages]))
    return [dict(UnitOutput(unit).data) for unit in rows.order_by("code")]


def _merged(request: Request, commune: AdministrativeUnit, given: list[dict[str, Any]]) -> Any:
    """The commune's villages named in the body (another's, or none such: 404) and the
    versions read of each (an older one: 412 with the current values of them all)."""
    codes = {item["code"]: item["version"] for item in given}
    villages = list(
        AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE, code__in=codes)
    )
    if len(villages) != len(codes):
        raise NotFoundError()
    if any(unit_version(v) != codes[v.code] for v in villages):
        raise PreconditionFailed(current={"villages": _shown_all(villages)})
    return villages, {v.pk: codes[v.code] for v in villages}


class VillagesMerge(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = VillageMergeInput

    @extend_schema(
        operation_id="units_villages_merge",
        summary=bilingual("Sáp nhập thôn", "Merge villages"),
        description=bilingual(
            "Sáp nhập các thôn của xã như trang «Sáp nhập thôn»: vào một thôn trong số đó "
            "(into) hoặc thành thôn mới (new_name, kind); các thôn khác hết hiệu lực trước "
            "ngày hiệu lực. Mỗi thôn kèm version (ETag đã đọc): cũ hơn thì 412 kèm giá trị "
            "hiện tại. ?dry_run=1 chỉ kiểm tra. Trả lời thôn còn lại.",
            "Merges villages of the commune as the 'Merge villages' page: into one of them "
            "(into) or into a new village (new_name, kind); the others end the day before the "
            "effective date. Each village names its version (the ETag read): older, 412 with "
            "the current values. ?dry_run=1 only checks. Answers the village that remains.",
        ),
        request=VillageMergeInput,
        parameters=[DRY_RUN],
        responses={200: UnitOutput},
        examples=[
            OpenApiExample(
                "Sáp nhập vào Thôn Xuân Lộc — merged into Thôn Xuân Lộc",
                value={
                    "villages": [
                        {"code": "19702-004", "version": 1786000000000000},
                        {"code": "19702-005", "version": 1786000000000001},
                    ],
                    "into": "19702-004",
                    "effective_date": "2027-01-01",
                    "decision": "NQ 15/NQ-HĐND",
                },
                request_only=True,
            ),
            OpenApiExample("Thôn còn lại — the remaining village", value=VILLAGE_EXAMPLE),
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        commune = unit_for(request, code)
        given = VillageMergeInput(data=request.data)
        given.is_valid(raise_exception=True)
        values = dict(given.validated_data)
        villages, versions = _merged(request, commune, values.pop("villages"))
        into_code = values.pop("into")
        into = next((v for v in villages if v.code == into_code), None)
        if into_code and into is None:
            raise ApplicationError(
                "merge_target_invalid",
                _("The village that remains must be one of the villages being merged."),
                Where(field="into"),
            )
        if is_dry_run(request):
            services.villages_merge_check(
                actor=request.user, villages=villages, into=into, **values
            )
            return Response({"dry_run": True, "would_save": True})
        target = services.villages_merge(
            actor=request.user,
            villages=villages,
            into=into,
            expected_versions=versions,
            **values,
        )
        return village_shown(target)


class VillageMergeUndo(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = UnitOutput

    @extend_schema(
        operation_id="villages_undo_merge",
        summary=bilingual("Hoàn tác sáp nhập", "Undo a merge"),
        description=bilingual(
            "Như nút «Hoàn tác sáp nhập» của trang thôn: các thôn đã sáp nhập vào thôn này có "
            "hiệu lực lại; thôn mới lập do sáp nhập thì hết hiệu lực (được giữ lại). If-Match: "
            "ETag của thôn này; ?dry_run=1 chỉ kiểm tra. Trả lời các thôn có hiệu lực lại.",
            "As the village page's 'Undo the merge' button: the villages merged into this one "
            "are current again; a village the merge created ends (it is kept). If-Match: this "
            "village's ETag; ?dry_run=1 only checks. Answers the villages current again.",
        ),
        request=None,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: inline_serializer("VillagesRestored", {"restored": UnitOutput(many=True)})},
        examples=[OpenApiExample("Có hiệu lực lại — current again", value=VILLAGE_EXAMPLE)],
    )
    def post(self, request: Request, code: str) -> Response:
        village = village_for(request, code)
        expected = require_version(request, unit_version(village), village_current(village))
        if is_dry_run(request):
            links = services.villages_merge_undo_check(actor=request.user, target=village)
            return Response(
                {"dry_run": True, "restored": _shown_all([link.predecessor for link in links])}
            )
        restored = services.villages_merge_undo(
            actor=request.user, target=village, expected_version=expected
        )
        return Response({"restored": _shown_all(restored)})


class VillagesImport(generics.GenericAPIView[AdministrativeUnit]):
    serializer_class = VillageImportInput
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="units_villages_import",
        summary=bilingual("Nhập danh sách thôn từ CSV", "Import the village list from CSV"),
        description=bilingual(
            "Như trang «Nhập từ CSV»: mỗi dòng một thôn (Tên thôn, Loại, Từ ngày), tối đa "
            "1 MB, tất cả hoặc không; thôn đã có được giữ nguyên. Lỗi: mỗi dòng một lỗi "
            "(where.line). ?dry_run=1 chỉ kiểm tra và trả lời các thôn sẽ thêm.",
            "As the 'Import from CSV' page: one village per row (Tên thôn, Loại, Từ ngày), at "
            "most 1 MB, all or nothing; villages already listed are left as they are. "
            "Problems: one per row (where.line). ?dry_run=1 only checks and answers the "
            "villages it would add.",
        ),
        request={"multipart/form-data": VillageImportInput},
        parameters=[DRY_RUN],
        responses={
            201: inline_serializer(
                "VillagesImported",
                {
                    "created": UnitOutput(many=True),
                    "unchanged": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
        examples=[
            OpenApiExample(
                "Đã thêm — added",
                value={"created": [VILLAGE_EXAMPLE], "unchanged": ["Thôn Diên Sanh"]},
                response_only=True,
            )
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        commune = unit_for(request, code)
        given = VillageImportInput(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        if upload.size and upload.size > MAX_UPLOAD:
            raise ApplicationError(
                "file_too_large",
                _("The file is larger than 1 MB; a village list is much smaller."),
                Where(field="file"),
            )
        content = upload.read()
        if is_dry_run(request):
            plan = services.villages_import_check(
                actor=request.user, commune=commune, content=content
            )
            rows = [
                {"row": r.row, "name": r.name, "kind": r.kind, "valid_from": r.valid_from}
                for r in plan.rows
            ]
            return Response({"dry_run": True, "would_add": rows, "unchanged": plan.unchanged})
        done = services.villages_import_csv(actor=request.user, commune=commune, content=content)
        body = {"created": _shown_all(done.created), "unchanged": done.unchanged}
        return Response(body, status=201)
