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


class ExpenditureType(models.TextChoices):
    """Investment or recurrent spending (F11 col. 7): Decree 38/2023 has local NTP plans detail
    state-budget money by development investment and recurrent expenditure."""

    INVESTMENT = "investment", _("Development investment")
    RECURRENT = "recurrent", _("Recurrent")


class IndicatorGroup(models.TextChoices):
    """Groups of the socio-economic targets table (F16), in the order of the Hậu Giang commune
    handbook (domain.md F16). The order here is the order of the table."""

    GENERAL = "general", _("General targets")
    ECONOMY = "economy", _("Economy and public services supporting the economy")
    INFRASTRUCTURE = "infrastructure", _("Construction and infrastructure")
    EDUCATION_HEALTH = "education_health", _("Education and public health")
    ENVIRONMENT = "environment", _("Environment")
    ADMINISTRATION = (
        "administration",
        _("Public administration reform and local government capacity"),
    )
    SECURITY = "security", _("Defence and security")


class AliasKind(models.TextChoices):
    """What an alias names: which of the catalog's lists a typed name is looked up in."""

    SECTOR = "sector", _("Sector")
    SOURCE = "source", _("Funding source")
    UNIT = "unit", _("Unit of measure")


class PraTheme(models.TextChoices):
    """The thematic areas of the Helvetas PRA tools (domain.md §6.2, F2), in their order."""

    GENERAL = "general", _("General information")
    LAND_USE = "land_use", _("Land-use planning and land allocation")
    PADDY_UPLAND = "paddy_upland", _("Paddy and upland cultivation")
    GARDEN_CASH_CROPS = "garden_cash_crops", _("Home garden and cash crops")
    LIVESTOCK = "livestock", _("Livestock")
    FORESTRY = "forestry", _("Forestry and non-timber forest products")
    ECONOMY = "economy", _("Economy, marketing and inputs")
    ORGANISATION = "organisation", _("Organisational development")
    EDUCATION_HEALTH = "education_health", _("Education and health")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    OTHER = "other", _("Other (drinking water, women's issues, culture)")
