"""schemathesis against the live schema (issue 17): every operation of /api/v1/, called through
the WSGI application with the token of a commune planner on demo-like data, answers no 5xx and
only what the schema documents (status, content type, body, headers). Bounded: a few examples
per operation, no deadline (speed is `make bench`'s business)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from kehoach.accounts.models import ApiTokenScope
from kehoach.accounts.tests.factories import commune_planner
from kehoach.accounts.tokens import token_create
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.plans.tests.factories import village_plan


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
    village_plan()
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
            case.call_and_validate(headers=headers)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # one failure must not hide another
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
