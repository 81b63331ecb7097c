"""Loading official units from the `vietnam-provinces` package and pre-reform units from CSV.

Both loaders are idempotent and never delete: a unit that disappears from the official list
is end-dated (plans and roles may refer to it), a renamed one keeps its code and gets a
name-change row, a new one is added.

One module per job: ``official`` (the package's units), ``legacy`` (pre-reform units from a
CSV), ``common`` (the reform date, the result of a load).
"""

from __future__ import annotations

from .common import (
    LAST_PRE_REFORM_DAY,
    REFORM_DATE,
    LoadResult,
    OfficialRecord,
)
from .legacy import (
    LEGACY_COLUMNS,
    LEGACY_PREFIX,
    legacy_code,
    units_load_legacy_csv,
)
from .official import (
    official_data_version,
    official_records,
    units_load_official,
)

__all__ = [
    "LAST_PRE_REFORM_DAY",
    "LEGACY_COLUMNS",
    "LEGACY_PREFIX",
    "REFORM_DATE",
    "LoadResult",
    "OfficialRecord",
    "legacy_code",
    "official_data_version",
    "official_records",
    "units_load_legacy_csv",
    "units_load_official",
]
