"""Reference data every plan refers to: sectors, funding sources, units, indicators, profiles.

Each row has a stable public ``code`` (used by workbooks, the API and other apps) and
Vietnamese ``name`` with an optional English ``name_en``. Rows are seeded by
``manage.py load_catalog`` and edited by administrators; retired rows are deactivated, not
deleted, because plans keep pointing at them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from .choices import ExpenditureType, FundingKind, IndicatorGroup, PriorityBoundScope
from .defaults import default_ranking_criteria, default_scoring_criteria

NTM_CRITERIA_COUNT = 19
"""The national new-rural-commune criteria are numbered 1..19 (domain.md §6.3)."""

validate_code = RegexValidator(
    r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$",
    _(
        "Use only letters without diacritics, digits and single hyphens between them, "
        "for example HT-GT."
    ),
    code="invalid_code",
)
validate_unit_code = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _(
        "Use only lower-case letters without diacritics, digits and single hyphens between "
        "them, for example cong-trinh."
    ),
    code="invalid_code",
)
validate_province_code = RegexValidator(
    r"^[0-9]{2}$",
    _("Enter the province's two-digit official code, for example 44."),
    code="invalid_province_code",
)

_NTM_RE = re.compile(r"^\s*\d+\s*(?:,\s*\d+\s*)*$")
_CRITERION_CODE_RE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def validate_ntm_criteria(value: str) -> None:
    """A comma list of new-rural criteria numbers 1..19 ("2,3"); empty is allowed."""
    if not value.strip():
        return
    message = _(
        "Enter new-rural criteria numbers from 1 to %(max)d separated by commas, for example 2,3."
    )
    if not _NTM_RE.match(value):
        raise ValidationError(
            message, code="invalid_ntm_criteria", params={"max": NTM_CRITERIA_COUNT}
        )
    for part in value.split(","):
        if not 1 <= int(part) <= NTM_CRITERIA_COUNT:
            raise ValidationError(
                message, code="invalid_ntm_criteria", params={"max": NTM_CRITERIA_COUNT}
            )


def parse_comma_list(value: str) -> list[str]:
    """Split a comma list, dropping blanks: ``"a, b,,c" -> ["a", "b", "c"]``."""
    return [part.strip() for part in value.split(",") if part.strip()]


def bilingual_name(name: str, name_en: str, language: str | None = None) -> str:
    """*name_en* when the language (the active one by default) is English and it is set."""
    language = language or get_language() or ""
    if name_en and language.lower().split("-")[0] == "en":
        return name_en
    return name


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


# --- process profiles -------------------------------------------------------------------------


class ProcessProfile(TimeStampedModel):
    """The rule parameters of one planning process: the default, a province's or a programme's.

    Rules read their parameters from here (R3, R4, R2, R9, R26, F5, F10) rather than from
    code, so a province or donor programme can differ without a release. Parameters that
    later features add go in ``extra`` until they earn a column.
    """

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    province_code = models.CharField(
        _("province code"),
        max_length=2,
        blank=True,
        db_index=True,
        validators=[validate_province_code],
        help_text=_(
            "Official code of the province that uses this profile. Leave empty for the "
            "default profile or a programme's profile that applies everywhere."
        ),
    )
    programme = models.ForeignKey(
        FundingSource,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="process_profiles",
        help_text=_("Set this for the profile of a donor or national programme."),
    )
    is_default = models.BooleanField(
        _("default profile"),
        default=False,
        help_text=_("Used where no province or programme profile applies. Only one."),
    )
    min_priority_activities_per_sector = models.PositiveSmallIntegerField(
        _("minimum priority activities per sector"), default=1
    )
    max_priority_activities_per_sector = models.PositiveSmallIntegerField(
        _("maximum priority activities per sector"), default=3
    )
    priority_bound_applies_to = models.CharField(
        _("lines counted by the bound"),
        max_length=16,
        choices=PriorityBoundScope.choices,
        default=PriorityBoundScope.RANKED_LINES,
    )
    unique_ranks_within_sector = models.BooleanField(
        _("unique ranks within a sector"),
        default=False,
        help_text=_(
            "Tick if priorities are positions (one line per rank in a village's sector); "
            "untick if they are levels that several lines may share."
        ),
    )
    min_priority = models.PositiveSmallIntegerField(
        _("smallest priority number (highest priority)"), default=1
    )
    max_priority = models.PositiveSmallIntegerField(
        _("largest priority number (lowest priority)"), default=3
    )
    quorum_households_pct = models.DecimalField(
        _("quorum: households represented (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=PERCENT_VALIDATORS,
        help_text=_("A village meeting is valid only with more than this share of households."),
    )
    quorum_agreement_pct = models.DecimalField(
        _("approval: attendees agreeing (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=PERCENT_VALIDATORS,
        help_text=_("A decision passes only when more than this share of attendees agree."),
    )
    money_decimals = models.PositiveSmallIntegerField(
        _("decimals for money"),
        default=1,
        validators=[MaxValueValidator(3)],
        help_text=_("Decimal places shown for amounts in million VND."),
    )
    ranking_criteria = models.JSONField(
        _("village ranking criteria"),
        default=default_ranking_criteria,
        help_text=_('A list of {"code", "name", "name_en", "weight"} (form F5).'),
    )
    scoring_criteria = models.JSONField(
        _("commune scoring criteria"),
        default=default_scoring_criteria,
        help_text=_('A list of {"code", "name", "name_en", "weight"} (form F10).'),
    )
    extra = models.JSONField(_("other parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("process profile")
        verbose_name_plural = _("process profiles")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="catalog_profile_one_default",
                violation_error_message=_("Another process profile is already the default."),
            ),
            models.UniqueConstraint(
                fields=["province_code"],
                condition=Q(is_active=True, programme__isnull=True) & ~Q(province_code=""),
                name="catalog_profile_one_per_province",
                violation_error_message=_("This province already has an active process profile."),
            ),
            models.UniqueConstraint(
                fields=["programme", "province_code"],
                condition=Q(is_active=True, programme__isnull=False),
                name="catalog_profile_one_per_programme_province",
                violation_error_message=_(
                    "This programme already has an active process profile for this province."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_default=False)
                | Q(is_active=True, programme__isnull=True, province_code=""),
                name="catalog_profile_default_is_general",
                violation_error_message=_(
                    "The default process profile must be active and belong to no province "
                    "or programme."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_priority_activities_per_sector__gte=0)
                & Q(
                    min_priority_activities_per_sector__lte=models.F(
                        "max_priority_activities_per_sector"
                    )
                ),
                name="catalog_profile_priority_activities_range",
                violation_error_message=_(
                    "The minimum number of priority activities per sector must not exceed "
                    "the maximum."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_priority__gte=1) & Q(min_priority__lte=models.F("max_priority")),
                name="catalog_profile_priority_range",
                violation_error_message=_(
                    "Priority numbers must start at 1 or more, and the smallest priority "
                    "number must not exceed the largest."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quorum_households_pct__gte=0)
                & Q(quorum_households_pct__lte=100)
                & Q(quorum_agreement_pct__gte=0)
                & Q(quorum_agreement_pct__lte=100),
                name="catalog_profile_quorum_pct_range",
                violation_error_message=_("Quorum percentages must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(money_decimals__lte=3),
                name="catalog_profile_money_decimals_range",
                violation_error_message=_("Money may be shown with at most 3 decimals."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def priority_levels(self) -> range:
        """The allowed priority values, e.g. ``range(1, 4)`` for 1..3 (R2)."""
        return range(self.min_priority, self.max_priority + 1)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        for field in ("ranking_criteria", "scoring_criteria"):
            problems = validate_criteria(getattr(self, field))
            if problems:
                errors[field] = problems
        if not isinstance(self.extra, dict):
            errors["extra"] = [
                ValidationError(
                    _('Enter an object of named parameters, for example {"name": value}.'),
                    code="invalid_extra",
                )
            ]
        if errors:
            raise ValidationError(errors)


def validate_criteria(value: Any) -> list[ValidationError]:
    """Problems with a criteria list's shape, one message per problem (empty if valid).

    A valid list is non-empty; each item is an object with a ``code`` (lower-case letters,
    digits, "_" or "-"; unique in the list), a Vietnamese ``name``, an optional English
    ``name_en`` and a numeric ``weight`` from 0 to 100; at least one weight is positive.
    """
    if not isinstance(value, list):
        return [
            ValidationError(
                _("Enter a list of criteria, each with a code, a name and a weight."),
                code="criteria_not_list",
            )
        ]
    if not value:
        return [ValidationError(_("Add at least one criterion."), code="criteria_empty")]
    problems: list[ValidationError] = []
    seen: set[str] = set()
    any_positive = False
    for number, item in enumerate(value, start=1):
        params: dict[str, Any] = {"number": number}
        if not isinstance(item, dict):
            problems.append(
                ValidationError(
                    _("Criterion %(number)d must be an object with a code, a name and a weight."),
                    code="criterion_not_object",
                    params=params,
                )
            )
            continue
        code = item.get("code")
        if not isinstance(code, str) or not code.strip():
            problems.append(
                ValidationError(
                    _("Criterion %(number)d has no code."), code="criterion_no_code", params=params
                )
            )
        elif not _CRITERION_CODE_RE.match(code):
            problems.append(
                ValidationError(
                    _(
                        "Criterion %(number)d: the code “%(code)s” may contain only lower-case "
                        "letters without diacritics, digits, “_” and “-”."
                    ),
                    code="criterion_bad_code",
                    params={**params, "code": code},
                )
            )
        elif code in seen:
            problems.append(
                ValidationError(
                    _("Criterion %(number)d: the code “%(code)s” is used more than once."),
                    code="criterion_duplicate_code",
                    params={**params, "code": code},
                )
            )
        else:
            seen.add(code)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(
                ValidationError(
                    _("Criterion %(number)d has no Vietnamese name."),
                    code="criterion_no_name",
                    params=params,
                )
            )
        if not isinstance(item.get("name_en", ""), str):
            problems.append(
                ValidationError(
                    _("Criterion %(number)d: the English name must be text."),
                    code="criterion_bad_name_en",
                    params=params,
                )
            )
        weight = item.get("weight")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not 0 <= weight <= 100
        ):
            problems.append(
                ValidationError(
                    _("Criterion %(number)d: the weight must be a number from 0 to 100."),
                    code="criterion_bad_weight",
                    params=params,
                )
            )
        elif weight > 0:
            any_positive = True
    if not problems and not any_positive:
        problems.append(
            ValidationError(
                _("At least one criterion must have a weight greater than 0."),
                code="criteria_all_zero",
            )
        )
    return problems


def criteria_error_messages(value: Any) -> list[str]:
    """The translated messages of :func:`validate_criteria`, for services and importers."""
    return [message for error in validate_criteria(value) for message in error.messages]
