"""What the read endpoints share: cursor pagination whose order each view names."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from kehoach.core.errors import NotFoundError


class CursorPage(CursorPagination):
    """Cursor pagination (the skeleton's default) in the order the view names in
    ``cursor_ordering`` — its first field positions the cursor, the others break ties —
    with ``page_size`` (1–500) chosen by the client."""

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering: Any = ("created_at",)

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        return tuple(getattr(view, "cursor_ordering", self.ordering))


def bilingual(vietnamese: str, english: str) -> str:
    """A schema text in the form every description of the API takes: "Tiếng Việt — English"."""
    return f"{vietnamese} — {english}"


def uid_param(kwargs: dict[str, Any], name: str = "uid") -> uuid.UUID:
    """The UUID in the address; anything else is not found (404), like another unit's."""
    try:
        return uuid.UUID(str(kwargs[name]))
    except (KeyError, ValueError):
        raise NotFoundError() from None
