"""Where each plan stands and what comes next: the reads behind the home page of every role and
the list of plans on a village's page.

Each function reads through a fixed number of grouped queries, whatever the number of villages,
plans or communes (the home page of a province officer covers 166 communes). Nothing here
writes. The stages are read from the states of the two workflows (``plans.choices.PlanStatus``,
``choices.CommunePlanStatus``) and from ``guards.OPEN_STATES`` (while a commune plan is in those
states its village plans may still change); what a user may *do* is asked of the permission
module and the workflow tables by the caller (``views.home``), never decided here.

- ``villages``: a village plan's stage, the plans of a village team or of one village;
- ``rounds``: a commune's rounds for its planner, what waits for its leader;
- ``province``: communes by stage for a province, rounds for a reading role;
- ``common``: state groups, deadlines, the user's units by role.
"""

from .common import (
    APPROVED_OR_LATER,
    FOLLOWED,
    PUBLISHED_OR_LATER,
    SUBMITTED_OR_LATER,
    Due,
    commune_units,
    due,
)
from .province import (
    READER_ROLES,
    CommuneRow,
    CommuneStage,
    Overview,
    StageGroup,
    commune_stage,
    communes_by_stage,
    overview_units,
    reader_communes,
    rounds_to_read,
)
from .rounds import (
    CommuneRounds,
    MeetingToAccept,
    RoundProgress,
    Step,
    commune_plans_of,
    commune_rounds,
    meetings_short_of_quorum,
)
from .villages import (
    VillagePlanRow,
    VillageStage,
    editor_plan_rows,
    editor_units,
    village_plan_rows,
    village_plans_of,
    village_stage,
)

__all__ = [
    "APPROVED_OR_LATER",
    "FOLLOWED",
    "PUBLISHED_OR_LATER",
    "READER_ROLES",
    "SUBMITTED_OR_LATER",
    "CommuneRounds",
    "CommuneRow",
    "CommuneStage",
    "Due",
    "MeetingToAccept",
    "Overview",
    "RoundProgress",
    "StageGroup",
    "Step",
    "VillagePlanRow",
    "VillageStage",
    "commune_plans_of",
    "commune_rounds",
    "commune_stage",
    "commune_units",
    "communes_by_stage",
    "due",
    "editor_plan_rows",
    "editor_units",
    "meetings_short_of_quorum",
    "overview_units",
    "reader_communes",
    "rounds_to_read",
    "village_plan_rows",
    "village_plans_of",
    "village_stage",
]
