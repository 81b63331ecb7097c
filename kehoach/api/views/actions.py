"""The workflow actions of plans through the API (issue 17):
``POST /village-plans/<uid>/actions/<name>/`` and ``POST /commune-plans/<uid>/actions/<name>/``.

Each action is the very service call of the page's button — ``plans.services.workflow``
(``plan_transition``, ``plan_accept_meeting``) and ``synthesis.services.workflow``
(``commune_plan_transition``, ``commune_plan_approve``) — so the rules, the refusals (their
codes and messages), the status-change and audit rows are the page's; the history rows say
they came through the API. Every action names the plan's version it read in ``If-Match`` (the
ETag of ``GET …/<uid>/``: ``plan_version``), checked under the plan's row lock before the
service runs: 428 without it, 412 with the plan as it is now when it is older.
``?dry_run=1`` asks the services' check functions (``plan_transition_check`` …: the table's
permission and state, the step's precondition, the comment, the resolution), which read only.
The steps themselves are the tables of ``action_steps``.

An action not in the table of this plan's process profile is the workflow's own refusal (400,
``transition_unknown``); a name no plan has answers 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kehoach.api.serializers.actions import DryRunStepOutput, plan_version
from kehoach.api.serializers.plans import VillagePlanDetailOutput
from kehoach.api.serializers.synthesis import CommunePlanOutput
from kehoach.api.writes import DRY_RUN, IF_MATCH, etag, is_dry_run, require_version
from kehoach.core.errors import NotFoundError
from kehoach.plans.models import VillagePlan
from kehoach.plans.selectors import plan_get_for_user
from kehoach.synthesis.models import CommunePlan
from kehoach.synthesis.selectors import commune_plan_get_for_user

from .action_steps import COMMUNE_STEPS, VILLAGE_STEPS, Step
from .common import bilingual, uid_param
from .village_plans import village_plan_shown


@dataclass(frozen=True)
class Kind:
    segment: str  # "village-plans"
    operation: str  # "village_plans"
    model: type[Any]
    get: Callable[[Any, Any], Any]  # (user, uid) → the plan, or 404
    shown: Callable[[Any, dict[str, Any]], dict[str, Any]]
    output: PolymorphicProxySerializer


def _commune_plan_shown(plan: CommunePlan, context: dict[str, Any]) -> dict[str, Any]:
    return dict(CommunePlanOutput(plan, context=context).data)


def _output(name: str, plan: type[serializers.Serializer[Any]]) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[plan, DryRunStepOutput],
        resource_type_field_name=None,
    )


VILLAGE = Kind(
    "village-plans",
    "village_plans",
    VillagePlan,
    lambda user, uid: plan_get_for_user(user=user, uid=uid),
    village_plan_shown,
    _output("VillagePlanActionOutput", VillagePlanDetailOutput),
)
COMMUNE = Kind(
    "commune-plans",
    "commune_plans",
    CommunePlan,
    lambda user, uid: commune_plan_get_for_user(user=user, uid=uid),
    _commune_plan_shown,
    _output("CommunePlanActionOutput", CommunePlanOutput),
)


# --- the endpoints ----------------------------------------------------------------------------


class PlanAction(APIView):
    """One action of one kind of plan (a subclass per action: each has its own schema)."""

    kind: Kind
    step: Step

    def _context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self}

    def _shown(self, plan: Any) -> dict[str, Any]:
        return self.kind.shown(plan, self._context())

    def act(self, request: Request) -> Response:
        plan = self.kind.get(request.user, uid_param(self.kwargs))
        if is_dry_run(request):
            require_version(request, plan_version(plan), lambda: self._shown(plan))
            body = self._body(request)
            return Response({"dry_run": True, "to": self.step.check(request.user, plan, body)})
        with transaction.atomic():
            locked = self.kind.model.objects.select_for_update().get(pk=plan.pk)
            require_version(request, plan_version(locked), lambda: self._shown(locked))
            body = self._body(request)
            self.step.apply(request.user, plan, body)
        done = self.kind.get(request.user, plan.uid)
        return Response(self._shown(done), headers={"ETag": etag(plan_version(done))})

    def _body(self, request: Request) -> dict[str, Any]:
        given = self.step.body(data=request.data)
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)


def _view(kind: Kind, step: Step) -> type[PlanAction]:
    examples = (
        [OpenApiExample(step.summary[0], value=dict(step.example), request_only=True)]
        if step.example is not None
        else []
    )

    @extend_schema(
        operation_id=f"{kind.operation}_actions_{step.name.replace('-', '_')}",
        summary=bilingual(*step.summary),
        description=bilingual(
            f"{step.description[0]} If-Match bắt buộc (ETag của kế hoạch); ?dry_run=1 chỉ "
            "kiểm tra và trả lời trạng thái sẽ có (to).",
            f"{step.description[1]} If-Match is required (the plan's ETag); ?dry_run=1 only "
            "checks and answers the status it would have (to).",
        ),
        request=step.body,
        parameters=[IF_MATCH, DRY_RUN],
        responses={200: kind.output},
        examples=examples,
    )
    def post(self: PlanAction, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.act(request)

    name = "".join(part.title() for part in (kind.operation, step.name.replace("-", "_")))
    return type(
        f"{name.replace('_', '')}Action", (PlanAction,), {"kind": kind, "step": step, "post": post}
    )


class UnknownAction(APIView):
    """An action name no plan has: 404 (outside the schema: the known ones are listed)."""

    @extend_schema(exclude=True)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFoundError()


def url_patterns() -> list[Any]:
    """The addresses of every action, then the one that answers 404 to any other name."""
    from django.urls import path

    found = [
        path(
            f"{kind.segment}/<str:uid>/actions/{step.name}/",
            _view(kind, step).as_view(),
            name=f"{kind.segment[:-1]}-action-{step.name}",
        )
        for kind, steps in ((VILLAGE, VILLAGE_STEPS), (COMMUNE, COMMUNE_STEPS))
        for step in steps
    ]
    found += [
        path(
            f"{kind.segment}/<str:uid>/actions/<str:name>/",
            UnknownAction.as_view(),
            name=f"{kind.segment[:-1]}-action-unknown",
        )
        for kind in (VILLAGE, COMMUNE)
    ]
    return found
