"""F14 — progress of the works: one row per work of a published commune plan (its funded
lines), with what was approved (locked) and its position in the latest report (editable): the
reporting date, quantity done, status, actual dates, money disbursed from each envelope line
that funds a work (one column per envelope line, as on F12), the community's contribution given,
problems. The percentage done is a live formula.

Back in, each row whose values differ from the work's latest report is checked by
``monitoring.validators.progress`` (the web form's rules, each refusal on its cell; nothing is
written, no actor is needed) and, on confirmation, becomes a new progress report through
``monitoring.services.progress.progress_reports_apply``, all in one transaction. Unchanged rows
create nothing; rows are neither added nor removed. The metadata keeps the uid of each work's
latest report at download: a row changed in the workbook while a newer report was recorded on
the web is a conflict, refused with a message.

Modules: ``common`` (columns, statuses, envelope), ``export``, ``reading`` (the check),
``entry`` (``read``: which of the two readings), ``foreign`` (an officer's own sheet),
``preview`` (what a row changes), ``apply`` (the confirmation: ``apply``, and ``keep``,
``restore``, ``write`` for the changes kept from the check)."""

from .apply import KEPT_VERSION, apply, keep, restore, write
from .common import FORM, REPORTED, _statuses, may_apply
from .entry import read
from .export import INSTRUCTIONS, export
from .reading import Item, Reading

__all__ = [
    "FORM",
    "INSTRUCTIONS",
    "KEPT_VERSION",
    "REPORTED",
    "Item",
    "Reading",
    "_statuses",
    "apply",
    "export",
    "keep",
    "may_apply",
    "read",
    "restore",
    "write",
]
