"""The mapping page's services: when recognition is unsure of a workbook's columns, the officer
sees each column of the file (its letter, header and three sample values) beside a drop-down of
the form's fields preselected with the engine's guess, corrects it, and may keep the result as
a named layout (``layout_save``) for a programme or the process profile, so that the next file
in that shape is read with no mapping page. The file is the one kept with the import record,
opened again as safely as the check opens it (``open_workbook`` within ``Limits``).

``mapping_read`` gives the page, ``mapping_apply`` checks the file again in the layout the
officer chose (and saves it, when asked), ``alias_apply`` adds a name "as people write it" to
the catalog from a refused record and checks the file again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.catalog.permissions import can_add_alias
from kehoach.catalog.selectors import alias_kind, alias_target
from kehoach.catalog.services import alias_add
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.text import fold

from .layouts import Column, FormLayout, layout_for, parse_layout
from .models import ImportRecord, Layout
from .reading import Limits, open_workbook
from .reading.recognition import SURE, mapped_layout, recognise
from .services import Target, import_check

SHOWN_COLUMNS = 40
"""Columns of the file the mapping page lists (each with a drop-down of every field); a hostile
sheet of hundreds of columns keeps the page under its budget (the columns past it are not read,
and the page says so)."""
SHOWN_TEXT = 60
"""Characters of a header or sample value shown (the rest as “…”)."""
MAYBE = 0.5
"""Confidence from which a guess is called “có thể” (below: “đoán”); from ``SURE`` “chắc
chắn”."""
NAME_MAX = 200
CODE_MAX = 32
SLUG_MAX = 16
MAPPED_CODE = "GHEP"
"""The code suffix of a layout chosen on the mapping page and not saved (``F6-GHEP``)."""


@dataclass(frozen=True)
class FieldOption:
    key: str
    label: str
    required: bool
    value: str
    """What the drop-down posts: the field's place in the layout (short, the page stays small)."""


@dataclass
class ColumnRow:
    """One column of the file on the mapping page."""

    index: int
    letter: str
    header: str
    samples: list[str]
    key: str
    """The field chosen (the guess, or what the officer posted); "" for not read."""
    confidence: float
    certainty: str
    """``sure``, ``maybe`` or ``guess`` (shown in words); ``none`` when nothing was guessed."""

    @property
    def unsure(self) -> bool:
        return self.certainty != "sure"

    @property
    def field(self) -> str:
        return f"col-{self.index}"


@dataclass
class Mapping:
    """What the mapping page shows for one kept file."""

    record: ImportRecord
    layout: FormLayout
    recognition: Any
    sheet: str
    columns: list[ColumnRow]
    hidden: int
    """Columns of the file past ``SHOWN_COLUMNS``, not listed and not read."""
    options: list[FieldOption]
    errors: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[FieldOption]:
        """The fields the form needs that the engine did not find and no column is chosen for
        yet (a sector given by heading rows, a total computed from its parts are not missing)."""
        chosen = {c.key for c in self.columns if c.key}
        missing = set(getattr(self.recognition, "missing", ()))
        return [o for o in self.options if o.key in missing and o.key not in chosen]

    @property
    def encoding(self) -> str | None:
        return getattr(self.recognition, "encoding", None)


