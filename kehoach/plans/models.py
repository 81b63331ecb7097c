"""Planning rounds and village plans (VDP): basic information F1, findings F3/F4, ranking F5,
proposals F6, meeting F8.

Amounts are Decimal million VND (``*_mvnd``). Percentages are never stored: they are computed
from their numerator and denominator (R27). Every write goes through ``services``.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold

from .choices import ImplementationMode, LineOutcome, PlanStatus, PovertyStatus, Sex

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 3}
AREA: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
LINE_MONEY: dict[str, Any] = {**MONEY, "validators": bounds.MONEY_MVND.validators()}
HA: dict[str, Any] = {**AREA, "validators": bounds.AREA_HA.validators()}
KM: dict[str, Any] = {**AREA, "validators": bounds.LENGTH_KM.validators()}
HH: dict[str, Any] = {"validators": bounds.HOUSEHOLDS.validators()}
PERSONS: dict[str, Any] = {"validators": bounds.PERSONS.validators()}
HEAD: dict[str, Any] = {"validators": bounds.HEAD.validators()}
COUNT: dict[str, Any] = {"validators": bounds.COUNT.validators()}


class PlanningRound(TimeStampedModel):
    """One commune's planning for one plan year (kỳ lập kế hoạch)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commune = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="planning_rounds",
    )
    plan_year = models.PositiveSmallIntegerField(
        _("plan year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    profile = models.ForeignKey(
        "catalog.ProcessProfile",
        verbose_name=_("process profile"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposals_due = models.DateField(_("village proposals due"), null=True, blank=True)
    synthesis_due = models.DateField(_("commune synthesis due"), null=True, blank=True)
    approval_due = models.DateField(_("approval due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("planning round")
        verbose_name_plural = _("planning rounds")
        ordering = ["-plan_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "plan_year"], name="plans_round_one_per_commune_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} · {self.plan_year}"


class VillagePlan(TimeStampedModel):
    """Kế hoạch thôn (VDP) of one village in one round."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        PlanningRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="plans"
    )
    village = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="village_plans",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    quorum_override_reason = models.TextField(_("reason for accepting the meeting"), blank=True)
    quorum_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("village plan")
        verbose_name_plural = _("village plans")
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="plans_one_plan_per_village"),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.round.plan_year}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


@bounded
class BasicInfo(TimeStampedModel):
    """F1 — Thông tin cơ bản của thôn. Each value may carry its source and date in ``sources``
    ({field: {"source": "...", "date": "yyyy-mm-dd"}})."""

    plan = models.OneToOneField(VillagePlan, on_delete=models.CASCADE, related_name="basic_info")
    total_households = models.PositiveIntegerField(
        _("total households"), null=True, blank=True, **HH
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True, **PERSONS)
    population_female = models.PositiveIntegerField(
        _("of which female"), null=True, blank=True, **PERSONS
    )
    em_households = models.PositiveIntegerField(
        _("ethnic-minority households"), null=True, blank=True, **HH
    )
    poor_households = models.PositiveIntegerField(_("poor households"), null=True, blank=True, **HH)
    near_poor_households = models.PositiveIntegerField(
        _("near-poor households"), null=True, blank=True, **HH
    )
    female_headed_households = models.PositiveIntegerField(
        _("female-headed households"), null=True, blank=True, **HH
    )
    labour_force = models.PositiveIntegerField(_("labour force"), null=True, blank=True, **PERSONS)
    labour_female = models.PositiveIntegerField(
        _("of which female labour"), null=True, blank=True, **PERSONS
    )
    land_wet_rice_ha = models.DecimalField(_("wet rice land"), null=True, blank=True, **HA)
    land_upland_ha = models.DecimalField(_("upland fields"), null=True, blank=True, **HA)
    land_perennial_ha = models.DecimalField(
        _("perennial and cash crops"), null=True, blank=True, **HA
    )
    land_garden_ha = models.DecimalField(_("home gardens"), null=True, blank=True, **HA)
    forest_production_ha = models.DecimalField(_("production forest"), null=True, blank=True, **HA)
    forest_protection_ha = models.DecimalField(_("protection forest"), null=True, blank=True, **HA)
    forest_special_ha = models.DecimalField(_("special-use forest"), null=True, blank=True, **HA)
    land_residential_ha = models.DecimalField(_("residential land"), null=True, blank=True, **HA)
    land_unused_ha = models.DecimalField(_("unused land"), null=True, blank=True, **HA)
    buffalo = models.PositiveIntegerField(_("buffalo"), null=True, blank=True, **HEAD)
    cattle = models.PositiveIntegerField(_("cattle"), null=True, blank=True, **HEAD)
    pigs = models.PositiveIntegerField(_("pigs"), null=True, blank=True, **HEAD)
    poultry = models.PositiveIntegerField(_("poultry"), null=True, blank=True, **HEAD)
    fish_pond_ha = models.DecimalField(_("fish ponds"), null=True, blank=True, **HA)
    road_length_km = models.DecimalField(
        _("road to the commune centre"), null=True, blank=True, **KM
    )
    road_surface = models.CharField(_("road surface"), max_length=100, blank=True)
    road_all_season = models.BooleanField(_("road usable all year"), null=True, blank=True)
    electricity_households = models.PositiveIntegerField(
        _("households with grid electricity"), null=True, blank=True, **HH
    )
    clean_water_households = models.PositiveIntegerField(
        _("households with hygienic water"), null=True, blank=True, **HH
    )
    latrine_households = models.PositiveIntegerField(
        _("households with a hygienic latrine"), null=True, blank=True, **HH
    )
    classrooms_solid = models.PositiveIntegerField(
        _("solid classrooms"), null=True, blank=True, **COUNT
    )
    classrooms_temporary = models.PositiveIntegerField(
        _("temporary classrooms"), null=True, blank=True, **COUNT
    )
    has_cultural_house = models.BooleanField(_("cultural house"), null=True, blank=True)
    has_sports_ground = models.BooleanField(_("sports ground"), null=True, blank=True)
    cultural_house_state = models.CharField(
        _("state of the cultural house"), max_length=200, blank=True
    )
    irrigation_canal_km = models.DecimalField(_("irrigation canals"), null=True, blank=True, **KM)
    irrigated_area_ha = models.DecimalField(_("irrigated area"), null=True, blank=True, **HA)
    income_per_capita_mvnd = models.DecimalField(
        _("average income per person"),
        null=True,
        blank=True,
        **MONEY,
        validators=bounds.INCOME_MVND.validators(),
    )
    food_shortage_months = models.PositiveSmallIntegerField(
        _("months of food shortage"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(12)],
    )
    is_extremely_difficult = models.BooleanField(_("extremely difficult village"), default=False)
    is_border = models.BooleanField(_("border village"), default=False)
    is_p135 = models.BooleanField(_("Programme 135 village"), default=False)
    ntm_status = models.CharField(_("new-rural status"), max_length=100, blank=True)
    sources = models.JSONField(_("data sources"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("village basic information")
        verbose_name_plural = _("village basic information")
        constraints = [
            models.CheckConstraint(
                condition=Q(food_shortage_months__isnull=True) | Q(food_shortage_months__lte=12),
                name="plans_info_food_months_le_12",
            ),
        ]

    def __str__(self) -> str:
        return str(self.plan)


@bounded
class EthnicGroup(models.Model):
    """F1 row 3: households and persons of one ethnic group."""

    info = models.ForeignKey(BasicInfo, on_delete=models.CASCADE, related_name="ethnic_groups")
    name = models.CharField(_("ethnic group"), max_length=100)
    households = models.PositiveIntegerField(_("households"), default=0, **HH)
    persons = models.PositiveIntegerField(_("persons"), default=0, **PERSONS)

    class Meta:
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")
        ordering = ["-households", "name"]
        constraints = [
            models.UniqueConstraint(fields=["info", "name"], name="plans_ethnic_group_unique"),
        ]

    def __str__(self) -> str:
        return self.name


@bounded
class SwotEntry(TimeStampedModel):
    """F3 — one sector's strengths, weaknesses, opportunities and threats."""

    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="swot_entries")
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    strengths = models.TextField(_("strengths"), blank=True, max_length=bounds.LONG_TEXT)
    weaknesses = models.TextField(_("weaknesses"), blank=True, max_length=bounds.LONG_TEXT)
    opportunities = models.TextField(_("opportunities"), blank=True, max_length=bounds.LONG_TEXT)
    threats = models.TextField(_("threats"), blank=True, max_length=bounds.LONG_TEXT)
    implication = models.TextField(
        _("what it means for the plan"), blank=True, max_length=bounds.LONG_TEXT
    )

    class Meta:
        verbose_name = _("SWOT entry")
        verbose_name_plural = _("SWOT entries")
        constraints = [
            models.UniqueConstraint(fields=["plan", "sector"], name="plans_swot_one_per_sector"),
        ]

    def __str__(self) -> str:
        return f"SWOT · {self.sector}"


@bounded
class Problem(TimeStampedModel):
    """F4 — a problem, its causes and the solutions it calls for (``solutions``, each linked
    to the F6 lines it produced)."""

    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="problems")
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField(_("problem"), max_length=bounds.NOTE_TEXT)
    affected_households = models.PositiveIntegerField(_("households affected"), default=0, **HH)
    affected_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HH)
    affected_women = models.PositiveIntegerField(_("women affected"), default=0, **HH)
    affected_em = models.PositiveIntegerField(_("of which ethnic minority"), default=0, **HH)
    causes = models.TextField(
        _("causes"), blank=True, help_text=_("One cause per line."), max_length=bounds.LONG_TEXT
    )
    priority = models.PositiveSmallIntegerField(_("problem priority"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(affected_poor__lte=F("affected_households"))
                & Q(affected_em__lte=F("affected_households")),
                name="plans_problem_affected_parts",
            ),
        ]

    def __str__(self) -> str:
        return self.problem[:80]

    def cause_list(self) -> list[str]:
        return [c.strip() for c in self.causes.splitlines() if c.strip()]


@bounded
class Solution(models.Model):
    """F4 col. 6 — one solution of a problem, linked to the F6 lines it produced (none yet,
    one, or several: a solution may become several proposals, and a proposal may answer
    several solutions)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="solutions")
    position = models.PositiveSmallIntegerField(_("no."))
    text = models.TextField(_("solution"), max_length=bounds.NOTE_TEXT)
    lines = models.ManyToManyField(  # type: ignore[var-annotated]
        "ProposalLine",
        verbose_name=_("proposals it produced"),
        blank=True,
        related_name="solutions",
    )

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "position"], name="plans_solution_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class RankingItem(TimeStampedModel):
    """F5 — one problem or activity scored against the profile's ranking criteria."""

    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="ranking_items")
    label = models.CharField(_("problem or activity"), max_length=300)
    line = models.ForeignKey(
        "ProposalLine",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ranking_items",
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ranking item")
        verbose_name_plural = _("ranking items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


@bounded
class VillageMeeting(TimeStampedModel):
    """F8 — the village meeting that discussed and voted the plan (R9, R10)."""

    plan = models.OneToOneField(VillagePlan, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=150)
    secretary = models.CharField(_("secretary"), max_length=150, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=bounds.LONG_TEXT)
    commune_staff = models.CharField(_("commune staff present"), max_length=300, blank=True)
    households_total = models.PositiveIntegerField(_("households in the village"), **HH)
    households_represented = models.PositiveIntegerField(_("households represented"), **HH)
    participants_total = models.PositiveIntegerField(_("participants"), **PERSONS)
    participants_women = models.PositiveIntegerField(_("of which women"), default=0, **PERSONS)
    participants_poor = models.PositiveIntegerField(
        _("of which from poor or near-poor households"), default=0, **PERSONS
    )
    participants_em = models.PositiveIntegerField(
        _("of which ethnic minority"), default=0, **PERSONS
    )
    participants_youth = models.PositiveIntegerField(
        _("of which young people"), null=True, blank=True, **PERSONS
    )
    participants_elderly = models.PositiveIntegerField(
        _("of which elderly"), null=True, blank=True, **PERSONS
    )
    decision = models.TextField(_("decision"), max_length=bounds.LONG_TEXT)
    votes_agree = models.PositiveIntegerField(_("agree"), **PERSONS)
    votes_disagree = models.PositiveIntegerField(_("disagree"), default=0, **PERSONS)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0, **PERSONS)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("village meeting")
        verbose_name_plural = _("village meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(households_represented__lte=F("households_total")),
                name="plans_meeting_represented_le_total",
            ),
            models.CheckConstraint(
                condition=Q(participants_women__lte=F("participants_total"))
                & Q(participants_poor__lte=F("participants_total"))
                & Q(participants_em__lte=F("participants_total")),
                name="plans_meeting_parts_le_participants",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.held_on:%d/%m/%Y}"


@bounded
class Attendee(models.Model):
    """F8 attendance list (optional): one row per person who attended the village meeting."""

    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="attendees")
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnic group"), max_length=100, blank=True)
    poverty_status = models.CharField(
        _("household"), max_length=16, choices=PovertyStatus.choices, default=PovertyStatus.OTHER
    )
    household = models.CharField(_("household represented"), max_length=150, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_ethnic_minority(self) -> bool:
        """Every ethnic group but the Kinh is an ethnic minority (dân tộc thiểu số)."""
        return is_ethnic_minority(self.ethnicity)

    @property
    def is_poor_or_near_poor(self) -> bool:
        return self.poverty_status in (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


def is_ethnic_minority(ethnicity: str) -> bool:
    """True for a named ethnic group other than the Kinh ("Kinh", "người Kinh", "Việt");
    an empty ethnicity is not counted."""
    words = re.findall(r"[a-z]+", fold(ethnicity or ""))
    if not words:
        return False
    return "kinh" not in words and words not in (["viet"], ["nguoi", "viet"])


class ProposalLineQuerySet(models.QuerySet["ProposalLine"]):
    def alive(self) -> ProposalLineQuerySet:
        return self.filter(deleted_at__isnull=True)


@bounded
class ProposalLine(TimeStampedModel):
    """F6 — one proposed activity of a village plan (Biểu đề xuất kế hoạch thôn)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VillagePlan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("no."), validators=bounds.LINE_NUMBER.validators())
    sector = models.ForeignKey(
        "catalog.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("activity"), max_length=300)
    location = models.CharField(_("location"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit of measure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=bounds.QUANTITY.validators()
    )
    start_month = models.DateField(_("start"))
    end_month = models.DateField(_("end"))
    total_cost_mvnd = models.DecimalField(_("total cost"), **LINE_MONEY)
    contribution_mvnd = models.DecimalField(
        _("village contribution"), default=Decimal(0), **LINE_MONEY
    )
    contribution_cash_mvnd = models.DecimalField(
        _("of which cash"), default=Decimal(0), **LINE_MONEY
    )
    contribution_labour_days = models.DecimalField(
        _("labour days"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LABOUR_DAYS.validators(),
    )
    contribution_labour_mvnd = models.DecimalField(
        _("of which labour"), default=Decimal(0), **LINE_MONEY
    )
    contribution_materials_mvnd = models.DecimalField(
        _("of which materials and land"), default=Decimal(0), **LINE_MONEY
    )
    contribution_land_m2 = models.DecimalField(
        _("land donated"),
        default=Decimal(0),
        max_digits=12,
        decimal_places=1,
        validators=bounds.LAND_M2.validators(),
    )
    external_support_mvnd = models.DecimalField(
        _("external support requested"), default=Decimal(0), **LINE_MONEY
    )
    proposed_source = models.ForeignKey(
        "catalog.FundingSource",
        verbose_name=_("proposed source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beneficiary_households = models.PositiveIntegerField(
        _("beneficiary households"), default=0, **HH
    )
    beneficiary_poor = models.PositiveIntegerField(_("of which poor"), default=0, **HH)
    beneficiary_em = models.PositiveIntegerField(_("of which ethnic minority"), default=0, **HH)
    implementation_mode = models.CharField(
        _("implementation"),
        max_length=16,
        choices=ImplementationMode.choices,
        default=ImplementationMode.COMMUNITY,
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=bounds.NOTE_TEXT)
    meeting = models.ForeignKey(
        VillageMeeting,
        verbose_name=_("meeting that decided the contribution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=LineOutcome.choices, default=LineOutcome.PENDING
    )
    origin = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ProposalLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost_mvnd__gte=0)
                & Q(contribution_mvnd__gte=0)
                & Q(contribution_cash_mvnd__gte=0)
                & Q(contribution_labour_mvnd__gte=0)
                & Q(contribution_labour_days__gte=0)
                & Q(contribution_materials_mvnd__gte=0)
                & Q(contribution_land_m2__gte=0)
                & Q(external_support_mvnd__gte=0),
                name="plans_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="plans_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__isnull=True) | Q(priority__gte=1),
                name="plans_line_priority_positive",
            ),
            models.CheckConstraint(
                condition=Q(start_month__lte=F("end_month")), name="plans_line_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_poor__lte=F("beneficiary_households"))
                & Q(beneficiary_em__lte=F("beneficiary_households")),
                name="plans_line_beneficiary_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.activity}"
