"""Approved versions of a commune plan and the difference between two of them (the feedback
to each village, F13, is ``feedback``):

- ``GET /commune-plans/<uid>/versions/`` — the approved versions, as the approval page lists
  them; ``…/versions/<number>/`` one of them with its snapshot; ``…/versions/<number>/diff/
  ?from=<n>`` what changed from version ``n`` (default: the version before) as the page's
  comparison shows it (``synthesis.versions.versions_diff``).

Every read starts from the pages' selectors: another unit's plan is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api import filters
from kehoach.api.serializers.versions import (
    DiffOutput,
    VersionDetailOutput,
    VersionOutput,
)
from kehoach.approvals.models import Version
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user
from kehoach.synthesis.versions import Diff, version_amendment_reason, versions_diff

from .common import CursorPage, bilingual, uid_param

VERSION_EXAMPLE = {
    "number": 2,
    "is_amendment": True,
    "resolution_number": "31/NQ-HĐND",
    "resolution_date": "2027-06-15",
    "signer": "Lê Văn Sơn, Chủ tịch HĐND xã",
    "approved_at": "2027-06-15T15:30:00+07:00",
    "approved_by": "Nguyễn Thị Hoa (lanhdao.hailang)",
    "published_at": "2027-06-20T08:00:00+07:00",
    "has_scan": True,
}

SNAPSHOT_EXAMPLE = {
    "plan": "3c1a9d3e-8b7f-4e0a-9c55-2f1e6d7b8a90",
    "commune": "19702",
    "commune_name": "Xã Hải Lăng",
    "province_name": "Tỉnh Quảng Trị",
    "year": 2027,
    "version": 2,
    "is_amendment": True,
    "amendment_reason": "Bổ sung kênh mương sau mưa lũ",
    "lines": [
        {
            "uid": "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "number": 1,
            "state": "active",
            "sector": "HT-GT",
            "activity": "Bê tông hóa đường xóm Trên",
            "total": "600.000",
            "contribution": "100.000",
            "support": "500.000",
            "decision": "funded",
            "decision_reason": "Đủ điều kiện, ưu tiên 1",
            "funding": [{"source": "NTP26", "source_name": "CTMTQG", "amount": "500.000"}],
            "sources": [{"village": "19702-001", "village_name": "Thôn Diên Sanh", "number": 1}],
        }
    ],
    "envelope": [],
    "targets": [],
}

DIFF_EXAMPLE = {
    "from_version": 1,
    "to_version": 2,
    "totals": {
        "total": {"before": "1030.000", "after": "1130.000"},
        "contribution": {"before": "150.000", "after": "170.000"},
        "support": {"before": "880.000", "after": "960.000"},
        "funded": {"before": "850.000", "after": "930.000"},
    },
    "added": [
        {
            "uid": "0b7c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4",
            "number": 4,
            "activity": "Nạo vét kênh mương nội đồng",
            "total_mvnd": "100.000",
            "decision": "funded",
            "decision_reason": "Khắc phục sau mưa lũ",
        }
    ],
    "removed": [],
    "changed": [
        {
            "uid": "7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "number": 1,
            "activity": "Bê tông hóa đường xóm Trên",
            "fields": [{"field": "funding:NTP26", "before": "500.000", "after": "420.000"}],
        }
    ],
}

MAX_NUMBER_DIGITS = 9


def _number(text: Any) -> int | None:
    """A version number as the page reads one (1 to 9 digits), else None."""
    value = str(text)
    if not value.isascii() or not value.isdigit() or len(value) > MAX_NUMBER_DIGITS:
        return None
    return int(value)


def _plan(view: Any) -> CommunePlan:
    return commune_plan_get_for_user(user=view.request.user, uid=uid_param(view.kwargs))


def _version(plan: CommunePlan, number: Any) -> Version:
    """The plan's version of this number; 404 for any other (as the page's ``_version``)."""
    value = _number(number)
    version = (
        None if value is None else Version.objects.filter(plan_uid=plan.uid, number=value).first()
    )
    if version is None:
        raise NotFoundError()
    return version


class VersionList(generics.ListAPIView[Version]):
    serializer_class = VersionOutput
    pagination_class = CursorPage
    cursor_ordering = ("number",)

    def get_queryset(self) -> QuerySet[Version]:
        return Version.objects.filter(plan_uid=_plan(self).uid)

    @extend_schema(
        operation_id="commune_plan_versions_list",
        summary=bilingual("Các phiên bản đã phê duyệt", "Approved versions"),
        description=bilingual(
            "Các phiên bản được HĐND xã phê duyệt của kế hoạch xã (bản gốc và các bản điều "
            "chỉnh), như tab Phê duyệt liệt kê: số, điều chỉnh, nghị quyết (số, ngày, người "
            "ký), thời điểm phê duyệt và công bố; theo số phiên bản.",
            "The versions of the commune plan the commune council approved (the original and "
            "its amendments), as the approval tab lists them: number, amendment, resolution "
            "(number, date, signer), approved and published at; by version number.",
        ),
        parameters=[filters.PAGE_SIZE],
        examples=[OpenApiExample("Bản điều chỉnh 2", value=VERSION_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


class VersionDetail(APIView):
    @extend_schema(
        operation_id="commune_plan_versions_retrieve",
        summary=bilingual("Một phiên bản đã phê duyệt", "One approved version"),
        description=bilingual(
            "Phiên bản có số này với ảnh chụp kế hoạch được giữ mãi khi phê duyệt (các dòng, "
            "số tiền, quyết định, lý do, cấp vốn theo nguồn, dòng đề xuất của thôn, khung "
            "nguồn lực, chỉ tiêu) và lý do điều chỉnh. Số không phải phiên bản của kế hoạch: "
            "404.",
            "The version with this number with the snapshot of the plan kept for ever when it "
            "was approved (lines, amounts, decisions, reasons, funding by source, village "
            "lines, envelope, targets) and why it was amended. A number that is not one of "
            "the plan's versions: 404.",
        ),
        parameters=[
            OpenApiParameter(
                "number",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=bilingual("Số phiên bản", "version number"),
            )
        ],
        responses=VersionDetailOutput,
        examples=[
            OpenApiExample(
                "Bản điều chỉnh 2",
                value={
                    **VERSION_EXAMPLE,
                    "amendment_reason": "Bổ sung kênh mương sau mưa lũ",
                    "snapshot": SNAPSHOT_EXAMPLE,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Any, uid: str, number: Any) -> Response:
        version = _version(_plan(self), number)
        data = {
            **VersionOutput(version).data,
            "amendment_reason": version_amendment_reason(version),
            "snapshot": version.data,
        }
        return Response(data)


def _line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "uid": line["uid"],
        "number": line["number"],
        "activity": line.get("activity", ""),
        "total_mvnd": line.get("total") or "0",
        "decision": line.get("decision", ""),
        "decision_reason": line.get("decision_reason") or "",
    }


def diff_data(diff: Diff, old: int | None, new: int) -> dict[str, Any]:
    """The page's comparison as data: codes and values, no labels."""
    return {
        "from_version": old,
        "to_version": new,
        "totals": {
            name: {"before": before, "after": after}
            for name, (before, after) in diff.totals.items()
        },
        "added": [_line(c.line) for c in diff.added],
        "removed": [_line(c.line) for c in diff.removed],
        "changed": [
            {
                "uid": c.line["uid"],
                "number": c.line["number"],
                "activity": c.line.get("activity", ""),
                "fields": [
                    {"field": name, "before": before, "after": after}
                    for name, before, after in c.fields
                ],
            }
            for c in diff.changed
        ],
    }


