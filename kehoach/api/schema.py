"""What drf-spectacular adds to every operation of the schema (docs/api/openapi.yaml).

``AutoSchema`` (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) documents the problem answers of
every endpoint once, here, instead of in each ``extend_schema``: 400, 401, 403, 404 and 429 on
every operation, 409, 412, 415 and 428 on the writes, and ``default`` for anything else (405, 406,
500), all ``application/problem+json`` with the ``Problem`` component (kehoach.api.problems).
An endpoint that documents one of these statuses itself keeps its own.

``BearerTokenScheme`` names the personal access token (``Authorization: Bearer``) in the
schema's security schemes; importing this module (as the schema class) registers it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .problems import MEDIA_TYPE
from .serializers.problems import ProblemSerializer

EVERY_OPERATION = ("400", "401", "403", "404", "429")
WRITES = ("409", "412", "415", "428")
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DESCRIPTIONS = {
    "400": "Yêu cầu có lỗi (mã, trường, dòng) — the request has problems (code, field, line)",
    "401": "Chưa xác thực: thiếu khóa, khóa sai, đã thu hồi hoặc hết hạn — not authenticated",
    "403": "Không được phép — not allowed",
    "404": "Không có, hoặc không thuộc đơn vị của bạn — not found, or not in your units",
    "409": "Một lần ghi khác đang giữ dữ liệu; gửi lại — another write holds the data; retry",
    "412": "Đã có người lưu sau khi bạn đọc (If-Match cũ) — changed since you read it",
    "415": "Chỉ nhận JSON — JSON bodies only",
    "428": "Thiếu If-Match (phiên bản đã đọc) — If-Match (the version read) is required",
    "429": "Quá nhiều yêu cầu; chờ theo Retry-After — too many requests; wait Retry-After",
    "default": "Lỗi khác (405, 406, 500) — any other error",
}


# The integer ranges a database backend gives model fields (SQLite: 64 bits for every integer
# field; PostgreSQL: the column's size). They are the storage's, not the API's, and would make
# the schema differ between the two databases the suite runs on: left out of the schema.
BACKEND_MAXIMA = {32767, 2147483647, 9223372036854775807}
BACKEND_MINIMA = {-32768, -2147483648, -9223372036854775808}


def _without_backend_range(schema: Any) -> Any:
    if isinstance(schema, dict) and schema.get("type") == "integer":
        if schema.get("maximum") in BACKEND_MAXIMA:
            del schema["maximum"]
            if schema.get("format") == "int64":
                del schema["format"]
        if schema.get("minimum") in BACKEND_MINIMA:
            del schema["minimum"]
    return schema


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        return _without_backend_range(
            super()._map_serializer_field(field, direction, bypass_extensions)
        )

    def _insert_field_validators(self, field: Any, schema: Any) -> None:
        super()._insert_field_validators(field, schema)
        _without_backend_range(schema)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        statuses = [*EVERY_OPERATION]
        if self.method in UNSAFE_METHODS:
            statuses += WRITES
        for status in [*statuses, "default"]:
            if status not in responses:
                response = self._get_response_for_code(
                    ProblemSerializer, status, media_types=[MEDIA_TYPE], direction=direction
                )
                responses[status] = {**response, "description": DESCRIPTIONS[status]}
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kehoach.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Khóa truy cập cá nhân, tạo ở trang tài khoản: Authorization: Bearer <khóa>. — "
                "A personal access token from the account page: Authorization: Bearer <token>."
            ),
        }
