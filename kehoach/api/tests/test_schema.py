"""The committed schema (docs/api/openapi.yaml) is the schema of the code, and every operation
documents its errors as problem details."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import yaml
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.yaml"


def generated() -> str:
    """What `make api-schema` writes, generated in memory (same command, same options)."""
    out = io.StringIO()
    call_command("spectacular", "--validate", "--lang", "en", stdout=out)
    return out.getvalue()


def test_the_committed_schema_is_the_schema_of_the_code() -> None:
    fresh, committed = generated(), COMMITTED.read_text(encoding="utf-8")
    if fresh.strip() != committed.strip():
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "docs/api/openapi.yaml (committed)",
                    "the schema of the code",
                )
            )[:60]
        )
        raise AssertionError(
            "docs/api/openapi.yaml differs from the API of the code: run `make api-schema` and "
            f"commit the file.\n{diff}"
        )


def test_every_operation_answers_its_errors_as_problems() -> None:
    schema = yaml.safe_load(generated())
    assert "Problem" in schema["components"]["schemas"]
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert operations
    for path, method, operation in operations:
        for status in ("400", "401", "403", "404", "429", "default"):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content or "application/json" in content, (
                f"{method.upper()} {path} {status}"
            )
        if method != "get":
            assert "412" in operation["responses"], f"{method.upper()} {path}"


def test_the_schema_has_the_bearer_token_and_a_bilingual_description() -> None:
    schema = yaml.safe_load(generated())
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert " — " in schema["info"]["description"]
