"""F11 — the resource envelope: lines added, changed and deleted (each user only the lines of
their own origin; a change that touches funded lines takes their funding back, as on the page).

The check asks the envelope's pure validators (``clean_envelope_line``) and writes nothing; the
confirmation gives every change the check kept (``keep``/``restore``/``write``: the workbook is
not read again) to the batch writer ``envelope_lines_apply`` with the real user, in one
transaction.

Modules: ``common`` (fields, lists, a change and who may make it), ``export``, ``reading`` (the
check), ``apply`` (the confirmation: ``apply``, ``keep``, ``restore``, ``write``)."""

from .apply import KEPT_VERSION, apply, keep, restore, write
from .common import FORM, FORM_FIELDS, Item, Reading
from .export import INSTRUCTIONS, export
from .reading import check, may_apply, read

__all__ = [
    "FORM",
    "FORM_FIELDS",
    "INSTRUCTIONS",
    "KEPT_VERSION",
    "Item",
    "Reading",
    "apply",
    "check",
    "export",
    "keep",
    "may_apply",
    "read",
    "restore",
    "write",
]
