"""Uploading a workbook: check it whole, show what would change, apply it at once.

``import_check`` keeps the file as received (``ImportRecord.file``), opens it safely, reads it
against the form's layouts and validates every line through the same rules as the web forms.
It never writes plan data. A workbook with any wrong cell is refused whole: the record lists
each error (sheet, cell, value, what to do) and ``error_workbook`` gives the user's workbook
back with those cells highlighted and commented. A clean workbook waits for confirmation,
with the changes the check found kept in its record (``ImportRecord.kept``, compressed JSON
made by the form's ``keep``). ``import_apply`` checks that the data has not changed since (the
fingerprint), turns the kept changes back into the form's changes (``restore``) and hands them,
already validated, to the entity's batch writer with the real user — in one transaction, all or
nothing, without opening the file again. A form that does not keep its changes yet is read and
checked again from the kept file (``Target.keep`` is None). Every upload is in the plan's
history.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.approvals.models import StatusChange
from kehoach.core.batch import collector_paused
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError

from .layouts import FormLayout, layouts_for_form, parse_layout
from .marking import marked_copy
from .models import ImportRecord
from .reading import Limits, open_workbook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """What an upload is for: a form, the object it changes and how to read and apply it."""

    form: str
    obj: Any
    plan_uid: Any
    may_apply: Callable[[Any], None]
    """Raises (NotFoundError or ApplicationError) when the actor may not change it now."""
    read: Callable[[Any, list[Any], Any], Any]
    apply: Callable[[Any, Any], dict[str, int]]
    fingerprint: Callable[[], str]
    keep: Callable[[Any], Any] | None = None
    """The changes a reading found as JSON-able data (the cleaned values, the uid and version
    of each line changed or removed, the row); None while the form re-reads its file."""
    restore: Callable[[Any], Any] | None = None
    """The kept data back into the form's changes (one query per catalog table)."""
    write: Callable[[Any, Any], dict[str, int]] | None = None
    """Applies restored changes with the real actor through the entity's batch writer, without
    validating the values again (the check did)."""


KEPT_LEVEL = 1
"""zlib level of the kept changes: the values repeat from line to line, so the fastest level
already makes 20,000 lines a few hundred kilobytes (docs/benchmarks.md)."""


def pack_kept(kept: Any) -> bytes:
    text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), KEPT_LEVEL)


def unpack_kept(blob: bytes | memoryview) -> Any:
    return json.loads(zlib.decompress(bytes(blob)))


def _history(record: ImportRecord, text: str) -> None:
    StatusChange.objects.create(
        plan_uid=record.plan_uid,
        subject_label=ImportRecord._meta.label_lower,
        action="import",
        from_state="",
        to_state=record.result,
        actor=record.actor,
        comment=text,
    )


def _errors(exc: ApplicationError) -> list[dict[str, Any]]:
    items = getattr(exc, "errors", None) or [exc]
    return [
        {
            "code": e.code,
            "message": e.message,
            "sheet": e.where.sheet,
            "row": e.where.row,
            "column": e.where.column,
        }
        for e in items
    ]


def _refused_text(record: ImportRecord) -> str:
    count = len(record.errors)
    return ngettext(
        "Workbook %(form)s “%(file)s” refused: %(n)s problem; nothing was saved.",
        "Workbook %(form)s “%(file)s” refused: %(n)s problems; nothing was saved.",
        count,
    ) % {"form": record.form, "file": record.filename, "n": count}


@collector_paused()
def import_check(
    *,
    actor: Any,
    target: Target,
    data: bytes,
    filename: str,
    layout: FormLayout | None = None,
) -> ImportRecord:
    """Check an uploaded workbook; returns its record, refused or waiting for confirmation.
    Nothing of the plan is written; the file is kept with the record either way. With
    ``layout`` (the columns an officer matched on the mapping page) the file is read in that
    layout alone, which the record keeps for its confirmation."""
    target.may_apply(actor)
    found = _inspect(actor=actor, target=target, data=data, filename=filename, layout=layout)
    record = ImportRecord(
        form=target.form,
        plan_uid=target.plan_uid,
        target_uid=target.obj.uid,
        actor=actor if getattr(actor, "pk", None) else None,
        filename=filename[:255],
        result=ImportRecord.Result.REFUSED,
        layout=found.layout,
        summary=found.summary,
        errors=found.errors,
    )
    record.file.save(filename or "upload.xlsx", ContentFile(data), save=False)
    if found.refused:
        record.save()
        _history(record, _refused_text(record))
        return record
    reading = found.reading
    record.result = ImportRecord.Result.PREVIEWED
    record.fingerprint = target.fingerprint()
    if target.keep is not None:
        record.kept = pack_kept(target.keep(reading))
    record.save()
    counts = record.summary["counts"]
    _history(
        record,
        _(
            "Workbook %(form)s “%(file)s” checked, waiting for confirmation: %(add)s to add, "
            "%(change)s to change, %(remove)s to remove."
        )
        % {"form": record.form, "file": record.filename, **counts},
    )
    return record


