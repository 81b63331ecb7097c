"""The API documentation pages: Swagger UI (``/api/v1/docs/``) and Redoc
(``/api/v1/docs/redoc/``), from files vendored under ``static/vendor/`` (no CDN), started by
``static/js/api-docs.js`` on the live schema (``/api/v1/schema/``).

Swagger UI runs under the site's strict policy. Redoc does not: it writes its styles into
``<style>`` elements (styled-components) and runs its search in a worker made from a ``blob:``
URL, so its page alone gets the site's policy with ``style-src 'unsafe-inline'`` and
``worker-src blob:`` added. The page shows only the schema, which is public (it is committed
at docs/api/openapi.yaml), and still runs no inline script.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehoach.core import csp

REDOC_POLICY = "; ".join(
    f"{name} {value} 'unsafe-inline'" if name == "style-src" else f"{name} {value}"
    for name, value in [*csp.DIRECTIVES, ("worker-src", "'self' blob:")]
)


def swagger(request: HttpRequest) -> HttpResponse:
    return render(request, "api/swagger.html")


def redoc(request: HttpRequest) -> HttpResponse:
    response = render(request, "api/redoc.html")
    response[csp.HEADER] = REDOC_POLICY
    return response