class VersionDiff(APIView):
    @extend_schema(
        operation_id="commune_plan_versions_diff",
        summary=bilingual("So sánh hai phiên bản", "Compare two versions"),
        description=bilingual(
            "Những gì đã đổi từ phiên bản `from` (mặc định: phiên bản liền trước; phiên bản 1 "
            "so với kế hoạch trống) đến phiên bản này, như trang So sánh phiên bản: dòng thêm, "
            "dòng bỏ, dòng thay đổi với từng cột (số tiền, quyết định, lý do, cấp vốn theo "
            "nguồn) và các tổng. `from` không phải phiên bản của kế hoạch: 400.",
            "What changed from version `from` (default: the version before; version 1 is "
            "compared with an empty plan) to this version, as the page that compares versions "
            "shows it: lines added, removed and changed with each column (amounts, decision, "
            "reason, funding by source) and the totals. A `from` that is not one of the "
            "plan's versions: 400.",
        ),
        parameters=[
            OpenApiParameter(
                "number",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=bilingual("Số phiên bản", "version number"),
            ),
            OpenApiParameter(
                "from",
                {"type": "integer", "minimum": 1},
                description=bilingual(
                    "So từ phiên bản này (mặc định: phiên bản liền trước)",
                    "compare from this version (default: the version before)",
                ),
            ),
        ],
        responses=DiffOutput,
        examples=[OpenApiExample("Bản điều chỉnh 2", value=DIFF_EXAMPLE, response_only=True)],
    )
    def get(self, request: Any, uid: str, number: Any) -> Response:
        plan = _plan(self)
        new = _version(plan, number)
        text = str(request.query_params.get("from", "") or "").strip()
        old: Version | None
        if text:
            value = _number(text)
            old = (
                None
                if value is None
                else Version.objects.filter(plan_uid=plan.uid, number=value).first()
            )
            if old is None:
                raise ApplicationError(
                    code="version_unknown",
                    message=_("Choose a version of this plan to compare with."),
                    where=Where(field="from"),
                )
        else:
            old = Version.objects.filter(plan_uid=plan.uid, number=new.number - 1).first()
        diff = versions_diff(old.data if old is not None else {"lines": []}, new.data)
        data = diff_data(diff, old.number if old is not None else None, new.number)
        return Response(DiffOutput(data).data)
