"""Codes, validators and names the catalogue models share."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
