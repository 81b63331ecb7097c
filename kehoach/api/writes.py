"""What every write endpoint shares (issue 17): versions as ETags, ``If-Match`` required on a
change and checked before the service runs (the service checks the same version again under
its lock), ``?dry_run=1`` answered by the services' checks without writing, and the problems
of a line's values named by the fields the API shows (``sector_code`` for ``sector``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from kehoach.core.errors import ApplicationError, ApplicationErrors, Where

from .problems import PreconditionFailed, PreconditionRequired

_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        'Phiên bản bạn đã đọc (ETag của lần đọc cuối, ví dụ "3"); đã có người lưu sau đó: '
        "412 kèm giá trị hiện tại — the version you read (the ETag of your last read, e.g. "
        '"3"); saved by someone since: 412 with the current values'
    ),
)
DRY_RUN = OpenApiParameter(
    "dry_run",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "1: chỉ kiểm tra, không ghi gì; trả lời các lỗi sẽ gặp hoặc kết quả sẽ có — 1: check "
        "only, write nothing; answers the problems it would raise or what it would do"
    ),
)


def etag(version: int) -> str:
    return f'"{int(version)}"'


def is_dry_run(request: Request) -> bool:
    return str(request.query_params.get("dry_run", "")).strip().lower() in {"1", "true", "yes"}


def if_match(request: Request) -> int:
    """The version named by ``If-Match``; 428 without one (a write must say what it read)."""
    given = request.headers.get("If-Match")
    if not given:
        raise PreconditionRequired()
    found = _TAG.match(given)
    if found is None:
        raise PreconditionFailed(detail=None)
    return int(found.group(1))


def require_version(
    request: Request, version: int, current: Callable[[], Mapping[str, Any]]
) -> int:
    """The ``If-Match`` version if it is ``version`` (the one saved now); else 412 with
    ``current()``, the values saved now, as the endpoint shows them."""
    expected = if_match(request)
    if expected != version:
        raise PreconditionFailed(current=current())
    return expected


def renamed(error: ApplicationError, names: Mapping[str, str]) -> ApplicationError:
    """``error`` (or each of ``ApplicationErrors``) with its ``where.field`` named as the API
    names it (``names``: the service's name → the API's)."""
    if isinstance(error, ApplicationErrors):
        return ApplicationErrors([renamed(item, names) for item in error.errors])
    field = error.where.field
    if field is None or field not in names:
        return error
    where = Where(
        field=names[field], sheet=error.where.sheet, row=error.where.row, column=error.where.column
    )
    copy = ApplicationError(error.code, error.message, where, error.detail)
    for extra in ("differences", "line"):  # a conflict's members, kept
        if hasattr(error, extra):
            setattr(copy, extra, getattr(error, extra))
    return copy
