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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kehoach.catalog.permissions import can_add_alias
from kehoach.catalog.selectors import alias_kind, alias_target
from kehoach.catalog.services import alias_add
from kehoach.core.errors import ApplicationError, NotFoundError

from .layout_saving import clean_name, layout_name_problem, layout_save
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
    errors: list[str] = field(default_factory=list)
    """What is wrong with the field chosen for this column (shown beside its drop-down)."""

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
    """Every problem of the officer's choice, in the order of the page (shown at the top)."""
    problems: dict[str, list[str]] = field(default_factory=dict)
    """The problems of the inputs other than the columns, by input name (``name``,
    ``programme``, ``fields``), shown beside them."""

    def refuse(self, message: str, where: str = "", row: ColumnRow | None = None) -> None:
        """Note a problem of the choice, beside the column ``row`` or the input ``where``."""
        self.errors.append(message)
        if row is not None:
            row.errors.append(message)
        elif where:
            self.problems.setdefault(where, []).append(message)

    @property
    def fields(self) -> str:
        """The fields of the drop-downs, in order: posted back with the choice, so that a page
        opened before the layout changed is read as it was shown (see ``stale``)."""
        return ",".join(o.key for o in self.options)

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


def _given(key: str, chosen: set[str], by_key: dict[str, Column], seen: set[str]) -> bool:
    """Whether ``key`` is read: chosen for a column, or a total computed from a part read."""
    if key in chosen:
        return True
    column = by_key.get(key)
    if column is None or key in seen:
        return False
    seen.add(key)
    return any(_given(part, chosen, by_key, seen) for part in column.sum_of)


def mapping_errors(mapping: Mapping, shown: Sequence[str] | None = None) -> list[str]:
    """What is wrong with the fields chosen (each noted beside its column too): a field
    chosen for two columns or not one of the list, a field the form needs chosen for no
    column (a sector may come from heading rows, a total from its parts), and a page opened
    before the form's fields changed (``shown``: the fields the page listed)."""
    labels = {o.key: o.label for o in mapping.options}
    if shown is not None and list(shown) != [o.key for o in mapping.options]:
        mapping.refuse(
            _(
                "The fields of the form changed since this page was opened; check the field "
                "chosen for each column and send again."
            ),
            "fields",
        )
    seen: dict[str, str] = {}
    for row in mapping.columns:
        if not row.key:
            continue
        if row.key not in labels:
            mapping.refuse(
                _("Column %(letter)s: choose one of the fields of the list.")
                % {"letter": row.letter},
                row=row,
            )
        elif row.key in seen:
            mapping.refuse(
                _(
                    "“%(field)s” is chosen for both column %(first)s and column %(second)s; "
                    "choose it for one column only."
                )
                % {"field": labels[row.key], "first": seen[row.key], "second": row.letter},
                row=row,
            )
        else:
            seen[row.key] = row.letter
    by_key = {c.key: c for c in mapping.layout.columns}
    for column in mapping.layout.columns:
        if column.heading or not column.required:
            continue
        if not _given(column.key, set(seen), by_key, set()):
            mapping.refuse(
                _("Choose the column that holds “%(field)s”: the form cannot be read without it.")
                % {"field": labels[column.key]},
                "missing",
            )
    return mapping.errors


@dataclass(frozen=True)
class Keep:
    """The officer's wish to keep the layout chosen: its name, programme and profile."""

    name: str
    programme: Any = None
    profile_only: bool = False
    programme_code: str = ""
    """The programme posted; with no ``programme`` found for it, the choice is refused."""


def _keep_errors(mapping: Mapping, form: str, keep: Keep) -> None:
    problem = layout_name_problem(form, keep.name)
    if problem is not None:
        mapping.refuse(problem.message, "name")
    if keep.programme is None and keep.programme_code:
        mapping.refuse(_("Choose a programme of the list."), "programme")


def mapping_apply(
    *,
    actor: Any,
    record: ImportRecord,
    target: Target,
    chosen: dict[int, str],
    keep: Keep | None = None,
    shown: Sequence[str] | None = None,
) -> tuple[ImportRecord, Layout | None, Mapping]:
    """Check the record's kept file again in the layout the officer chose (``chosen``: column
    index → field key; "" or absent: not read), after saving it when asked (``keep``).
    Returns the new record, the layout saved and the mapping; when the choice is refused (a
    field chosen twice or needed and not chosen, a layout name missing or taken, an unknown
    programme, a page older than the form's fields ``shown``), no record is made, nothing is
    saved and ``mapping.errors`` says why, each problem also beside its input."""
    mapping = mapping_read(actor=actor, record=record, target=target, chosen=chosen)
    mapping_errors(mapping, shown)
    if keep is not None:
        _keep_errors(mapping, target.form, keep)
    if mapping.errors:
        return record, None, mapping
    wanted = {row.index: row.key for row in mapping.columns if row.key}
    code = f"{target.form}-{MAPPED_CODE}"
    name = clean_name(keep.name) if keep is not None else _("Columns matched by hand")
    spec = mapped_layout(mapping.layout, mapping.recognition, wanted, code=code, name=name)
    saved = None
    if keep is not None:
        try:
            saved = layout_save(
                actor=actor,
                form=target.form,
                name=name,
                spec=spec,
                profile=base_profile(target) if keep.profile_only else None,
                programme=keep.programme,
                target=target,
            )
        except NotFoundError:
            raise
        except ApplicationError as exc:  # the name taken meanwhile, a spec that is no layout
            mapping.refuse(exc.message, "name" if exc.where.field == "name" else "missing")
            return record, None, mapping
        layout = parse_layout(saved.spec, code=saved.code, form=saved.form)
    else:
        layout = parse_layout(spec, code=code, form=target.form)
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
