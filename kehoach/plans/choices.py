from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the commune")
    RETURNED = "returned", _("Returned for revision")


class ImplementationMode(models.TextChoices):
    COMMUNITY = "community", _("Community carries it out")
    COMMUNE = "commune", _("Commune carries it out")
    CONTRACTOR = "contractor", _("Contractor")
    OTHER = "other", _("Other")


class LineOutcome(models.TextChoices):
    """What became of a proposal (set when the commune plan is decided; R21)."""

    PENDING = "pending", _("Not decided yet")
    FUNDED = "funded", _("Included and funded")
    UNFUNDED = "unfunded", _("Included, not funded")
    DEFERRED = "deferred", _("Deferred")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another line")


CARRY_OVER_OUTCOMES = [LineOutcome.UNFUNDED, LineOutcome.DEFERRED]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    OTHER = "other", _("Other household")
