"""Process profiles: the rule parameters of one planning process, and their criteria."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from ..choices import PriorityBoundScope
from ..defaults import default_ranking_criteria, default_scoring_criteria
from ..policy import Policy, parse_policy
from .common import (
    _CRITERION_CODE_RE,
    PERCENT_VALIDATORS,
    validate_code,
    validate_province_code,
)
from .reference import FundingSource

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
    medium_term_start_year = models.PositiveSmallIntegerField(
        _("first year of the five-year plan"),
        default=2026,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The period a commune's medium-term plan opens with by default (F7)."),
    )
    medium_term_years = models.PositiveSmallIntegerField(
        _("years in the medium-term plan"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Five for a five-year plan; a programme may plan over a different span."),
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
    def policy(self) -> Policy:
        """The typed parameters of ``extra`` (``catalog.policy``), parsed once per instance
        and again only when ``extra`` changes."""
        cached = self.__dict__.get("_policy_cache")
        if cached is None or cached[0] != self.extra:
            cached = (copy.deepcopy(self.extra), parse_policy(self.extra)[0])
            self.__dict__["_policy_cache"] = cached
        return cached[1]

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
        else:
            extra_problems = parse_policy(self.extra)[1]
            if extra_problems:
                errors["extra"] = [
                    ValidationError(problem.message, code=problem.code)
                    for problem in extra_problems
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
