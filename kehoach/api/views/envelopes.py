"""The resource envelope (F11) of a planning round through the API (issue 17): the envelope
with its lines (``/rounds/<uid>/envelope/``), and writes of its lines as the envelope page makes
them: add (``…/envelope/lines/``), change and delete one (``…/envelope/lines/<line_uid>/``);
many at once, all or nothing, are in ``envelope_batch``.

Reads go through ``plans.selectors.rounds_visible_to`` / ``round_get_for_user`` and
``synthesis.selectors.envelope_use``; every write is ``envelope_lines_apply`` — the writer of
the page and the F11 workbook — so the rules (each user only the lines of their own origin,
the commune plan still a draft), the versions and the history rows are the same; ``?dry_run=1``
asks ``envelope_lines_check``, the same checks without writing. A change or a delete names the
line's version in ``If-Match``; an add may name the envelope's version there (412 when anything
of the envelope was saved since)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum, prefetch_related_objects
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.serializers.rounds import (
    FIELD_NAMES,
    EnvelopeLineInput,
    EnvelopeLineOutput,
    EnvelopeOutput,
    envelope_line_data,
)
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, renamed, require_version
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.plans.models import PlanningRound
from kehoach.synthesis.models import Envelope, EnvelopeLine
from kehoach.synthesis.permissions import may_edit_line
from kehoach.synthesis.selectors import envelope_use
from kehoach.synthesis.services.envelope import (
    ADD,
    CHANGE,
    REMOVE,
    EnvelopeChange,
    envelope_lines_apply,
    envelope_lines_check,
    envelope_version,
)

from .common import bilingual, uid_param
from .rounds import ROUND_EXAMPLE, round_for

LINE_EXAMPLE = {
    "uid": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    "number": 1,
    "origin": "province",
    "source_code": "NTP26",
    "sector_code": "HT-GT",
    "expenditure_type": "investment",
    "content": "Hỗ trợ giao thông nông thôn",
    "activity_keywords": "đường, cầu",
    "amount_mvnd": "1500.000",
    "firmness": "notified",
    "counterpart_share_pct": None,
    "area_scope": "all",
    "area_village_codes": [],
    "area_flags": [],
    "notes": "",
    "used_mvnd": "600.000",
    "left_mvnd": "900.000",
    "deleted": False,
    "version": 2,
}
INPUT_EXAMPLE = {
    "source_code": "NTP26",
    "sector_code": "HT-GT",
    "expenditure_type": "investment",
    "content": "Hỗ trợ giao thông nông thôn",
    "activity_keywords": "đường, cầu",
    "amount_mvnd": "1500",
    "firmness": "notified",
    "area_scope": "all",
}
ENVELOPE_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'Tùy chọn: phiên bản khung nguồn lực bạn đã đọc (ETag của GET …/envelope/, ví dụ "7"); '
        "đã có người lưu sau đó: 412 kèm khung hiện tại — optional: the envelope's version you "
        'read (the ETag of GET …/envelope/, e.g. "7"); saved by someone since: 412 with the '
        "current envelope"
    ),
)


# --- the envelope ----------------------------------------------------------------------------


def envelope_of(round_: PlanningRound) -> Envelope | None:
    """The round's envelope, None before anyone wrote a line (a read creates nothing)."""
    return Envelope.objects.filter(round=round_).first()


def _with_use(lines: list[EnvelopeLine], used: dict[int, Decimal]) -> list[EnvelopeLine]:
    prefetch_related_objects(lines, "area_villages")
    for line in lines:
        line.used_mvnd = used.get(line.pk, Decimal(0))  # type: ignore[attr-defined]
        line.left_mvnd = line.amount_mvnd - line.used_mvnd  # type: ignore[attr-defined]
    return lines


def envelope_shown(request: Request, round_: PlanningRound) -> tuple[dict[str, Any], int]:
    """The envelope as ``GET …/envelope/`` shows it, and its version."""
    envelope = envelope_of(round_)
    rows = envelope_use(envelope) if envelope is not None else []
    lines = _with_use([row["line"] for row in rows], {r["line"].pk: r["used"] for r in rows})
    deleted = (
        [
            line
            for line in envelope.lines.filter(deleted_at__isnull=False).select_related(
                "source", "sector"
            )
            if may_edit_line(request.user, line, round_)
        ]
        if envelope is not None
        else []
    )
    total = sum((line.amount_mvnd for line in lines), Decimal(0))
    used = sum((row["used"] for row in rows), Decimal(0))
    version = envelope_version(envelope)
    body = {
        "round_uid": round_.uid,
        "version": version,
        "published_at": envelope.published_at if envelope else None,
        "changed_at": envelope.changed_at if envelope else None,
        "changed_since_published": envelope.changed_since_published if envelope else False,
        "total_mvnd": total,
        "used_mvnd": used,
        "left_mvnd": total - used,
        "lines": lines,
        "deleted_lines": _with_use(deleted, {}),
    }
    return dict(EnvelopeOutput(body).data), version


