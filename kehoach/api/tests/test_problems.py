"""Every error of the API is an RFC 9457 problem (kehoach.api.problems)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import OperationalError
from django.http import Http404
from django.test import Client
from django.utils import translation
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from kehoach.api.problems import MEDIA_TYPE, PreconditionFailed
from kehoach.core.errors import (
    ApplicationError,
    ApplicationErrors,
    NotFoundError,
    PermissionDeniedError,
    Where,
)


class Raises(APIView):
    """An endpoint that raises what it is given, through DRF's own exception handling."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    error: Exception = RuntimeError()

    def get(self, request: Request) -> Response:
        raise self.error


def answer(error: Exception) -> tuple[int, dict[str, Any], Any]:
    response = Raises.as_view(error=error)(APIRequestFactory().get("/api/v1/x/"))
    response.render()
    assert response["Content-Type"] == MEDIA_TYPE
    return response.status_code, json.loads(response.content), response


def test_an_application_error_is_a_400_problem_with_its_code_and_where() -> None:
    status, body, _ = answer(
        ApplicationError("priority_invalid", "Mức ưu tiên phải là 1, 2 hoặc 3.", Where("priority"))
    )
    assert status == 400
    assert body == {
        "type": "https://kehoach.vn/problems/priority_invalid",
        "title": "Yêu cầu bị từ chối",
        "status": 400,
        "detail": "Mức ưu tiên phải là 1, 2 hoặc 3.",
        "code": "priority_invalid",
        "where": {"field": "priority"},
    }


def test_several_errors_are_listed_each_with_its_where() -> None:
    status, body, _ = answer(
        ApplicationErrors(
            [
                ApplicationError("a", "Lỗi một.", Where(field="cost", row=3)),
                ApplicationError("b", "Lỗi hai.", Where(sheet="F5", row=9, column="D")),
            ]
        )
    )
    assert status == 400
    assert body["code"] == "invalid"
    assert body["detail"] == "Yêu cầu có 2 lỗi; từng lỗi được liệt kê trong errors."
    assert body["errors"] == [
        {"code": "a", "detail": "Lỗi một.", "where": {"field": "cost", "line": 3}},
        {"code": "b", "detail": "Lỗi hai.", "where": {"line": 9, "sheet": "F5", "column": "D"}},
    ]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFoundError(), 404, "not_found"),
        (Http404(), 404, "not_found"),
        (PermissionDeniedError("Không được duyệt kế hoạch này."), 403, "permission_denied"),
        (ApplicationError("conflict", "Người khác đã lưu trước."), 412, "conflict"),
        (OperationalError("database is locked"), 409, "write_conflict"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.NotAcceptable(), 406, "not_acceptable"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
    ],
)
def test_each_refusal_has_its_status_and_code(error: Exception, status: int, code: str) -> None:
    got, body, _ = answer(error)
    assert (got, body["status"], body["code"]) == (status, status, code)
    assert body["type"] == f"https://kehoach.vn/problems/{code}"
    assert body["title"] and body["detail"]


def test_a_not_found_says_the_same_for_a_missing_and_a_forbidden_object() -> None:
    assert answer(NotFoundError())[1] == answer(Http404("plan 12 belongs to another unit"))[1]


def test_401_names_the_bearer_scheme() -> None:
    _, _, response = answer(exceptions.NotAuthenticated())
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_429_says_when_to_come_back() -> None:
    status, body, response = answer(exceptions.Throttled(wait=29.2))
    assert (status, response["Retry-After"]) == (429, "30")
    assert body["detail"] == "Quá nhiều yêu cầu với khóa này. Hãy thử lại sau 30 giây."


def test_a_stale_write_carries_the_current_values() -> None:
    status, body, _ = answer(PreconditionFailed(current={"version": 4, "amount_mvnd": "12.5"}))
    assert (status, body["code"], body["current"]) == (
        412,
        "conflict",
        {"version": 4, "amount_mvnd": "12.5"},
    )


def test_a_validation_error_has_one_entry_per_field_with_the_line_of_a_batch() -> None:
    status, body, _ = answer(
        exceptions.ValidationError(
            {"name": ["This field is required."], "lines": [{}, {"cost": ["Bad cost."]}]}
        )
    )
    assert (status, body["code"]) == (400, "invalid")
    assert body["errors"] == [
        {"code": "invalid", "detail": "This field is required.", "where": {"field": "name"}},
        {"code": "invalid", "detail": "Bad cost.", "where": {"field": "lines.cost", "line": 2}},
    ]


def test_a_single_validation_error_is_the_problem_itself() -> None:
    status, body, _ = answer(exceptions.ValidationError({"year": ["Năm không hợp lệ."]}))
    assert (status, body["detail"], body["where"]) == (400, "Năm không hợp lệ.", {"field": "year"})


def test_a_server_error_shows_no_internals() -> None:
    status, body, _ = answer(RuntimeError("password=hunter2 at /srv/kehoach/secret.py line 3"))
    assert (status, body["code"]) == (500, "server_error")
    assert "hunter2" not in json.dumps(body) and "secret.py" not in json.dumps(body)


@pytest.mark.django_db
def test_the_language_follows_accept_language(client: Client) -> None:
    vietnamese = client.get("/api/v1/me/")
    english = client.get("/api/v1/me/", headers={"Accept-Language": "en"})
    assert vietnamese.status_code == english.status_code == 401
    assert vietnamese["Content-Type"] == english["Content-Type"] == MEDIA_TYPE
    assert vietnamese.json()["title"] == "Cần xác thực"
    assert english.json()["title"] == "Authentication required"
    assert english.json()["detail"].startswith("Sign in or send a personal access token")
    assert vietnamese.json()["detail"].startswith("Hãy đăng nhập hoặc gửi khóa truy cập")


@pytest.mark.django_db
def test_drf_refusals_through_the_real_stack(client: Client) -> None:
    with translation.override("en"):
        wrong_method = client.delete("/api/v1/schema/", headers={"Accept-Language": "en"})
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert wrong_method.json()["detail"] == "This address does not accept the method DELETE."
    bad_token = client.get("/api/v1/me/", headers={"Authorization": "Bearer kh_nonsense"})
    assert bad_token.status_code == 401
    assert bad_token["WWW-Authenticate"].startswith("Bearer")
    assert bad_token.json()["type"].startswith("https://kehoach.vn/problems/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-endpoint/", "/api/v1/commune-plans/%0F/", "/api/v2/"]
)
def test_a_path_no_endpoint_answers_is_a_problem_too(client: Client, path: str) -> None:
    response = client.get(path)
    assert (response.status_code, response["Content-Type"]) == (404, MEDIA_TYPE)
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_the_pages_keep_their_404_page(client: Client) -> None:
    response = client.get("/no-such-page/%0F/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
