"""F1 — the village's basic information and its ethnic groups."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core import bounds
from kehoach.core.bounds import bounded
from kehoach.core.models import TimeStampedModel

from .fields import COUNT, HA, HEAD, HH, KM, MONEY, PERSONS
from .rounds import VillagePlan


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