def _line(request: Request, round_: PlanningRound, line_uid: Any) -> EnvelopeLine:
    """A line of the round's envelope with what its funding uses; a deleted one only for who
    may restore it (as the page lists them)."""
    line = (
        EnvelopeLine.objects.filter(envelope__round=round_, uid=line_uid)
        .select_related("source", "sector", "envelope__round__commune")
        .annotate(used=Sum("funding__amount_mvnd"))
        .first()
    )
    if line is None or (
        line.deleted_at is not None and not may_edit_line(request.user, line, round_)
    ):
        raise NotFoundError()
    return _with_use([line], {line.pk: getattr(line, "used", None) or Decimal(0)})[0]


def _line_shown(line: EnvelopeLine) -> dict[str, Any]:
    return dict(EnvelopeLineOutput(line).data)


def envelope_if_match(request: Request, round_: PlanningRound) -> int | None:
    """The envelope's version named by an optional ``If-Match`` (412 when stale)."""
    if not request.headers.get("If-Match"):
        return None
    return require_version(
        request,
        envelope_version(envelope_of(round_)),
        lambda: envelope_shown(request, round_)[0],
    )


def envelope_apply(
    request: Request,
    round_: PlanningRound,
    changes: list[EnvelopeChange],
    expected_version: int | None = None,
) -> Any:
    """Check (dry run) or write ``changes``; the service's problems named as the API names
    the fields."""
    try:
        if is_dry_run(request):
            return envelope_lines_check(
                actor=request.user,
                round_=round_,
                changes=changes,
                expected_version=expected_version,
            )
        return envelope_lines_apply(
            actor=request.user, round_=round_, changes=changes, expected_version=expected_version
        )
    except ApplicationError as error:
        raise renamed(error, FIELD_NAMES) from error


def _values(
    round_: PlanningRound, data: Any, *, partial: bool
) -> tuple[dict[str, Any], list[Any] | None]:
    given = EnvelopeLineInput(data=data, partial=partial)
    given.is_valid(raise_exception=True)
    return envelope_line_data(dict(given.validated_data), round_)


DRY_RUN_OUTPUT = inline_serializer(
    "EnvelopeDryRunOutput",
    {
        "dry_run": serializers.BooleanField(),
        "counts": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Số dòng sẽ thêm, sửa, xóa, khôi phục — lines that would be added, "
            "changed, deleted, restored",
        ),
    },
)


def _dry_run(counts: dict[str, int]) -> Response:
    return Response({"dry_run": True, "counts": counts})


