"""Keeping a layout chosen on the mapping page (``layout_save``): its name checked (given, not
too long, not the name of another layout of the form), a unique code made from it
(``F6-BIEU-CTMTQG-1``), the spec checked as any layout and the row written."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.text import fold

from .layouts import parse_layout
from .models import Layout
from .services import Target

NAME_MAX = 200
CODE_MAX = 32
SLUG_MAX = 16


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Z0-9]+", "-", fold(name).upper()).strip("-")
    return slug[:SLUG_MAX].strip("-") or "RIENG"


def _new_code(form: str, name: str) -> str:
    stem = f"{form}-{_slug(name)}"
    taken = set(Layout.objects.filter(code__startswith=stem).values_list("code", flat=True))
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"[:CODE_MAX]


def clean_name(name: str | None) -> str:
    """The name as it is kept: spaces collapsed, trimmed."""
    return " ".join((name or "").split())


def _same(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def layout_name_problem(form: str, name: str | None) -> ApplicationError | None:
    """What is wrong with ``name`` for a new layout of ``form``: none given, too long, or the
    name of an active layout of the form already (case and spaces aside; the officer chooses
    the layout by its name in the lists)."""
    where = Where(field="name")
    name = clean_name(name)
    if not name:
        return ApplicationError(
            "layout_name_required",
            _("Give the layout a name, for example the programme's."),
            where,
        )
    if len(name) > NAME_MAX:
        return ApplicationError(
            "layout_name_long",
            _("The name of a layout is at most %(n)s characters.") % {"n": NAME_MAX},
            where,
        )
    wanted = _same(name)
    names = Layout.objects.filter(form=form, is_active=True).values_list("name", flat=True)
    if any(_same(clean_name(other)) == wanted for other in names):
        return ApplicationError(
            "layout_name_taken",
            _(
                "A layout named “%(name)s” already exists for the form %(form)s; "
                "choose another name."
            )
            % {"name": name, "form": form},
            where,
        )
    return None


@transaction.atomic
def layout_save(
    *,
    actor: Any,
    form: str,
    name: str,
    spec: dict[str, Any],
    profile: Any = None,
    programme: Any = None,
    target: Target | None = None,
) -> Layout:
    """Keep a layout chosen on the mapping page, under a generated unique code (``F6-<name>-1``),
    so that the next file of that shape is read in it with no mapping page. Whoever may import
    into the plan (``target.may_apply``) may save it; without a target, only an administrator
    who may add layouts. Raises ``ApplicationError`` (``layout_name_required``,
    ``layout_name_long``, ``layout_name_taken``, ``layout_invalid``)."""
    if target is not None:
        if target.form != form:
            raise NotFoundError()
        target.may_apply(actor)
    elif not getattr(actor, "has_perm", lambda _p: False)("exchange.add_layout"):
        raise NotFoundError()
    problem = layout_name_problem(form, name)
    if problem is not None:
        raise problem
    name = clean_name(name)
    code = _new_code(form, name)
    spec = {**spec, "code": code, "form": form, "name": name}
    parse_layout(spec)  # raises ApplicationError when the spec is not a layout
    return Layout.objects.create(
        code=code,
        form=form,
        name=name,
        spec=spec,
        profile=profile,
        programme=programme,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
