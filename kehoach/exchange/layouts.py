"""Workbook layouts are data: which columns a form's workbook has, in which order, with which
headers, widths and money unit. The official layout of each form ships as JSON in
``exchange/layouts/``; a process profile may name another layout per form in
``extra["layouts"]`` (``{"F6": "F6-CHIA-SE"}``), found among the shipped files or the
``Layout`` rows an administrator added. Importing reads the columns by their headers, so a
programme's workbook in its own shape lands in the same data; exporting writes the shape the
layout says, so the commune's own outputs stay the official ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError

from .models import Layout

HERE = Path(__file__).resolve().parent / "layouts"
KINDS = {
    "int", "decimal", "money", "text", "choice", "month", "date", "value", "sources", "criteria"
}  # fmt: skip
"""``sources``: one money column per envelope line (F12, F14); ``criteria``: one column per
scoring criterion of the round's process profile (F10)."""
SCALES = {"mvnd": Decimal(1), "kvnd": Decimal(1_000), "vnd": Decimal(1_000_000)}
"""Money columns in million VND (default), in thousand đồng (divided by one thousand on
import) or in đồng (divided by one million)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 12
    kind: str = "text"
    parent: str = ""
    list: str = ""
    required: bool = False
    total: bool = False
    locked: bool = False
    scale: str = "mvnd"
    heading: bool = False
    """Read from the heading rows ("I. NÔNG NGHIỆP") above a line when the file has no such
    column or leaves the cell blank."""
    sum_of: tuple[str, ...] = ()
    """The keys this column is the sum of: computed from them when the file gives the parts
    and not the total."""

    @property
    def divisor(self) -> Decimal:
        return SCALES.get(self.scale, Decimal(1))

    @property
    def labels(self) -> Sequence[str]:
        """What the header may say: "Parent > Child" when under a merged parent header."""
        return [f"{self.parent} > {self.header}"] if self.parent else [self.header]


@dataclass(frozen=True)
class FormLayout:
    code: str
    form: str
    name: str
    title: str
    columns: tuple[Column, ...]
    attendance: tuple[Column, ...] = field(default=())
    money_unit: str = "triệu đồng"

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def attendance_column(self, key: str) -> Column | None:
        return next((c for c in self.attendance if c.key == key), None)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def _columns(items: Any, code: str) -> tuple[Column, ...]:
    columns = []
    for number, item in enumerate(items or [], start=1):
        if not isinstance(item, dict) or not item.get("key") or not item.get("header"):
            raise ApplicationError(
                "layout_invalid",
                _("Layout %(code)s: column %(n)s needs a key and a header.")
                % {"code": code, "n": number},
            )
        if item.get("kind", "text") not in KINDS:
            raise ApplicationError(
                "layout_invalid",
                _("Layout %(code)s: column %(n)s has an unknown kind “%(kind)s”.")
                % {"code": code, "n": number, "kind": item.get("kind")},
            )
        known = {k: v for k, v in item.items() if k in Column.__dataclass_fields__}
        if "sum_of" in known:
            known["sum_of"] = tuple(str(k) for k in known["sum_of"] or ())
        columns.append(Column(**known))
    return tuple(columns)


def parse_layout(spec: dict[str, Any], *, code: str = "", form: str = "") -> FormLayout:
    code = spec.get("code") or code
    return FormLayout(
        code=code,
        form=spec.get("form") or form,
        name=spec.get("name") or code,
        title=spec.get("title") or "",
        columns=_columns(spec.get("columns"), code),
        attendance=_columns(spec.get("attendance"), code),
        money_unit=spec.get("money_unit") or "triệu đồng",
    )


@cache
def shipped_layouts() -> dict[str, dict[str, Any]]:
    """The layouts in ``exchange/layouts/*.json`` by code."""
    found = {}
    for path in sorted(HERE.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        found[spec["code"]] = spec
    return found


def default_code(form: str) -> str:
    return f"{form}-CHUAN"


def layout_get(code: str) -> FormLayout:
    row = Layout.objects.filter(code=code, is_active=True).first()
    if row is not None:
        return parse_layout(row.spec, code=row.code, form=row.form)
    spec = shipped_layouts().get(code)
    if spec is None:
        raise ApplicationError(
            "layout_unknown", _("There is no workbook layout “%(code)s”.") % {"code": code}
        )
    return parse_layout(spec)


def layout_for(form: str, profile: Any = None) -> FormLayout:
    """The layout a profile uses for a form, or the official one."""
    policy = getattr(profile, "policy", None)
    wanted = policy.layout_code(form) if policy is not None else None
    return layout_get(wanted or default_code(form))


def layouts_for_form(form: str, profile: Any = None) -> list[FormLayout]:
    """Every layout of a form (shipped and added), for reading an upload in any of them: the
    official one, the shipped ones and the active rows for every profile or for ``profile``."""
    codes = [default_code(form)]
    codes += [code for code, spec in shipped_layouts().items() if spec.get("form") == form]
    rows = Layout.objects.filter(form=form, is_active=True)
    if profile is not None:
        rows = rows.filter(models.Q(profile__isnull=True) | models.Q(profile=profile))
    else:
        rows = rows.filter(profile__isnull=True)
    codes += list(rows.values_list("code", flat=True))
    return [layout_get(code) for code in dict.fromkeys(codes)]
