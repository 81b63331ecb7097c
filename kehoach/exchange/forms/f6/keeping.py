"""F6 kept: the changes a check found as JSON with the record (``keep``), back for the writer
(``restore``: new lines as kept, database-ready, their catalog entries checked) and applied
with the real user by the one writer of proposal lines (``write``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, Where
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.lines import (
    LINE_FIELDS,
    LineChange,
    NewLines,
    proposal_lines_apply,
)

from ...keeping import ValuesCodec
from .reading import Reading

CODEC = ValuesCodec(ProposalLine, LINE_FIELDS)
KEPT_VERSION = 2


def keep(reading: Reading) -> dict[str, Any]:
    """The changes of a checked upload as JSON: ``add`` rows ``values`` (their rows in the
    file in ``add_rows``: the writer takes the values as they are), ``change``
    rows ``[row, pk, number, version, *values]`` (the values clean and complete, in the order
    of ``fields``), ``remove`` rows ``[pk, number, version]``."""
    adds, add_rows, changes, removes = [], [], [], []
    dump = CODEC.dump
    for change in reading.changes:
        row = change.where.row if change.where is not None else None
        if change.line is None:
            adds.append(dump(change.data))
            add_rows.append(row)
        elif change.delete:
            removes.append([change.line.pk, change.line.number, change.version])
        else:
            line = change.line
            changes.append([row, line.pk, line.number, change.version, *dump(change.data)])
    return {
        "v": KEPT_VERSION,
        "sheet": reading.sheet,
        "fields": CODEC.fields,
        "add": adds,
        "add_rows": add_rows,
        "change": changes,
        "remove": removes,
    }


@dataclass
class Restored:
    """Kept changes ready for the writer: the new lines as they were kept (``NewLines``: no
    conversion, their catalog entries checked), the other changes as ``LineChange``."""

    new: NewLines
    changes: list[LineChange]


def restore(plan: VillagePlan, kept: dict[str, Any]) -> Restored:
    """The kept changes back for the writer: the new lines' values as kept, the catalog
    entries they name still there (one query per catalog table, ``import_stale`` if not); each
    changed or removed line named by its key and the version the workbook was made from (the
    writer locks and checks it)."""
    if kept.get("v") != KEPT_VERSION or kept.get("fields") != CODEC.fields:
        raise ApplicationError(
            "import_stale",
            _(
                "kehoach was updated after this workbook was checked, so nothing was applied. "
                "Upload the workbook again."
            ),
        )
    sheet = kept["sheet"]
    adds = kept["add"]
    new = NewLines(rows=adds, related=CODEC.entries(adds))
    changed = CODEC.load([row[4:] for row in kept["change"]])
    out: list[LineChange] = []
    for row, values in zip(kept["change"], changed, strict=True):
        line = ProposalLine(pk=row[1], plan=plan, number=row[2])
        out.append(
            LineChange(data=values, line=line, version=row[3], where=Where(sheet=sheet, row=row[0]))
        )
    for pk, number, version in kept["remove"]:
        line = ProposalLine(pk=pk, plan=plan, number=number)
        out.append(
            LineChange(data={}, line=line, version=version, delete=True, where=Where(sheet=sheet))
        )
    return Restored(new=new, changes=out)


def write(actor: Any, plan: VillagePlan, restored: Restored) -> dict[str, int]:
    """Apply checked changes with the real user: the values were cleaned by the check."""
    counts = proposal_lines_apply(
        actor=actor, plan=plan, changes=restored.changes, validated=True, new=restored.new
    )
    return {k: counts[k] for k in ("added", "changed", "deleted")}