@dataclass(frozen=True)
class Inspection:
    """What reading an upload found, before anything is kept: the layout recognised, the
    preview's summary (changes, counts, warnings) and the problems as the record keeps them
    (``code``, ``message``, ``sheet``, ``row``, ``column``, ``value``); ``reading`` is None
    when the file could not be read at all."""

    layout: str
    summary: dict[str, Any]
    errors: list[dict[str, Any]]
    reading: Any = None

    @property
    def refused(self) -> bool:
        return self.reading is None or bool(self.errors)


def _inspect(
    *, actor: Any, target: Target, data: bytes, filename: str, layout: FormLayout | None = None
) -> Inspection:
    """Read the upload against the form's layouts and check every cell; keeps nothing."""
    try:
        reading = _read(target, data, filename, actor, layout)
    except ApplicationError as exc:
        return Inspection(layout="", summary={}, errors=_errors(exc))
    summary = _summary(reading)
    if layout is not None:
        summary["layout_spec"] = dataclasses.asdict(layout)
    errors = [e.as_dict() for e in reading.errors]
    return Inspection(reading.layout.code, summary, errors, reading)


@collector_paused()
def import_check_only(*, actor: Any, target: Target, data: bytes, filename: str) -> Inspection:
    """``import_check`` without its record, its kept file or its history row (a dry run of the
    upload): the same permission, the same safe opening, the same reading and cell checks, so
    the same layout, changes and problems; nothing is written."""
    target.may_apply(actor)
    return _inspect(actor=actor, target=target, data=data, filename=filename)


def profile_of(target: Target) -> Any:
    """The process profile of the plan an upload is for (its layouts may be its own)."""
    return getattr(getattr(target.obj, "round", None), "profile", None)


def _read(
    target: Target, data: bytes, filename: str, actor: Any, layout: FormLayout | None = None
) -> Any:
    """Open the workbook and read it against the form's layouts. Any failure other than an
    ``ApplicationError`` or a database error (a bug, a cell nobody foresaw) is logged and
    becomes an ``ApplicationError`` naming the file: the upload is refused with a record in the
    plan's history (``import_check``) or nothing is applied (``import_apply``), never a 500."""
    try:
        upload = open_workbook(data, filename, limits=Limits())
        layouts = [layout] if layout else layouts_for_form(target.form, profile_of(target))
        return target.read(upload, layouts, actor)
    except (ApplicationError, DatabaseError):
        raise
    except Exception:
        logger.exception("Reading the workbook %r for form %s failed", filename, target.form)
        raise ApplicationError(
            "file_unreadable",
            _(
                "“%(name)s” could not be read because of an unexpected problem in kehoach; "
                "nothing was saved. The problem has been recorded. Save the workbook again as "
                ".xlsx and upload it again; if this happens again, send the file to the "
                "administrator."
            )
            % {"name": filename},
        ) from None


SUMMARY_CHANGES = 300
"""Changes a record's summary lists (the preview page shows them); further ones are counted
only (``more``), so that the record, its page and the confirmation stay small and quick for a
workbook of 20,000 lines."""


def _summary(reading: Any) -> dict[str, Any]:
    preview = reading.preview
    return {
        "changes": [
            {
                "kind": c.kind,
                "row": c.row,
                "label": str(c.label),
                "fields": [[str(part) for part in item] for item in c.fields],
            }
            for c in preview[:SUMMARY_CHANGES]
        ],
        "more": max(0, len(preview) - SUMMARY_CHANGES),
        "skipped": [[row, str(why)] for row, why in reading.skipped],
        "unread": [[letter, str(text)] for letter, text in getattr(reading, "unread", ())],
        "encoding": reading.encoding,
        "notes": [str(note) for note in reading.notes],
        "warnings": [str(w) for w in getattr(reading, "warnings", ())],
        "layout": reading.layout.code,
        "layout_name": reading.layout.name,
        "counts": _counts(preview),
    }


