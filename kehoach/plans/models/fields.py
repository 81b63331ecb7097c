"""The keyword arguments of the plans' number fields: column size and declared bound."""

from __future__ import annotations

from typing import Any

from kehoach.core import bounds

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
AREA: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
LINE_MONEY: dict[str, Any] = {**MONEY, "validators": bounds.MONEY_MVND.validators()}
HA: dict[str, Any] = {**AREA, "validators": bounds.AREA_HA.validators()}
KM: dict[str, Any] = {**AREA, "validators": bounds.LENGTH_KM.validators()}
HH: dict[str, Any] = {"validators": bounds.HOUSEHOLDS.validators()}
PERSONS: dict[str, Any] = {"validators": bounds.PERSONS.validators()}
HEAD: dict[str, Any] = {"validators": bounds.HEAD.validators()}
COUNT: dict[str, Any] = {"validators": bounds.COUNT.validators()}
