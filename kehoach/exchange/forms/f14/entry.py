"""The check of an F14 upload: a workbook downloaded from kehoach is read by its hidden keys
(``reading.read_own``), an officer's own progress sheet by the works' names (``foreign``)."""

from __future__ import annotations

from typing import Any

from kehoach.synthesis.models import CommunePlan

from ...layouts import FormLayout
from ...reading import Book as Upload
from ..base import plan_meta
from .common import FORM
from .foreign import read_foreign
from .reading import Reading, read_own


def read(
    plan: CommunePlan, upload: Upload, layouts: list[FormLayout], actor: Any = None
) -> Reading:
    meta = plan_meta(upload, FORM, plan)
    if not meta:
        return read_foreign(plan, upload, layouts)
    return read_own(plan, upload, layouts, meta)
