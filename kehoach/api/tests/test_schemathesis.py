"""schemathesis against the live schema (issue 17): every operation of /api/v1/, called through
the WSGI application with the token of a commune planner on demo-like data, answers no 5xx and
only what the schema documents (status, content type, body, headers). Bounded: a few examples
per operation, no deadline (speed is `make bench`'s business)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.models import ProposalLine
from kehoach.plans.tests.factories import line, village_plan


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    """The schema the application serves, its operations called through the same application.
    As Django's test client does, the connection stays open between requests (Django closes it
    at the end of each one, which would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def planner_token(db: None) -> str:
    """A commune planner of Hải Lăng with a plan of a village there, and another commune's plan
    (Đồng Hới) that must stay out of reach."""
    line(village_plan())
    dong_hoi()
    planner = commune_planner(hai_lang(), username="xa.hailang.api")
    _, secret = token_create(
        user=planner, name="schemathesis", scope=ApiTokenScope.READ_WRITE, expires_at=None
    )
    return secret


def test_every_operation_answers_as_documented(api_schema: Any, planner_token: str) -> None:
    """Each operation runs on its own (a few generated requests), and every operation that
    fails is named with the first failure schemathesis found."""
    # identity: the WSGI transport hands schemathesis the body as sent, and the site gzips
    headers = {"Authorization": f"Bearer {planner_token}", "Accept-Encoding": "identity"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            # a body of the schema's shape may still break a service's rule (a round that
            # exists, a negative count): 400 with its code is the API's design, as below
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # one failure must not hide another
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


# --- stateful: proposal lines created, read, changed and deleted by the uids the API gives --------

LINE = {
    "sector_code": "HT-GT",
    "activity": "Bê tông hóa đường thôn",
    "unit_of_measure_code": "km",
    "quantity": "1.2",
    "start_month": "2027-03-01",
    "end_month": "2027-06-01",
    "total_cost_mvnd": "100",
    "contribution_mvnd": "30",
    "external_support_mvnd": "70",
    "beneficiary_households": 80,
    "priority": 1,
}
EXACT = {"x-schemathesis": {"merge_body": False}}
"""A link's body sent as written (a valid line, a valid change), not merged with generated data."""
PLANS = "/api/v1/village-plans/"
LINES = "/api/v1/village-plans/{uid}/lines/"
ONE_LINE = "/api/v1/village-plans/{uid}/lines/{line_uid}/"


def _one_line_links(plan: str, line: str, etag: str | None) -> dict[str, Any]:
    """Links to read, change and delete one proposal line, from an answer that names it; the
    change and the delete send the ETag the answer gave (a read or a write) as If-Match."""
    where = {"path.uid": plan, "path.line_uid": line}
    guarded = {**where, "header.If-Match": etag} if etag else where
    return {
        "ReadLine": {"operationId": "village_plans_lines_retrieve", "parameters": where},
        "ChangeLine": {
            "operationId": "village_plans_lines_partial_update",
            "parameters": guarded,
            "requestBody": {"priority": 2, "location": "Xóm Dưới"},
            **EXACT,
        },
        "DeleteLine": {"operationId": "village_plans_lines_destroy", "parameters": guarded},
    }


LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    (PLANS, "get", "200"): {
        "PlanLines": {
            "operationId": "village_plans_lines_list",
            "parameters": {"path.uid": "$response.body#/results/0/uid"},
        },
        "AddLine": {
            "operationId": "village_plans_lines_create",
            "parameters": {"path.uid": "$response.body#/results/0/uid"},
            "requestBody": LINE,
            **EXACT,
        },
    },
    (LINES, "get", "200"): _one_line_links(
        "$request.path.uid", "$response.body#/results/0/uid", None
    ),
    (LINES, "post", "201"): _one_line_links(
        "$request.path.uid", "$response.body#/uid", "$response.header.ETag"
    ),
    (ONE_LINE, "get", "200"): _one_line_links(
        "$request.path.uid", "$request.path.line_uid", "$response.header.ETag"
    ),
    (ONE_LINE, "patch", "200"): _one_line_links(
        "$request.path.uid", "$request.path.line_uid", "$response.header.ETag"
    ),
}
"""The OpenAPI links drf-spectacular cannot emit, added to the served schema here: a planner's
plan (the list) → its lines and a new line → the line by the uid the API answered → its change
and deletion with the ETag it answered."""


def linked_schema(served: Any) -> Any:
    """The served schema restricted to the proposal lines' operations, with ``LINKS``, its
    operations called through the same application."""
    raw = copy.deepcopy(served.raw_schema)
    raw["paths"] = {path: raw["paths"][path] for path in (PLANS, LINES, ONE_LINE)}
    for (path, method, status), links in LINKS.items():
        raw["paths"][path][method]["responses"][status]["links"] = links
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = served.app
    return schema


def test_proposal_lines_statefully(api_schema: Any, planner_token: str) -> None:
    """Sequences of calls that follow the links — list the plans, add a line, read it, change it
    with its ETag, delete it — answer no 5xx and only what the schema documents. Bounded: a
    few scenarios of a few steps."""
    village_plan_line = ProposalLine.objects.filter(plan__village__parent=hai_lang()).first()
    assert village_plan_line is not None  # the list link has a line to follow
    schema = linked_schema(api_schema)
    # the token as configured headers: explicit credentials, as the stateless test's are
    schema.config.update(
        headers={"Authorization": f"Bearer {planner_token}", "Accept-Encoding": "identity"}
    )
    # valid requests only, as the stateless test's strategies: the sequences are the point here
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    # a body of the schema's shape may break a rule of the line's validator (a negative count,
    # the cost identity, an unknown catalogue code): 400 with its code is the API's design
    # (the input serializers only parse JSON), not a schema violation
    schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    # the links above only, none guessed from the schema's names
    schema.config.phases.stateful.inference.algorithms = []
    answered: set[tuple[str, str, int]] = set()

    class Lines(schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            answered.add((case.method.upper(), case.operation.path, response.status_code))

    Lines.run(
        settings=settings(
            max_examples=12,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # the links were followed: a line added, then read, changed and deleted by its uid and ETag
    reached = {(method, path) for method, path, status in answered if status < 300}
    assert {("POST", LINES), ("GET", ONE_LINE), ("PATCH", ONE_LINE), ("DELETE", ONE_LINE)} <= (
        reached
    ), "\n".join(map(str, sorted(answered)))


def test_a_line_out_of_bounds_without_its_other_columns_is_a_400_not_a_500(
    planner_token: str,
) -> None:
    """What the stateful run found: a body of only an out-of-range count (no sector, no
    activity) made the line's validator fail on the columns it lacked."""
    line = ProposalLine.objects.filter(plan__village__parent=hai_lang()).first()
    assert line is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {planner_token}")
    answer = client.post(
        f"/api/v1/village-plans/{line.plan.uid}/lines/",
        {"beneficiary_households": -41004707197080, "contribution_cash_mvnd": ""},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "value_negative"
