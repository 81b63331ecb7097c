"""Reads of the catalog. Reference data is the same for every user, so nothing is scoped."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError, NotFoundError

from .choices import AliasKind
from .models import (
    ALIAS_MODELS,
    ALIAS_TARGET_FIELDS,
    Alias,
    FundingSource,
    Indicator,
    ProcessProfile,
    Sector,
    UnitOfMeasure,
)

NO_DEFAULT_PROFILE = "catalog_no_default_profile"


def sectors_active() -> QuerySet[Sector]:
    """Active sectors in their configured order (sort order, then Vietnamese name)."""
    return Sector.objects.active().order_by("sort_order", "sort_key", "code")


def funding_sources_active_for_year(year: int) -> QuerySet[FundingSource]:
    """Active funding sources (programmes and components) valid in plan year *year*."""
    return (
        FundingSource.objects.active_for_year(year)
        .select_related("parent")
        .order_by("sort_order", "code")
    )


def units_of_measure_active() -> QuerySet[UnitOfMeasure]:
    return UnitOfMeasure.objects.active().order_by("sort_order", "code")


def indicators_active() -> QuerySet[Indicator]:
    """Active indicators in the order of the targets table (F16): group, sort order, code."""
    return Indicator.objects.active()


def process_profile_for(
    province_code: str | None, programme_code: str | None = None
) -> ProcessProfile:
    """The profile whose rules apply to a plan of this province under this programme.

    Order: the programme's profile for this province, else the programme's profile for
    every province (no province code), else the province's own profile, else the default.
    Only active profiles count. Raises ``ApplicationError`` (code
    ``catalog_no_default_profile``) when nothing applies and no default exists.
    """
    profiles = ProcessProfile.objects.filter(is_active=True).select_related("programme")
    province_code = (province_code or "").strip()
    programme_code = (programme_code or "").strip()
    if programme_code:
        candidates = profiles.filter(programme__code=programme_code)
        if province_code:
            found = candidates.filter(province_code=province_code).first()
            if found is not None:
                return found
        found = candidates.filter(province_code="").first()
        if found is not None:
            return found
    if province_code:
        found = profiles.filter(programme__isnull=True, province_code=province_code).first()
        if found is not None:
            return found
    found = profiles.filter(is_default=True).first()
    if found is None:
        raise ApplicationError(
            code=NO_DEFAULT_PROFILE,
            message=_(
                "No default process profile is set. Load the catalog (manage.py "
                "load_catalog) or mark one profile as the default."
            ),
        )
    return found


# --- aliases ----------------------------------------------------------------------------------

ALIAS_KINDS_BY_LIST: dict[str, str] = {
    "sectors": AliasKind.SECTOR,
    "sources": AliasKind.SOURCE,
    "envelope_sources": AliasKind.SOURCE,
    "units": AliasKind.UNIT,
}
"""The alias kind of each workbook drop-down list (``exchange.choices``) that has aliases."""


def alias_kind(list_name: str) -> str | None:
    """The kind of alias a workbook list takes ("sectors" → "sector"), or None."""
    return ALIAS_KINDS_BY_LIST.get(list_name)


def alias_target(kind: str, value: str) -> Sector | FundingSource | UnitOfMeasure:
    """The sector, funding source or unit with primary key *value* (as posted by a form);
    ``NotFoundError`` when there is none of that kind."""
    model = ALIAS_MODELS.get(kind)
    text = str(value).strip()
    if model is None or not text.isdigit():
        raise NotFoundError()
    found = model.objects.filter(pk=int(text)).first()
    if found is None:
        raise NotFoundError()
    return found


def aliases_of(target: Sector | FundingSource | UnitOfMeasure) -> QuerySet[Alias]:
    """The aliases of one entry, in the order of their folded keys."""
    kind = next(kind for kind, model in ALIAS_MODELS.items() if isinstance(target, model))
    return Alias.objects.filter(kind=kind, **{ALIAS_TARGET_FIELDS[kind]: target})
