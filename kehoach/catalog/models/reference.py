"""Sectors, funding sources, units of measure and socio-economic indicators."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import ExpenditureType, FundingKind, IndicatorGroup
from .common import (
    PERCENT_VALIDATORS,
    bilingual_name,
    parse_comma_list,
    validate_code,
    validate_ntm_criteria,
    validate_unit_code,
)

# --- sectors ----------------------------------------------------------------------------------


class SectorQuerySet(models.QuerySet["Sector"]):
    def active(self) -> SectorQuerySet:
        return self.filter(is_active=True)


class Sector(TimeStampedModel):
    """A sector (lĩnh vực) that proposals and envelope lines are grouped by (domain.md §6.1)."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[validate_code],
        help_text=_("Stable code used in workbooks and the API, for example HT-GT."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    ntm_criteria = models.CharField(
        _("new-rural criteria"),
        max_length=64,
        blank=True,
        validators=[validate_ntm_criteria],
        help_text=_(
            "Numbers of the new-rural commune criteria (1–19) this sector serves, e.g. 2,3."
        ),
    )
    default_expenditure = models.CharField(
        _("default expenditure type"),
        max_length=16,
        choices=ExpenditureType.choices,
        default=ExpenditureType.INVESTMENT,
        help_text=_(
            "Investment or recurrent: what commune plan lines of this sector get by default. "
            "Each line can still be changed."
        ),
    )
    sort_key = models.CharField(max_length=1000, editable=False, db_index=True, default="")

    objects = SectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return bilingual_name(self.name, self.name_en, language)

    def ntm_criteria_list(self) -> list[int]:
        return [int(part) for part in parse_comma_list(self.ntm_criteria) if part.isdigit()]


# --- funding sources --------------------------------------------------------------------------


class FundingSourceQuerySet(models.QuerySet["FundingSource"]):
    def active(self) -> FundingSourceQuerySet:
        return self.filter(is_active=True)

    def valid_in_year(self, year: int) -> FundingSourceQuerySet:
        """Sources whose validity years include *year* (open ends count as valid)."""
        return self.filter(Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=year)).filter(
            Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year)
        )

    def active_for_year(self, year: int) -> FundingSourceQuerySet:
        """Active sources that a plan for *year* may use."""
        return self.active().valid_in_year(year)


