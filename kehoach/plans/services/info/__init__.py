"""Village basic information (F1 — Thông tin cơ bản của thôn), one module per job:

- ``rows``: ``F1_ROWS``, the paper form row by row (field, group, label, unit, the percentage it
  shows); the service, the HTML form, the workbook and the page all read it;
- ``selectors``: the saved basic information, last year's, the computed shares;
- ``validators``: ``validate_basic_info(context, data)``, pure (the web form, the workbook's
  check and the writer ask it);
- ``writers``: ``basic_info_save`` and ``basic_info_copy_previous``.

Percentages are computed from their numerator and denominator and never stored (R27). Each
value may carry its data source and date (F1 row 20) in ``BasicInfo.sources``:
``{field: {"source": "...", "date": "yyyy-mm-dd" or ""}}``.
"""

from __future__ import annotations

from .rows import (
    AUDIT_FIELDS,
    ETHNIC_GROUPS,
    F1_GROUPS,
    F1_ROWS,
    INFO_FIELDS,
    PARTS_OF_WHOLES,
    PERCENTAGES,
    ROWS_BY_FIELD,
    SOURCE_KEYS,
    SOURCE_MAX_LENGTH,
    F1Group,
    F1Row,
    Kind,
    field_label,
)
from .selectors import (
    basic_info_get_or_empty,
    basic_info_is_empty,
    basic_info_percentages,
    basic_info_previous,
)
from .validators import (
    BasicInfoContext,
    BasicInfoData,
    CleanBasicInfo,
    clean_basic_info,
    validate_basic_info,
)
from .writers import (
    basic_info_check,
    basic_info_copy_previous,
    basic_info_copy_previous_check,
    basic_info_save,
)

__all__ = [
    "AUDIT_FIELDS",
    "ETHNIC_GROUPS",
    "F1_GROUPS",
    "F1_ROWS",
    "INFO_FIELDS",
    "PARTS_OF_WHOLES",
    "PERCENTAGES",
    "ROWS_BY_FIELD",
    "SOURCE_KEYS",
    "SOURCE_MAX_LENGTH",
    "BasicInfoContext",
    "BasicInfoData",
    "CleanBasicInfo",
    "F1Group",
    "F1Row",
    "Kind",
    "basic_info_check",
    "basic_info_copy_previous",
    "basic_info_copy_previous_check",
    "basic_info_get_or_empty",
    "basic_info_is_empty",
    "basic_info_percentages",
    "basic_info_previous",
    "basic_info_save",
    "clean_basic_info",
    "field_label",
    "validate_basic_info",
]
