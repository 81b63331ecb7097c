"""Other names of sectors, funding sources and units: how people write them in workbooks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import AliasKind
from .reference import FundingSource, Sector, UnitOfMeasure

ALIAS_TEXT_MAX = 200
"""The longest alias, in characters."""

ALIAS_TARGET_FIELDS: dict[str, str] = {
    AliasKind.SECTOR: "sector",
    AliasKind.SOURCE: "source",
    AliasKind.UNIT: "unit",
}
"""The foreign key that an alias of each kind sets (the other two stay empty)."""

ALIAS_MODELS: dict[str, type[Sector] | type[FundingSource] | type[UnitOfMeasure]] = {
    AliasKind.SECTOR: Sector,
    AliasKind.SOURCE: FundingSource,
    AliasKind.UNIT: UnitOfMeasure,
}
"""The catalog model that aliases of each kind name."""


def _exactly_one_target() -> Q:
    condition = Q()
    for kind, name in ALIAS_TARGET_FIELDS.items():
        others = {f"{o}__isnull": True for o in ALIAS_TARGET_FIELDS.values() if o != name}
        condition |= Q(kind=kind, **{f"{name}__isnull": False}, **others)
    return condition


class Alias(models.Model):
    """Another name of one catalog entry ("NS tỉnh" for NS-T, "Nông nghiệp" for NN).

    ``text`` is kept as typed; ``key`` is its ``catalog.names.name_key``, unique within a kind,
    so a name means one entry of a list. Written by ``services.alias_add`` and the admin.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=AliasKind.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alias_entries",
    )
    source = models.ForeignKey(
        FundingSource,
        verbose_name=_("funding source"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alias_entries",
    )
    unit = models.ForeignKey(
        UnitOfMeasure,
        verbose_name=_("unit of measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alias_entries",
    )
    text = models.CharField(
        _("other name"),
        max_length=ALIAS_TEXT_MAX,
        help_text=_("As people write it in their workbooks, for example: NS tỉnh, CTMTQG."),
    )
    key = models.CharField(_("folded key"), max_length=ALIAS_TEXT_MAX, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        ordering = ["kind", "key"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_target(),
                name="catalog_alias_one_target_of_its_kind",
                violation_error_message=_(
                    "Another name belongs to exactly one entry of its kind: a sector, a "
                    "funding source or a unit."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "key"],
                name="catalog_alias_unique_key_per_kind",
                violation_error_message=_("This name already belongs to another entry."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def target(self) -> Any:
        """The sector, funding source or unit this name stands for."""
        return getattr(self, ALIAS_TARGET_FIELDS[self.kind])
