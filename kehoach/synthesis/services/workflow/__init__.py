"""The commune plan's workflow (R20–R23), one module per job: the transition table
(``table``), the rules of the steps (``guards``), who is told (``notify``) and the services
that apply a step (``transitions``). Who may take a step now (``can_submit`` …) is in
``kehoach.synthesis.permissions``; the approved versions are read with
``kehoach.synthesis.versions`` (both re-exported here for the callers of before)."""

from ...versions import (
    Fate,
    latest_version,
    version_amendment_reason,
    version_fates,
    village_feedback,
)
from .guards import (
    TRANSITION_GUARDS,
    TransitionGuard,
    precondition,
    register_transition_guard,
    undecided_lines,
)
from .table import (
    AFTER_APPROVAL,
    CONFERENCE,
    CONFIRMED_ACTIONS,
    DISTRICT_REVIEW,
    OPTIONAL_STEPS,
    commune_plan_workflow,
    steps_of,
)
from .transitions import (
    clean_resolution,
    commune_plan_approve,
    commune_plan_approve_check,
    commune_plan_transition,
    commune_plan_transition_check,
    validate_resolution,
)

__all__ = [
    "AFTER_APPROVAL",
    "CONFERENCE",
    "CONFIRMED_ACTIONS",
    "DISTRICT_REVIEW",
    "OPTIONAL_STEPS",
    "TRANSITION_GUARDS",
    "Fate",
    "TransitionGuard",
    "clean_resolution",
    "commune_plan_approve",
    "commune_plan_approve_check",
    "commune_plan_transition",
    "commune_plan_transition_check",
    "commune_plan_workflow",
    "latest_version",
    "precondition",
    "register_transition_guard",
    "steps_of",
    "undecided_lines",
    "validate_resolution",
    "version_amendment_reason",
    "version_fates",
    "village_feedback",
]
