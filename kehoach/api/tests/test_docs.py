"""The API documentation pages: vendored Swagger UI and Redoc, no CDN, no inline script."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from kehoach.core import csp

pytestmark = pytest.mark.django_db

VENDORED = [
    "vendor/swagger-ui/swagger-ui-bundle.js",
    "vendor/swagger-ui/swagger-ui.css",
    "vendor/swagger-ui/LICENSE",
    "vendor/swagger-ui/VERSION",
    "vendor/redoc/redoc.standalone.js",
    "vendor/redoc/LICENSE",
    "vendor/redoc/VERSION",
    "js/api-docs.js",
]


@pytest.mark.parametrize("name", VENDORED)
def test_the_files_are_vendored(name: str) -> None:
    assert finders.find(name), name


@pytest.mark.parametrize(
    ("url", "bundle"),
    [
        ("/api/v1/docs/", "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/api/v1/docs/redoc/", "/static/vendor/redoc/redoc.standalone.js"),
    ],
)
def test_a_docs_page_loads_the_vendored_bundle_and_no_other_site(
    client: Client, url: str, bundle: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<script src="{bundle}" defer></script>' in html
    assert '<script src="/static/js/api-docs.js" defer></script>' in html
    assert 'data-schema-url="/api/v1/schema/?format=json"' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "a file from another site"
    assert not re.search(r"<script>|<script [^>]*>[^<]", html), "an inline script"


def test_swagger_ui_runs_under_the_strict_policy(client: Client) -> None:
    assert client.get("/api/v1/docs/")[csp.HEADER] == csp.POLICY


def test_redoc_alone_may_add_styles_and_a_blob_worker(client: Client) -> None:
    policy = dict(
        [*part.split(" ", 1), ""][:2]
        for part in client.get("/api/v1/docs/redoc/")[csp.HEADER].split("; ")
    )
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["worker-src"] == "'self' blob:"
    assert policy["script-src"] == "'self'"  # still no inline script, no eval
    assert policy["connect-src"] == "'self'"


def test_the_schema_the_pages_load_is_json(client: Client) -> None:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "kehoach API"