def _counts(preview: list[Any]) -> dict[str, int]:
    counts = {"add": 0, "change": 0, "remove": 0}
    for change in preview:
        if change.kind in counts:
            counts[change.kind] += 1
    return counts


@collector_paused()
def import_apply(*, actor: Any, target: Target, record: ImportRecord) -> ImportRecord:
    """Apply a checked workbook, all at once, if nothing changed since it was checked: the
    changes the check kept go to the entity's batch writer in one transaction (a form that does
    not keep them yet reads and checks the kept file again). If the data changed meanwhile, the
    record becomes stale, nothing is applied and ``ApplicationError`` says to upload again."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        if record.result != ImportRecord.Result.PREVIEWED or record.target_uid != target.obj.uid:
            raise NotFoundError()
        target.may_apply(actor)
        stale = record.fingerprint != target.fingerprint()
        if not stale:
            counts = _apply(actor, target, record)
            record.result = ImportRecord.Result.APPLIED
            record.summary = {**record.summary, "applied": counts}
            record.save(update_fields=["result", "summary", "updated_at"])
            _history(
                record,
                _(
                    "Workbook %(form)s “%(file)s” applied: %(added)s added, %(changed)s changed, "
                    "%(deleted)s deleted."
                )
                % {
                    "form": record.form,
                    "file": record.filename,
                    **{k: counts.get(k, 0) for k in ("added", "changed", "deleted")},
                },
            )
            return record
        record.result = ImportRecord.Result.STALE
        record.save(update_fields=["result", "updated_at"])
        _history(
            record,
            _("Workbook %(form)s “%(file)s” not applied: the data changed after the check.")
            % {"form": record.form, "file": record.filename},
        )
    raise _stale()


def _stale() -> ApplicationError:
    return ApplicationError(
        "import_stale",
        _(
            "The data changed in kehoach after this workbook was checked, so nothing was "
            "applied. Upload the workbook again to check it against the data as it is now."
        ),
    )


def import_apply_check(*, actor: Any, target: Target, record: ImportRecord) -> dict[str, int]:
    """What ``import_apply`` would refuse, without writing or locking anything (a dry run of
    the confirmation): the record no longer waiting, the actor who may not change the plan
    now, the data changed since the check. Returns the changes it would apply (to add, change,
    remove)."""
    if record.result != ImportRecord.Result.PREVIEWED or record.target_uid != target.obj.uid:
        raise NotFoundError()
    target.may_apply(actor)
    if record.fingerprint != target.fingerprint():
        raise _stale()
    return dict((record.summary or {}).get("counts") or {})


def _apply(actor: Any, target: Target, record: ImportRecord) -> dict[str, int]:
    if record.kept is not None and target.restore is not None and target.write is not None:
        return target.write(actor, target.restore(unpack_kept(record.kept)))
    with record.file.open("rb") as handle:
        data = handle.read()
    spec = (record.summary or {}).get("layout_spec")
    reading = _read(target, data, record.filename, actor, parse_layout(spec) if spec else None)
    if reading.errors:
        raise ApplicationErrors([e.as_error() for e in reading.errors])
    return target.apply(actor, reading)


@transaction.atomic
def import_cancel(*, actor: Any, record: ImportRecord) -> ImportRecord:
    """The user decided not to apply a checked workbook: nothing changes but the record."""
    record = ImportRecord.objects.select_for_update().get(pk=record.pk)
    if record.result == ImportRecord.Result.PREVIEWED:
        record.result = ImportRecord.Result.CANCELLED
        record.save(update_fields=["result", "updated_at"])
        _history(
            record,
            _("Workbook %(form)s “%(file)s” cancelled: nothing was changed.")
            % {"form": record.form, "file": record.filename},
        )
    return record


def error_workbook(record: ImportRecord) -> bytes:
    """The user's workbook with each wrong cell filled red and commented with the message, and
    a last sheet “Lỗi” listing the errors (``marking.marked_copy``: an .xlsx is patched within
    the upload limits, an .xls or .ods comes back as .xlsx with its values, a file over the
    limits as the list of errors alone)."""
    with record.file.open("rb") as handle:
        data = handle.read()
    return marked_copy(data, record.filename, record.errors)


def fingerprint_of(rows: Any) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return digest.hexdigest()