class EnvelopeDetail(generics.GenericAPIView[Envelope]):
    serializer_class = EnvelopeOutput

    @extend_schema(
        operation_id="rounds_envelope_retrieve",
        summary=bilingual("Khung nguồn lực của kỳ (F11)", "The round's resource envelope (F11)"),
        description=bilingual(
            "Số tiền có thể dùng theo chương trình/nguồn vốn và lĩnh vực, do tỉnh và xã nhập, "
            "với phần đã phân bổ cho các dòng kế hoạch xã và phần còn lại. ETag là phiên bản "
            "của khung nguồn lực (tăng mỗi khi một dòng được thêm, sửa, xóa hay khôi phục).",
            "The money available by programme or source and sector, entered by the province "
            "and the commune, with what is allocated to commune plan lines and what is left. "
            "The ETag is the envelope's version (raised whenever a line is added, changed, "
            "deleted or restored).",
        ),
        examples=[
            OpenApiExample(
                "Khung nguồn lực 2027 — the 2027 envelope",
                value={
                    "round_uid": ROUND_EXAMPLE["uid"],
                    "version": 3,
                    "published_at": None,
                    "changed_at": "2026-09-02T10:00:00+07:00",
                    "changed_since_published": False,
                    "total_mvnd": "1500.000",
                    "used_mvnd": "600.000",
                    "left_mvnd": "900.000",
                    "lines": [LINE_EXAMPLE],
                    "deleted_lines": [],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        body, version = envelope_shown(request, round_)
        return Response(body, headers={"ETag": etag(version)})


class EnvelopeLineList(generics.GenericAPIView[EnvelopeLine]):
    serializer_class = EnvelopeLineInput

    @extend_schema(
        operation_id="rounds_envelope_lines_create",
        summary=bilingual("Thêm một dòng khung nguồn lực", "Add an envelope line"),
        description=bilingual(
            "Thêm một dòng (số thứ tự tiếp theo) với nguồn gốc của bạn: cán bộ tỉnh nhập tiền "
            "của tỉnh và các chương trình, xã nhập ngân sách xã và các nguồn khác; kiểm tra theo "
            "đúng các quy tắc của trang; chỉ khi kế hoạch xã còn là bản nháp. If-Match (phiên "
            "bản khung) tùy chọn.",
            "Add a line (the next number) of your origin: the province officer enters "
            "provincial and programme money, the commune its budget and other sources; checked "
            "by the page's rules; only while the commune plan is a draft. If-Match (the "
            "envelope's version) is optional.",
        ),
        request=EnvelopeLineInput,
        parameters=[ENVELOPE_IF_MATCH, DRY_RUN],
        responses={201: EnvelopeLineOutput, 200: DRY_RUN_OUTPUT},
        examples=[
            OpenApiExample(
                "Giao thông nông thôn — rural roads", value=INPUT_EXAMPLE, request_only=True
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_ = round_for(request, self.kwargs)
        data, villages = _values(round_, request.data, partial=False)
        expected = envelope_if_match(request, round_)
        change = EnvelopeChange(ADD, data=data, villages=villages or [])
        done = envelope_apply(request, round_, [change], expected)
        if is_dry_run(request):
            return _dry_run(done)
        line = _line(request, round_, done.lines[0].uid)
        location = request.build_absolute_uri(
            f"/api/v1/rounds/{round_.uid}/envelope/lines/{line.uid}/"
        )
        return Response(
            _line_shown(line),
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(line.version), "Location": location},
        )


class EnvelopeLineDetail(generics.GenericAPIView[EnvelopeLine]):
    serializer_class = EnvelopeLineOutput

    def _round_and_line(self) -> tuple[PlanningRound, EnvelopeLine]:
        round_ = round_for(self.request, self.kwargs)
        return round_, _line(self.request, round_, uid_param(self.kwargs, "line_uid"))

    @extend_schema(
        operation_id="rounds_envelope_lines_retrieve",
        summary=bilingual("Một dòng khung nguồn lực", "One envelope line"),
        description=bilingual(
            "Dòng với ETag là phiên bản của nó (gửi lại trong If-Match khi sửa hay xóa).",
            "The line with its version as ETag (send it back in If-Match to change or delete it).",
        ),
        responses={200: EnvelopeLineOutput},
        examples=[OpenApiExample("NTP26", value=LINE_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _unused, line = self._round_and_line()
        return Response(_line_shown(line), headers={"ETag": etag(line.version)})

    @extend_schema(
        operation_id="rounds_envelope_lines_partial_update",
        summary=bilingual("Sửa một dòng khung nguồn lực", "Change an envelope line"),
        description=bilingual(
            "Chỉ gửi các cột thay đổi; dòng được kiểm tra lại toàn bộ. Chỉ dòng do bạn (tỉnh "
            "hoặc xã) nhập. Đổi số tiền, nguồn, lĩnh vực… thì các dòng kế hoạch xã đã lấy tiền "
            "từ dòng này trở về chưa quyết định. If-Match bắt buộc.",
            "Send only the columns that change; the whole line is checked again. Only lines of "
            "your origin (province or commune). Changing its amount, source, sector… takes "
            "back the funding of the commune plan lines drawing on it. If-Match is required.",
        ),
        request=EnvelopeLineInput,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: EnvelopeLineOutput},
        examples=[
            OpenApiExample(
                "Đổi số tiền — change the amount", value={"amount_mvnd": "1800"}, request_only=True
            )
        ],
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_, line = self._round_and_line()
        if line.deleted_at is not None:
            raise NotFoundError()
        version = require_version(request, line.version, lambda: _line_shown(line))
        data, villages = _values(round_, request.data, partial=True)
        change = EnvelopeChange(CHANGE, line=line, data=data, villages=villages, version=version)
        done = envelope_apply(request, round_, [change])
        if is_dry_run(request):
            return _dry_run(done)
        line = _line(request, round_, line.uid)
        return Response(_line_shown(line), headers={"ETag": etag(line.version)})

    @extend_schema(
        operation_id="rounds_envelope_lines_destroy",
        summary=bilingual("Xóa một dòng khung nguồn lực", "Delete an envelope line"),
        description=bilingual(
            "Đánh dấu dòng là đã xóa (khôi phục được bằng lô thay đổi, op restore), như nút Xóa "
            "trên trang; phần tiền đã phân bổ từ dòng được thu hồi. If-Match bắt buộc.",
            "Marks the line deleted (it can be restored with a batch, op restore), as the "
            "page's Delete button does; its funding is taken back. If-Match is required.",
        ),
        parameters=[IF_MATCH, DRY_RUN],
        request=None,
        responses={204: None, 200: DRY_RUN_OUTPUT},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        round_, line = self._round_and_line()
        if line.deleted_at is not None:
            raise NotFoundError()
        version = require_version(request, line.version, lambda: _line_shown(line))
        done = envelope_apply(request, round_, [EnvelopeChange(REMOVE, line=line, version=version)])
        if is_dry_run(request):
            return _dry_run(done)
        return Response(status=status.HTTP_204_NO_CONTENT)
