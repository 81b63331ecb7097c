from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingKind(models.TextChoices):
    """What kind of money a funding source is (domain.md §6.4)."""

    COMMUNE_BUDGET = "commune_budget", _("Commune budget")
    PROVINCIAL_BUDGET = "provincial_budget", _("Provincial budget")
    NATIONAL_TARGET_PROGRAMME = "national_target_programme", _("National target programme")
    PROGRAMME = "programme", _("Programme")
    ODA = "oda", _("ODA / donor")
    CREDIT = "credit", _("Credit")
    ENTERPRISE = "enterprise", _("Enterprise")
    COMMUNITY = "community", _("Community contribution")
    OTHER = "other", _("Other")


class PriorityBoundScope(models.TextChoices):
    """Which lines of a sector count towards the min/max priority activities (R3, §10 q.2)."""

    ALL_LINES = "all", _("All lines of the sector")
    RANKED_LINES = "ranked", _("Priority-ranked lines only")
