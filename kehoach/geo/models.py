"""Administrative units: province, (former) district, commune, village — dated, with successors.

Every unit has a public ``code`` (used in URLs, workbooks and the API) and keeps the code as
officially published in ``official_code``. Current official units use the official code as
their public code ("44" Quảng Trị, "19702" Xã Hải Lăng). Pre-reform units loaded from an
administrator's CSV get a level letter in front ("T45", "H464", "X19705") because old and new
official codes overlap. Villages have no national code; they get "<commune code>-<nnn>".

``path`` holds the chain of public codes from the province down ("44/19702/19702-001/"), so
a subtree is one ``path__startswith`` query and the ancestors one ``code__in`` query.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehoach.core.models import TimeStampedModel

from .choices import Kind, Level, Source, SuccessionKind

PATH_SEPARATOR = "/"


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def active_on(self, day: datetime.date) -> AdministrativeUnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def current(self) -> AdministrativeUnitQuerySet:
        return self.filter(valid_to__isnull=True)

    def in_vietnamese_order(self) -> AdministrativeUnitQuerySet:
        return self.order_by("sort_key", "code")


class AdministrativeUnit(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    official_code = models.CharField(_("official code"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    sort_key = models.CharField(max_length=600, editable=False, db_index=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["sort_key", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="geo_unit_valid_from_before_valid_to",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=4), name="geo_unit_level_range"
            ),
            models.CheckConstraint(
                condition=Q(level=Level.PROVINCE, parent__isnull=True)
                | Q(level__gt=Level.PROVINCE, parent__isnull=False),
                name="geo_unit_parent_by_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_to"], name="geo_unit_level_valid_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def is_commune(self) -> bool:
        return self.level == Level.COMMUNE

    @property
    def is_province(self) -> bool:
        return self.level == Level.PROVINCE

    def ancestor_codes(self) -> list[str]:
        """Public codes of the units above this one, from the province down."""
        return [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]


class UnitSuccession(TimeStampedModel):
    """A predecessor → successor link: merged, split, renamed or transferred (R24–R25)."""

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("former unit"),
        on_delete=models.PROTECT,
        related_name="successions",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("successor unit"),
        on_delete=models.PROTECT,
        related_name="predecessions",
    )
    kind = models.CharField(_("kind of change"), max_length=16, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("effective date"))
    decision = models.CharField(_("decision"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="geo_succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="geo_succession_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class UnitNameChange(TimeStampedModel):
    """A village (or any unit) renamed in place: the code, plans and history stay with it."""

    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="name_changes"
    )
    old_name = models.CharField(_("old name"), max_length=200)
    new_name = models.CharField(_("new name"), max_length=200)
    effective_date = models.DateField(_("effective date"))
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("name change")
        verbose_name_plural = _("name changes")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name}"