class FundingSource(TimeStampedModel):
    """A budget, programme, programme component, donor or contribution type (domain.md §6.4)."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[validate_code],
        help_text=_("Stable code used in workbooks and the API, for example NTM."),
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=FundingKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="components",
        help_text=_("Set this for a component of a programme."),
    )
    valid_from_year = models.PositiveSmallIntegerField(
        _("valid from year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text=_("Leave empty if the source has no start year."),
    )
    valid_to_year = models.PositiveSmallIntegerField(
        _("valid to year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text=_("Leave empty if the source has no end year."),
    )
    counterpart_share_pct = models.DecimalField(
        _("required counterpart share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT_VALIDATORS,
        help_text=_(
            "Share of a line's total cost that the community or the local budget must "
            "contribute when this source funds it (R17)."
        ),
    )
    is_external = models.BooleanField(
        _("external support"),
        default=True,
        help_text=_("Untick for the community's own contribution."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = FundingSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from_year__isnull=True)
                | Q(valid_to_year__isnull=True)
                | Q(valid_from_year__lte=models.F("valid_to_year")),
                name="catalog_funding_valid_from_before_to",
                violation_error_message=_(
                    "The first valid year must not be later than the last valid year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(counterpart_share_pct__gte=0) & Q(counterpart_share_pct__lte=100),
                name="catalog_funding_counterpart_pct_range",
                violation_error_message=_(
                    "The counterpart share must be a percentage from 0 to 100."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return bilingual_name(self.name, self.name_en, language)

    def is_valid_in_year(self, year: int) -> bool:
        """Whether *year* lies within the validity years (ignores ``is_active``)."""
        return (self.valid_from_year is None or self.valid_from_year <= year) and (
            self.valid_to_year is None or year <= self.valid_to_year
        )

    def is_active_for_year(self, year: int) -> bool:
        return self.is_active and self.is_valid_in_year(year)

    def clean(self) -> None:
        super().clean()
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        if self.pk is not None and parent.pk == self.pk:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _("A funding source cannot be a component of itself."),
                        code="parent_is_self",
                    )
                }
            )
        if parent.parent_id is not None:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _(
                            "“%(parent)s” is itself a component; choose the programme it "
                            "belongs to."
                        ),
                        code="parent_is_component",
                        params={"parent": parent.code},
                    )
                }
            )
        starts_early = parent.valid_from_year is not None and (
            self.valid_from_year is None or self.valid_from_year < parent.valid_from_year
        )
        ends_late = parent.valid_to_year is not None and (
            self.valid_to_year is None or self.valid_to_year > parent.valid_to_year
        )
        if starts_early or ends_late:
            raise ValidationError(
                {
                    "valid_from_year" if starts_early else "valid_to_year": ValidationError(
                        _(
                            "A component must lie within the years of its programme "
                            "(%(start)s–%(end)s)."
                        ),
                        code="component_outside_programme",
                        params={
                            "start": parent.valid_from_year or "…",
                            "end": parent.valid_to_year or "…",
                        },
                    )
                }
            )


# --- units of measure -------------------------------------------------------------------------


class UnitOfMeasureQuerySet(models.QuerySet["UnitOfMeasure"]):
    def active(self) -> UnitOfMeasureQuerySet:
        return self.filter(is_active=True)


class UnitOfMeasure(TimeStampedModel):
    """A unit of quantity on proposal lines (đơn vị tính: km, m², hộ, lớp …)."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[validate_unit_code],
        help_text=_("Stable code without diacritics, for example cong-trinh."),
    )
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    aliases = models.CharField(
        _("aliases"),
        max_length=500,
        blank=True,
        help_text=_(
            "Other spellings that mean this unit, separated by commas, without diacritics, "
            "for example: m2, met vuong."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = UnitOfMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        return bilingual_name(self.name, self.name_en, language)

    def alias_list(self) -> list[str]:
        return parse_comma_list(self.aliases)


# --- socio-economic indicators ----------------------------------------------------------------

INDICATOR_GROUP_ORDER = models.Case(
    *(
        models.When(group=value, then=models.Value(position))
        for position, value in enumerate(IndicatorGroup.values)
    ),
    default=models.Value(len(IndicatorGroup.values)),
    output_field=models.PositiveSmallIntegerField(),
)
"""The position of an indicator's group in the targets table (the order of ``IndicatorGroup``)."""


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        return self.filter(is_active=True)


class Indicator(TimeStampedModel):
    """A socio-economic indicator (chỉ tiêu) of the commune targets table (F16).

    The table shows one row per indicator, grouped as in the Hậu Giang commune handbook, with
    its unit and one value per year; ``higher_is_better`` says which way a change is progress
    and ``decimals`` how values are shown.
    """

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[validate_code],
        help_text=_("Stable code used in workbooks and the API, for example HO-NGHEO."),
    )
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    unit = models.CharField(
        _("unit of measure"),
        max_length=64,
        help_text=_("As written in the targets table, for example: %, triệu đồng/người/năm, km."),
    )
    group = models.CharField(_("group"), max_length=32, choices=IndicatorGroup.choices)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick for an indicator that should fall, such as the poor-household rate."),
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimals"),
        default=0,
        validators=[MaxValueValidator(3)],
        help_text=_("Decimal places shown for the values of this indicator (0 to 3)."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = [INDICATOR_GROUP_ORDER.asc(), "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimals__lte=3),
                name="catalog_indicator_decimals_range",
                violation_error_message=_("Values may be shown with at most 3 decimals."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return bilingual_name(self.name, self.name_en, language)
