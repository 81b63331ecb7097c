"""The query parameters of the list endpoints, read and checked in one place.

Each reader returns the value (``None`` when the parameter is absent or empty) or raises
``ApplicationError`` with ``where.field`` naming the parameter, which the problem handler
answers 400. A unit code is looked up among the user's units only: a code that does not exist
and one of another province are refused alike (``unit_unknown``), so a filter never tells
whether a unit the user may not see exists, and answered 404 like an object of another unit
(a malformed code is 400). The ``OpenApiParameter`` of each one is here too, with the bounds
the reader checks,
so that the schema and the reader cannot drift apart.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.geo.models import AdministrativeUnit
from kehoach.geo.selectors import unit_get_for_user

YEAR_MIN, YEAR_MAX = 2000, 2100
LEVEL_MIN, LEVEL_MAX = 1, 4
UNIT_CODE_PATTERN = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
UNIT_CODE_MAX = 32
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN)


def _text(request: Request, name: str) -> str:
    # a NUL character is no text a database accepts: dropped, like surrounding spaces
    return str(request.query_params.get(name, "") or "").replace("\x00", "").strip()


def _refuse(code: str, message: str, name: str) -> ApplicationError:
    return ApplicationError(code=code, message=message, where=Where(field=name))


def year_param(request: Request, name: str = "year") -> int | None:
    """A plan year, 2000–2100."""
    text = _text(request, name)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise _refuse(
            "year_invalid",
            _("Enter a plan year from %(min)d to %(max)d, for example 2027.")
            % {"min": YEAR_MIN, "max": YEAR_MAX},
            name,
        )
    return int(text)


def level_param(request: Request, name: str = "level") -> int | None:
    """An administrative level: 1 province, 2 former district, 3 commune, 4 village."""
    text = _text(request, name)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not LEVEL_MIN <= int(text) <= LEVEL_MAX:
        raise _refuse(
            "level_invalid",
            _("Enter a level from 1 to 4: 1 province, 2 former district, 3 commune, 4 village."),
            name,
        )
    return int(text)


def unit_param(request: Request, name: str) -> AdministrativeUnit | None:
    """A unit among the user's units, by its public code; ``NotFoundError`` (404) when there
    is none among them, ``unit_code_invalid`` (400) when the text cannot be a code."""
    code = _text(request, name)
    if not code:
        return None
    if len(code) > UNIT_CODE_MAX or not _UNIT_CODE.match(code):
        raise _refuse(
            "unit_code_invalid",
            _(
                "A unit code has only letters without diacritics, digits and hyphens, for "
                "example 19702 or 19702-001."
            ),
            name,
        )
    try:
        return unit_get_for_user(user=request.user, code=code)
    except NotFoundError:
        raise NotFoundError(
            _("There is no unit with the code “%(code)s” among your units.") % {"code": code}
        ) from None


def number_param(request: Request, name: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``."""
    text = _text(request, name)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise _refuse(
            f"{name}_invalid",
            _("Enter a whole number from %(min)d to %(max)d.") % {"min": low, "max": high},
            name,
        )
    return int(text)


def no_published_unit_message(code: str) -> str:
    return _(
        "There is no province, former district or commune with the code “%(code)s” that has "
        "a published plan."
    ) % {"code": code}


def choice_param(request: Request, name: str, choices: Any) -> str | None:
    """One of the values of a ``TextChoices``."""
    text = _text(request, name)
    if not text:
        return None
    if text not in choices.values:
        raise _refuse(
            f"{name}_invalid",
            _("“%(value)s” is not a valid value. Use one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)},
            name,
        )
    return text


def since_param(request: Request, name: str = "updated_since") -> datetime.datetime | None:
    """A moment: an ISO 8601 date and time (with or without an offset, Vietnam's time when
    without) or a date alone (its first moment)."""
    text = _text(request, name)
    if not text:
        return None
    try:
        # an unencoded "+07:00" in a query string arrives as " 07:00"
        moment = parse_datetime(text) or parse_datetime(text.replace(" ", "+"))
        if moment is None:
            day = parse_date(text)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise _refuse(
            f"{name}_invalid",
            _(
                "Enter a date or a date and time in ISO 8601, for example 2027-01-31 or "
                "2027-01-31T18:00:00+07:00."
            ),
            name,
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # within a day of year 1 or 9999: as early or late as can be
        edge = datetime.datetime.max if moment.year > 1 else datetime.datetime.min
        return edge.replace(tzinfo=datetime.UTC)


def search_param(request: Request, name: str = "q") -> str:
    return _text(request, name)


# --- the parameters as the schema documents them ----------------------------------------------

YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
    description="Năm kế hoạch (2000–2100) — plan year (2000–2100).",
)
UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=(
        "Chỉ những gì thay đổi từ thời điểm này (ISO 8601; chỉ có ngày: từ đầu ngày) — only "
        "what changed since this moment (ISO 8601; a date alone: from its start), for "
        "incremental sync."
    ),
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": 500},
    description="Số mục mỗi trang (1–500, mặc định 50) — items per page (1–500, default 50).",
)


def unit_code_parameter(name: str, description: str) -> OpenApiParameter:
    """A unit code in a query: a code not among the user's units answers 404."""
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": UNIT_CODE_PATTERN, "maxLength": UNIT_CODE_MAX},
        description=description,
    )


def unit_subtree_parameter(name: str = "unit") -> OpenApiParameter:
    return unit_code_parameter(
        name,
        "Mã đơn vị hành chính: chỉ đơn vị này và các đơn vị trực thuộc (không thuộc đơn vị "
        "của bạn: 404) — official unit code: only this unit and the units below it (not in "
        "your units: 404).",
    )


def status_parameter(
    choices: Any, name: str = "status", description: str = "Trạng thái — status."
) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, enum=list(choices.values), description=description
    )


def plans_narrowed(
    request: Request, plans: QuerySet[Any], *, unit_path: str, statuses: Any
) -> QuerySet[Any]:
    """A list of plans (village or commune) narrowed by the query's ``unit`` (a subtree: the
    plans whose unit's path, the lookup ``unit_path``, starts with the unit's), ``year``,
    ``status`` (one of ``statuses``) and ``updated_since``."""
    unit = unit_param(request, "unit")
    if unit is not None:
        plans = plans.filter(**{f"{unit_path}__startswith": unit.path})
    year = year_param(request)
    if year is not None:
        plans = plans.filter(round__plan_year=year)
    status = choice_param(request, "status", statuses)
    if status is not None:
        plans = plans.filter(status=status)
    since = since_param(request)
    if since is not None:
        plans = plans.filter(updated_at__gte=since)
    return plans


def plan_list_parameters(statuses: Any) -> list[OpenApiParameter]:
    """The parameters ``plans_narrowed`` reads, and the page size."""
    return [unit_subtree_parameter(), YEAR, status_parameter(statuses), UPDATED_SINCE, PAGE_SIZE]
