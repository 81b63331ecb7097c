"""The parameters a process profile keeps in ``extra``, parsed once into a typed ``Policy``
(``settings``: the typed policy and its defaults; ``parsing``: the JSON read key by key, with
its problems)."""

from .parsing import KEYS, parse_policy, policy_problems
from .settings import (
    ALLOCATION_GREEDY,
    ALLOCATION_MODES,
    ALLOCATION_OPTIMAL,
    COMMUNE_PLAN_STEPS,
    DEFAULT_POLICY,
    PARTICIPATION_KEYS,
    PLAN_RULES_ERROR,
    PLAN_RULES_MODES,
    PLAN_RULES_WARNING,
    Policy,
)

__all__ = [
    "ALLOCATION_GREEDY",
    "ALLOCATION_MODES",
    "ALLOCATION_OPTIMAL",
    "COMMUNE_PLAN_STEPS",
    "DEFAULT_POLICY",
    "KEYS",
    "PARTICIPATION_KEYS",
    "PLAN_RULES_ERROR",
    "PLAN_RULES_MODES",
    "PLAN_RULES_WARNING",
    "Policy",
    "parse_policy",
    "policy_problems",
]
