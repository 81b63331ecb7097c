"""Writes to administrative units. Villages are kept by commune planners (R25).

One module per job: ``common`` (permission, names, kinds, codes, locks), ``villages`` (create,
rename, end, restore), ``merge`` (merge and undo), ``csv_import`` (a commune's list from CSV).
"""

from __future__ import annotations

from .common import MAX_NAME_LENGTH
from .csv_import import VillageImportResult, villages_import_csv
from .merge import villages_merge, villages_merge_undo
from .villages import village_create, village_end, village_rename, village_restore

__all__ = [
    "MAX_NAME_LENGTH",
    "VillageImportResult",
    "village_create",
    "village_end",
    "village_rename",
    "village_restore",
    "villages_import_csv",
    "villages_merge",
    "villages_merge_undo",
]
