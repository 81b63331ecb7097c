"""F6 — the village's proposals (Biểu đề xuất kế hoạch thôn): out pre-filled, in with every
line checked by the same pure validator as the web form
(``plans.services.lines.check_proposal_line``), the plan-level rules R3/R4 shown as warnings
(``validate_plan_lines``), the changes kept with the record (``keep``/``restore``) and applied
at once, with the real user, by the one writer of proposal lines (``proposal_lines_apply``).

The package: ``exporting`` (``export``), ``reading`` (``read``, ``apply``), ``keeping``
(``keep``, ``restore``, ``write``).
"""

from .exporting import FORM, INSTRUCTIONS, export
from .keeping import CODEC, KEPT_VERSION, Restored, keep, restore, write
from .reading import PREVIEW_DETAILS, Reading, apply, read

__all__ = [
    "CODEC",
    "FORM",
    "INSTRUCTIONS",
    "KEPT_VERSION",
    "PREVIEW_DETAILS",
    "Reading",
    "Restored",
    "apply",
    "export",
    "keep",
    "read",
    "restore",
    "write",
]
