"""Content-Security-Policy on every page (Django 5.2 has no CSP of its own).

Every document a browser may render — HTML, XHTML, SVG — gets one strict policy: scripts,
styles, fonts, images and requests only from kehoach itself, no inline ``<script>``, no
``on…=`` handler, no ``style=`` attribute or ``<style>`` element, no ``eval``, no plugin, no
``<base>`` elsewhere, forms only to kehoach, and no other site may frame a page. If an
attacker ever got markup into a page (a name that escaped escaping), the browser would still
refuse to run it or to send a form or a request anywhere else.

The pages are written for it: scripts are files under ``static/js/`` (htmx, vendored),
styles are classes in ``static/css/kehoach.css``, htmx is configured in ``base.html`` not to
inject its indicator ``<style>`` and not to evaluate code (``hx-on``, ``js:``), the charts are
SVG with presentation attributes. ``tests/test_csp_templates.py`` keeps the templates so;
the browser tests fail on any violation.

One exception: with ``DEBUG`` on, Django's technical 404 and 500 pages (inline styles and
scripts of Django's own) are sent without the policy so that they stay readable in
development. With ``DEBUG`` off — production and the tests — there is no exception.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

DIRECTIVES = [
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
]
POLICY = "; ".join(f"{name} {value}" for name, value in DIRECTIVES)
"""The policy, exactly as sent."""

DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml")
"""Media types a browser renders as a document that can run scripts and load resources."""


def is_document(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.split(";")[0].strip().lower() in DOCUMENT_TYPES


def policy_for(response: HttpResponse) -> str | None:
    """The policy a response gets, or None: not a document, a policy of its own already, or a
    technical error page of Django in development."""
    if not is_document(response) or HEADER in response:
        return None
    if settings.DEBUG and response.status_code in (404, 500):
        return None
    return POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = policy_for(response)
        if policy is not None:
            response[HEADER] = policy
        return response
