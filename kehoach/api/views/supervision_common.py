"""What the supervision views of the API share (F17): the work, its board and the body of a
write named by the URL, the request's fields parsed, and a write or its dry run — the service's
``…_check`` function, the same checks writing and locking nothing — with the services' refusals
naming the fields as the API names them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.writes import is_dry_run, renamed
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.monitoring.models import SupervisionBoard
from kehoach.synthesis.models import CommuneLine, CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .common import uid_param

NAMES = {"village": "village_code"}
DRY_RUN_OUTPUT = inline_serializer(
    "SupervisionDryRunOutput", {"dry_run": serializers.BooleanField()}
)


def plan_of(request: Request, kwargs: dict[str, Any]) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def work_of(request: Request, kwargs: dict[str, Any]) -> CommuneLine:
    plan = plan_of(request, kwargs)
    line = CommuneLine.objects.filter(plan=plan, uid=uid_param(kwargs, "line_uid")).first()
    if line is None:
        raise NotFoundError()
    return line


def board_of(request: Request, kwargs: dict[str, Any]) -> SupervisionBoard:
    board = SupervisionBoard.objects.filter(line=work_of(request, kwargs)).first()
    if board is None:
        raise NotFoundError()
    return board


def parsed(kind: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    given = kind(data=request.data)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def written(request: Request, check: Callable[[], Any], write: Callable[[], Any]) -> Any:
    """``check()`` on a dry run (answered ``None``), else ``write()``; the services' refusals
    with their fields named as the API names them."""
    try:
        if is_dry_run(request):
            check()
            return None
        return write()
    except ApplicationError as error:
        raise renamed(error, NAMES) from error


def dry() -> Response:
    return Response({"dry_run": True})
