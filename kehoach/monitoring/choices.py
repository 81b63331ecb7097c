from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgressStatus(models.TextChoices):
    """Where a work stands (F14)."""

    NOT_STARTED = "not_started", _("Not started")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


NEEDS_REASON = (ProgressStatus.SUSPENDED, ProgressStatus.CANCELLED)
"""A suspended or cancelled work says why."""

UNFINISHED = (
    ProgressStatus.NOT_STARTED,
    ProgressStatus.ONGOING,
    ProgressStatus.SUSPENDED,
    ProgressStatus.CANCELLED,
)
"""Not done by the evaluation: carried into next year's round."""


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Before the works")
    DURING = "during", _("During the works")
    AFTER = "after", _("After the works")


class MemberRole(models.TextChoices):
    HEAD = "head", _("Head of the board")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")


class MemberOrganisation(models.TextChoices):
    """Who a supervision board member stands for (Law on investment supervision by the
    community: the commune Front, the People's Inspectorate, residents of the village)."""

    FRONT = "front", _("Commune Fatherland Front")
    INSPECTORATE = "inspectorate", _("People's Inspectorate")
    RESIDENT = "resident", _("Resident of the village")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")


class Opinion(models.TextChoices):
    """What the beneficiaries think of a finished work (F15)."""

    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")
    NOT_ASKED = "not_asked", _("Not asked yet")
