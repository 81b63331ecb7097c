from .commune import (
    MediumTermCommuneLine,
    MediumTermCommuneLineYear,
    MediumTermCommunePlan,
    MediumTermFrameLine,
    MediumTermOperation,
    MediumTermSource,
)
from .lines import ACTIVITY_FIELDS, MediumTermLine, MediumTermLineYear
from .rounds import MediumTermPlan, MediumTermRound

__all__ = [
    "ACTIVITY_FIELDS",
    "MediumTermCommuneLine",
    "MediumTermCommuneLineYear",
    "MediumTermCommunePlan",
    "MediumTermFrameLine",
    "MediumTermLine",
    "MediumTermLineYear",
    "MediumTermOperation",
    "MediumTermPlan",
    "MediumTermRound",
    "MediumTermSource",
]
