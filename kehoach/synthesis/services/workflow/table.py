"""The transition table of commune plans under a process profile (R20–R23)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from kehoach.accounts.permissions import Action
from kehoach.approvals.workflow import Transition, Workflow

from ...choices import CommunePlanStatus as S

CONFERENCE = "conference"
DISTRICT_REVIEW = "district_review"
OPTIONAL_STEPS = (CONFERENCE, DISTRICT_REVIEW)
AFTER_APPROVAL = (S.APPROVED, S.PUBLISHED, S.IN_IMPLEMENTATION)


def steps_of(profile: Any) -> set[str]:
    return {step for step in profile.policy.commune_plan_steps if step in OPTIONAL_STEPS}


def commune_plan_workflow(profile: Any) -> Workflow:
    """The transition table of commune plans under this process profile."""
    steps = steps_of(profile)
    submit_from = S.CONFERENCE if CONFERENCE in steps else S.DRAFT
    approve_from = S.DISTRICT_REVIEWED if DISTRICT_REVIEW in steps else S.SUBMITTED
    table: list[Transition] = []
    if CONFERENCE in steps:
        table.append(
            Transition(
                "agree",
                S.DRAFT,
                S.CONFERENCE,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Record the agreement of the commune conference"),
                needs_comment=True,
            )
        )
        table.append(
            Transition(
                "reopen",
                S.CONFERENCE,
                S.DRAFT,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Reopen the draft"),
                needs_comment=True,
            )
        )
    table.append(
        Transition(
            "submit",
            submit_from,
            S.SUBMITTED,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Submit for approval"),
        )
    )
    for source in (
        (S.SUBMITTED, S.DISTRICT_REVIEWED) if DISTRICT_REVIEW in steps else (S.SUBMITTED,)
    ):
        table.append(
            Transition(
                "return",
                source,
                S.RETURNED,
                Action.RETURN_COMMUNE_PLAN,
                gettext_lazy("Return for revision"),
            )
        )
    table.append(
        Transition(
            "revise",
            S.RETURNED,
            S.DRAFT,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Reopen for revision"),
        )
    )
    if DISTRICT_REVIEW in steps:
        table.append(
            Transition(
                "review",
                S.SUBMITTED,
                S.DISTRICT_REVIEWED,
                Action.REVIEW_COMMUNE_PLAN_DISTRICT,
                gettext_lazy("Record the district's review"),
                needs_comment=True,
            )
        )
    table += [
        Transition(
            "approve",
            approve_from,
            S.APPROVED,
            Action.APPROVE_COMMUNE_PLAN,
            gettext_lazy("Approve (council resolution)"),
        ),
        Transition(
            "publish",
            S.APPROVED,
            S.PUBLISHED,
            Action.PUBLISH_COMMUNE_PLAN,
            gettext_lazy("Publish and send the feedback to the villages"),
        ),
        Transition(
            "start",
            S.PUBLISHED,
            S.IN_IMPLEMENTATION,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Start implementation"),
        ),
        Transition(
            "evaluate",
            S.IN_IMPLEMENTATION,
            S.EVALUATED,
            Action.SUBMIT_COMMUNE_PLAN,
            gettext_lazy("Mark the year as evaluated"),
        ),
        Transition(
            "close",
            S.EVALUATED,
            S.CLOSED,
            Action.APPROVE_COMMUNE_PLAN,
            gettext_lazy("Close the plan"),
        ),
    ]
    for source in AFTER_APPROVAL:
        table.append(
            Transition(
                "amend",
                source,
                S.DRAFT,
                Action.SUBMIT_COMMUNE_PLAN,
                gettext_lazy("Start an amendment"),
                needs_comment=True,
            )
        )
    return Workflow(name="commune_plan", transitions=table)


CONFIRMED_ACTIONS = ("submit", "approve", "publish")
"""Steps a user confirms on a page of their own first, told what becomes irreversible."""
