from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EnvelopeOrigin(models.TextChoices):
    """Who entered an envelope line: the province (programme and provincial money) or the
    commune (its own budget and other sources)."""

    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class Firmness(models.TextChoices):
    """How sure an envelope amount is (F11 col. 10)."""

    NOTIFIED = "notified", _("Notified figure")
    INDICATIVE = "indicative", _("Indicative")
    EXPECTED = "expected", _("Expected")


class AreaScope(models.TextChoices):
    """Where an envelope line may be spent (F11 col. 6)."""

    ALL = "all", _("The whole commune")
    LISTED = "listed", _("Listed villages only")
    FLAGGED = "flagged", _("Villages with a classification")


class VillageFlag(models.TextChoices):
    """Village classifications an envelope line can be restricted to (F1 row 19)."""

    EXTREMELY_DIFFICULT = "extremely_difficult", _("extremely difficult villages")
    ETHNIC_MINORITY = "ethnic_minority", _("ethnic-minority villages")
    P135 = "p135", _("Programme 135 villages")
    BORDER = "border", _("border villages")


class CommunePlanStatus(models.TextChoices):
    """States of a commune plan (R20); a process profile may add the conference and the
    pre-2025 district review (``synthesis.services.workflow``)."""

    DRAFT = "draft", pgettext_lazy("commune plan status", "Draft")
    CONFERENCE = "conference", _("Agreed at the commune conference")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", pgettext_lazy("commune plan status", "Returned for revision")
    DISTRICT_REVIEWED = "district_reviewed", _("Reviewed by the district")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    IN_IMPLEMENTATION = "in_implementation", _("In implementation")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")


class LineState(models.TextChoices):
    """Whether a commune line is part of the plan or was replaced by another line."""

    ACTIVE = "active", _("In the plan")
    MERGED = "merged", _("Merged into another line")
    SPLIT = "split", _("Split into parts")
    WITHDRAWN = "withdrawn", _("Withdrawn by the village")
    REMOVED = "removed", _("Removed")


class Decision(models.TextChoices):
    """The commune's decision on a line (F9 col. St, R21)."""

    PENDING = "pending", _("Not decided yet")
    FUNDED = "funded", _("In the plan, funded")
    UNFUNDED = "unfunded", _("In the plan, not funded")
    DEFERRED = "deferred", _("Deferred")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


class DecisionOrigin(models.TextChoices):
    NONE = "", _("none")
    ALLOCATION = "allocation", _("allocation")
    MANUAL = "manual", _("decided by the planner")
    MERGE = "merge", _("merge")


class Review(models.TextChoices):
    """Why a line needs the planner's attention after synthesis."""

    NONE = "", _("nothing to review")
    NEW = "new", _("new since the last synthesis")
    CHANGED = "changed", _("changed by the village")
    WITHDRAWN = "withdrawn", _("withdrawn by the village")


class AllocationMode(models.TextChoices):
    GREEDY = "greedy", _("By priority and score")
    OPTIMAL = "optimal", _("Optimised")