def _short(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def _label(column: Column) -> str:
    return f"{column.parent} – {column.header}" if column.parent else column.header


def _certainty(key: str | None, confidence: float, sure: float) -> str:
    if not key:
        return "none"
    if confidence >= sure:
        return "sure"
    return "maybe" if confidence >= MAYBE else "guess"


def field_options(layout: FormLayout) -> list[FieldOption]:
    """The fields a column may be read as, in the layout's order."""
    return [
        FieldOption(c.key, _label(c), c.required, str(n))
        for n, c in enumerate(layout.columns, start=1)
    ]


def base_layout(target: Target) -> FormLayout:
    """The layout the mapping page maps onto: the one the round's process profile names for
    the form, or the official one."""
    profile = getattr(getattr(target.obj, "round", None), "profile", None)
    return layout_for(target.form, profile)


def _kept_data(record: ImportRecord) -> bytes:
    try:
        with record.file.open("rb") as handle:
            return bytes(handle.read())
    except (OSError, ValueError):
        raise ApplicationError(
            "file_gone",
            _("The file of this upload is no longer kept in kehoach; upload the workbook again."),
        ) from None


def _recognise(record: ImportRecord, target: Target) -> tuple[FormLayout, Any, str]:
    layout = base_layout(target)
    book = open_workbook(_kept_data(record), record.filename, limits=Limits())
    sheet = book.sheet(book.data_sheet(target.form))
    return layout, recognise(sheet, layout), sheet.name


def mapping_read(
    *, actor: Any, record: ImportRecord, target: Target, chosen: dict[int, str] | None = None
) -> Mapping:
    """The mapping page of a record's kept file: each column with the engine's guess (or the
    field ``chosen`` for it by the officer). Raises ``ApplicationError`` (the user may not
    import into the plan now, the file is gone or unreadable)."""
    target.may_apply(actor)
    if record.result not in (ImportRecord.Result.REFUSED, ImportRecord.Result.PREVIEWED):
        raise ApplicationError(
            "mapping_closed",
            _("This upload is closed; upload the workbook again to match its columns."),
        )
    layout, recognition, sheet = _recognise(record, target)
    keys = set(layout.keys)
    rows = []
    for column in recognition.columns[:SHOWN_COLUMNS]:
        guess = column.key if column.key in keys else ""
        key = chosen.get(column.index, "") if chosen is not None else guess
        rows.append(
            ColumnRow(
                index=column.index,
                letter=column.letter,
                header=_short(column.header),
                samples=[_short(s) for s in column.samples[:3]],
                key=key,
                confidence=column.confidence,
                certainty=_certainty(guess, column.confidence, SURE),
            )
        )
    return Mapping(
        record=record,
        layout=layout,
        recognition=recognition,
        sheet=sheet,
        columns=rows,
        hidden=max(0, len(recognition.columns) - SHOWN_COLUMNS),
        options=field_options(layout),
    )


def mapping_errors(mapping: Mapping) -> list[str]:
    """What is wrong with the fields chosen: a field chosen for two columns, a field the form
    needs and the engine did not find (``recognition.missing``) chosen for none."""
    labels = {o.key: o.label for o in mapping.options}
    seen: dict[str, str] = {}
    errors = []
    for row in mapping.columns:
        if not row.key:
            continue
        if row.key not in labels:
            errors.append(
                _("Column %(letter)s: choose one of the fields of the list.")
                % {"letter": row.letter}
            )
        elif row.key in seen:
            errors.append(
                _(
                    "“%(field)s” is chosen for both column %(first)s and column %(second)s; "
                    "choose it for one column only."
                )
                % {"field": labels[row.key], "first": seen[row.key], "second": row.letter}
            )
        else:
            seen[row.key] = row.letter
    for key in getattr(mapping.recognition, "missing", ()):
        if key in labels and key not in seen:
            errors.append(
                _("Choose the column that holds “%(field)s”: the form cannot be read without it.")
                % {"field": labels[key]}
            )
    return errors


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
    who may add layouts."""
    if target is not None:
        if target.form != form:
            raise NotFoundError()
        target.may_apply(actor)
    elif not getattr(actor, "has_perm", lambda _p: False)("exchange.add_layout"):
        raise NotFoundError()
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(
            "layout_name_required", _("Give the layout a name, for example the programme's.")
        )
    if len(name) > NAME_MAX:
        raise ApplicationError(
            "layout_name_long",
            _("The name of a layout is at most %(n)s characters.") % {"n": NAME_MAX},
        )
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


@dataclass(frozen=True)
class Keep:
    """The officer's wish to keep the layout chosen: its name, programme and profile."""

    name: str
    programme: Any = None
    profile_only: bool = False


def mapping_apply(
    *,
    actor: Any,
    record: ImportRecord,
    target: Target,
    chosen: dict[int, str],
    keep: Keep | None = None,
) -> tuple[ImportRecord, Layout | None, Mapping]:
    """Check the record's kept file again in the layout the officer chose (``chosen``: column
    index → field key; "" or absent: not read), after saving it when asked. Returns the new
    record, the layout saved and the mapping; when the choice is wrong (a field chosen twice),
    no record is made and ``mapping.errors`` says why."""
    mapping = mapping_read(actor=actor, record=record, target=target, chosen=chosen)
    mapping.errors = mapping_errors(mapping)
    if mapping.errors:
        return record, None, mapping
    wanted = {row.index: row.key for row in mapping.columns if row.key}
    saved = None
    if keep is not None:
        name = " ".join(keep.name.split())
        spec = mapped_layout(
            mapping.layout,
            mapping.recognition,
            wanted,
            code=f"{target.form}-{MAPPED_CODE}",
            name=name,
        )
        profile = base_profile(target) if keep.profile_only else None
        saved = layout_save(
            actor=actor,
            form=target.form,
            name=name,
            spec=spec,
            profile=profile,
            programme=keep.programme,
            target=target,
        )
        layout = parse_layout(saved.spec, code=saved.code, form=saved.form)
    else:
        spec = mapped_layout(
            mapping.layout,
            mapping.recognition,
            wanted,
            code=f"{target.form}-{MAPPED_CODE}",
            name=_("Columns matched by hand"),
        )
        layout = parse_layout(spec, code=f"{target.form}-{MAPPED_CODE}", form=target.form)
    data = _kept_data(record)
    new = import_check(
        actor=actor, target=target, data=data, filename=record.filename, layout=layout
    )
    return new, saved, mapping


def base_profile(target: Target) -> Any:
    return getattr(getattr(target.obj, "round", None), "profile", None)


def recheck(*, actor: Any, record: ImportRecord, target: Target) -> ImportRecord:
    """Check a record's kept file again, in the layout it was read in when that was chosen on
    the mapping page (kept in its summary), else as any upload."""
    spec = (record.summary or {}).get("layout_spec")
    layout = parse_layout(spec) if spec else None
    return import_check(
        actor=actor,
        target=target,
        data=_kept_data(record),
        filename=record.filename,
        layout=layout,
    )


def alias_apply(
    *, actor: Any, record: ImportRecord, target: Target, list_name: str, text: str, value: str
) -> ImportRecord:
    """“Always read ‘CTMTQG 2026-2035’ as …”: add the text as an alias of the catalog entry
    chosen, then check the record's kept file again (one click, and the file is accepted if
    that name was its only problem)."""
    target.may_apply(actor)
    reason = can_add_alias(actor)
    if reason is not None:
        reason.raise_error()
    kind = alias_kind(list_name)
    if kind is None or not text.strip():
        raise ApplicationError(
            "alias_invalid", _("This name cannot be added to the catalog from a workbook.")
        )
    try:
        entry = alias_target(kind, value)
    except NotFoundError:
        raise ApplicationError(
            "alias_invalid", _("Choose what the name means in the list.")
        ) from None
    alias_add(actor=actor, kind=kind, target=entry, text=text.strip())
    return recheck(actor=actor, record=record, target=target)
