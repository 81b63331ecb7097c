"""What the findings endpoints share: the plan by UUID through the user's selector, the
services called with their problems named as the API names the fields, the plan's proposals
named by UUID, the answer of a dry run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kehoach.api.writes import renamed
from kehoach.core.errors import ApplicationError
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.selectors import plan_get_for_user

from ..common import uid_param

FIELD_NAMES = {"sector": "sector_code", "line": "line_uid"}
"""The services' field names → the API's (for the problems' ``where.field``)."""

DRY_RUN_ANSWER = inline_serializer(
    "FindingDryRun",
    {
        "dry_run": serializers.BooleanField(),
        "would_save": serializers.BooleanField(
            help_text="Mọi kiểm tra đều đạt — every check passed"
        ),
    },
)


def plan_of(request: Request, kwargs: dict[str, Any]) -> VillagePlan:
    return plan_get_for_user(user=request.user, uid=uid_param(kwargs))


def dry_run_answer() -> Response:
    return Response({"dry_run": True, "would_save": True})


def service(call: Any, **arguments: Any) -> Any:
    """Call a service (or its check); its problems named as the API names the fields."""
    try:
        return call(**arguments)
    except ApplicationError as error:
        raise renamed(error, FIELD_NAMES) from error


def line_keys(plan: VillagePlan, uids: Iterable[Any]) -> dict[str, int]:
    """The primary keys of the proposals named by UUID, in one query. A UUID of no proposal
    stays a UUID, which the service refuses in its own words (not one of the plan's)."""
    wanted = {str(uid) for uid in uids if uid is not None}
    if not wanted:
        return {}
    rows = ProposalLine.objects.filter(uid__in=wanted).values_list("uid", "pk")
    return {str(uid): pk for uid, pk in rows}


def line_ref(keys: dict[str, int], uid: Any) -> Any:
    return None if uid is None else keys.get(str(uid), str(uid))
