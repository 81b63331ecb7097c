"""The parameters a process profile keeps in ``extra``, parsed once into a typed ``Policy``.

``ProcessProfile.extra`` holds the rule parameters that have not earned a column. Readers never
look into the JSON: they ask ``profile.policy`` (parsed once per profile instance, again only
when ``extra`` changes) for a typed attribute that always has a value — the default when the
profile does not set it or sets it wrongly. ``parse_policy(extra)`` returns the policy and the
problems of the JSON (one ``Problem`` per wrong value, ``where.field`` = the key), which the
model's ``clean`` (and so the admin form) shows as field errors; a key the application does not
know is a problem too (a typo would otherwise be ignored silently).

The settings (defaults equal to what the readers used before issue 14):

================================  =====================================================
``participation_targets``         R10 targets of the village meeting, % (``women_pct``
                                  30, ``poor_pct`` and ``em_pct`` none); 0..100 or null
``supervision_min_members``       members of a community supervision board (5); 1..100
``layouts``                       workbook layout per form (``{"F6": "F6-CHIA-SE"}``)
``document_legal_bases``          the legal bases of the commune plan document (a list
                                  of lines; empty: the general ones)
``document_implementation``       part V of the commune plan document (paragraphs)
``em_village_share_pct``          share of ethnic-minority households that makes a
                                  village an ethnic-minority village (50); 0..100
``commune_plan_steps``            optional steps of the commune plan workflow
                                  (``conference``, ``district_review``)
``priority_weights``              optimiser weights per priority (``"1"`` 3, ``"2"`` 2,
                                  ``"3"`` 1, ``"none"`` 1); 0..1000
``allocation_mode``               allocation applied after a run (``greedy``/``optimal``)
``plan_rules_in_import``          what R3/R4 are in the preview of an imported F6
                                  (``warning``: shown, the upload may be applied;
                                  ``error``: the upload is refused)
================================  =====================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

ALLOCATION_GREEDY = "greedy"
ALLOCATION_OPTIMAL = "optimal"
ALLOCATION_MODES = (ALLOCATION_GREEDY, ALLOCATION_OPTIMAL)
"""The values of ``synthesis.choices.AllocationMode`` (catalog may not import synthesis)."""

COMMUNE_PLAN_STEPS = ("conference", "district_review")

PLAN_RULES_WARNING = "warning"
PLAN_RULES_ERROR = "error"
PLAN_RULES_MODES = (PLAN_RULES_WARNING, PLAN_RULES_ERROR)
"""What the plan-level rules R3/R4 are in an import's preview (``plan_rules_in_import``)."""
PARTICIPATION_KEYS = ("women_pct", "poor_pct", "em_pct")

PERCENT_MIN, PERCENT_MAX = Decimal(0), Decimal(100)
MEMBERS_MIN, MEMBERS_MAX = 1, 100
WEIGHT_MIN, WEIGHT_MAX = Decimal(0), Decimal(1000)

_FORM_RE = re.compile(r"^F\d{1,2}$")
_PRIORITY_KEY_RE = re.compile(r"^(none|[1-9]\d?)$")
_LAYOUT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Policy:
    """Every parameter of ``ProcessProfile.extra``, typed, with its default."""

    participation_targets: Mapping[str, Decimal | None] = field(
        default_factory=lambda: _frozen(
            {"women_pct": Decimal(30), "poor_pct": None, "em_pct": None}
        )
    )
    supervision_min_members: int = 5
    layouts: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    document_legal_bases: tuple[str, ...] = ()
    document_implementation: tuple[str, ...] = ()
    em_village_share_pct: Decimal = Decimal(50)
    commune_plan_steps: frozenset[str] = frozenset()
    priority_weights: Mapping[str, Decimal] = field(
        default_factory=lambda: _frozen(
            {"1": Decimal(3), "2": Decimal(2), "3": Decimal(1), "none": Decimal(1)}
        )
    )
    allocation_mode: str = ALLOCATION_GREEDY
    plan_rules_in_import: str = PLAN_RULES_WARNING

    @property
    def plan_rules_refuse_import(self) -> bool:
        """Whether an import whose lines break R3/R4 is refused (not only warned)."""
        return self.plan_rules_in_import == PLAN_RULES_ERROR

    def layout_code(self, form: str) -> str | None:
        """The layout the profile names for a form, or None (the official one)."""
        return self.layouts.get(form)

    def priority_weight(self, priority: int | None) -> Decimal:
        """The optimiser's weight of a priority (``"none"``'s for a line without one)."""
        key = str(priority) if priority is not None else "none"
        return self.priority_weights.get(key, self.priority_weights["none"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name) for name in self.__dataclass_fields__
        )

    __hash__ = None  # type: ignore[assignment]


DEFAULT_POLICY = Policy()
