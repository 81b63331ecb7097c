"""Writes to administrative units. Villages are kept by commune planners (R25).

One module per job: ``common`` (permission, names, kinds, codes, locks), ``villages`` (create,
rename, end, restore), ``merge`` (merge and undo), ``csv_import`` (a commune's list from CSV).
"""

from __future__ import annotations

from .common import MAX_NAME_LENGTH, unit_version
from .csv_import import (
    VillageImportPlan,
    VillageImportResult,
    VillageRow,
    villages_import_check,
    villages_import_csv,
)
from .merge import (
    MergePlan,
    villages_merge,
    villages_merge_check,
    villages_merge_undo,
    villages_merge_undo_check,
)
from .villages import (
    village_create,
    village_create_check,
    village_end,
    village_end_check,
    village_rename,
    village_rename_check,
    village_restore,
    village_restore_check,
)

__all__ = [
    "MAX_NAME_LENGTH",
    "MergePlan",
    "VillageImportPlan",
    "VillageImportResult",
    "VillageRow",
    "unit_version",
    "village_create",
    "village_create_check",
    "village_end",
    "village_end_check",
    "village_rename",
    "village_rename_check",
    "village_restore",
    "village_restore_check",
    "villages_import_check",
    "villages_import_csv",
    "villages_merge",
    "villages_merge_check",
    "villages_merge_undo",
    "villages_merge_undo_check",
]
