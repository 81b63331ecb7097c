"""Public pages of published plans: their costly part rendered once, and their ETag.

The tables of a published plan (activities by sector, funding by source, villages, targets) are
a function of one published version, of whether it is the latest, and of the language: they are
rendered once and kept in ``PublishedFragment``. The rest of the page (header, the works'
progress, the visitor's own form token) is rendered on each request, which is cheap.

A page's ETag digests what the page shows — the published versions, the progress of the works,
the language — and what differs between visitors (their account, their CSRF cookie, a pending
message), so that a 304 is only ever given to the visitor who has that very page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..models import PublishedFragment, PublishedPage
from .fingerprints import BUILD, digest

SPLIT = "<!-- portal:next-fragment -->"
"""Between two stored fragments: no text shown can make it, ``<`` being escaped."""


@lru_cache(maxsize=32)
def template_digest(name: str) -> str:
    """A template's source as a hash, read once per process: a changed template is a new key."""
    template: Any = get_template(name)
    source = getattr(getattr(template, "template", None), "source", "")
    return hashlib.sha256(source.encode()).hexdigest()


def fragment_key(templates: tuple[str, ...], parts: tuple[Any, ...]) -> str:
    """The key of ``templates`` rendered for ``parts`` in the active language: a new version in
    ``parts``, another language or a changed template source is another key."""
    sources = [template_digest(t) for t in templates]
    return digest(BUILD, *templates, *sources, get_language(), *parts)


def fragments(
    templates: tuple[str, ...],
    parts: tuple[Any, ...],
    context: dict[str, Any] | Callable[[], dict[str, Any]],
) -> list[SafeString]:
    """The templates rendered with ``context``, stored together (one row, one query to read)
    under ``parts`` (what they depend on) and the language; rendered only when not stored.
    ``context`` may be a function, called (and its queries run) only then."""
    return _stored(PublishedFragment, fragment_key(templates, parts), templates, context, {})


def unit_page_parts(
    templates: tuple[str, ...],
    page: str,
    fingerprint: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
) -> list[SafeString]:
    """As ``fragments``, for the part of a unit's page (``page``: ``home``,
    ``province:<code>``…) listing what ``fingerprint`` names, kept in ``PublishedPage``."""
    key = fragment_key(templates, (page, fingerprint))
    extra = {"page": page, "fingerprint": fingerprint}
    return _stored(PublishedPage, key, templates, context, extra)


def unit_pages_prune(page: str, fingerprint: str) -> int:
    """Delete the stored parts of ``page`` made for other versions than ``fingerprint`` (the
    current one): superseded by a publication, no request asks for them again."""
    deleted, _by_model = (
        PublishedPage.objects.filter(page=page).exclude(fingerprint=fingerprint).delete()
    )
    return deleted


def _stored(
    model: type[PublishedFragment] | type[PublishedPage],
    key: str,
    templates: tuple[str, ...],
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    extra: dict[str, Any],
) -> list[SafeString]:
    found = model.objects.filter(key=key).values_list("html", flat=True).first()
    if found is None:
        values = context() if callable(context) else context
        found = SPLIT.join(render_to_string(t, values) for t in templates)
        try:
            with transaction.atomic():
                model.objects.create(key=key, html=found, **extra)
        except IntegrityError:  # another request stored the same fragments first
            pass
    # rendered by our own templates, which escaped what they show
    return [mark_safe(html) for html in found.split(SPLIT)]


def page_etag(request: HttpRequest, *parts: Any) -> str:
    """The ETag of a public page showing ``parts``, for this visitor."""
    user = getattr(request, "user", None)
    return digest(
        BUILD,
        request.path,
        request.META.get("QUERY_STRING", ""),
        get_language(),
        getattr(user, "pk", None),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.COOKIES.get("messages", ""),
        *parts,
    )
