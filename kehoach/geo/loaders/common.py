"""What both loaders share: the reform date and the result of a load."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from kehoach.core.text import fold, name_sort_key, nfc

from ..models import AdministrativeUnit

REFORM_DATE = datetime.date(2025, 7, 1)
LAST_PRE_REFORM_DAY = datetime.date(2025, 6, 30)


@dataclass(frozen=True)
class OfficialRecord:
    code: str
    name: str
    kind: str
    parent_code: str | None


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    moved: int = 0
    ended: int = 0
    reopened: int = 0
    unchanged: int = 0
    successions: int = 0
    messages: list[str] = field(default_factory=list)


def _set_derived(unit: AdministrativeUnit) -> None:
    unit.name = nfc(unit.name)
    unit.sort_key = name_sort_key(unit.name)[:600]
    unit.search_name = fold(unit.name)[:200]
