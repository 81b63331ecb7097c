"""Reading ``ProcessProfile.extra`` into a ``Policy``: each key by its reader, each wrong value a
``Problem`` on its key with what is allowed (the model's ``clean``, the admin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.errors import Where
from kehoach.core.numbers import format_number_vi
from kehoach.core.validation import WARNING, Problem

from .settings import (
    _FORM_RE,
    _LAYOUT_CODE_RE,
    _PRIORITY_KEY_RE,
    ALLOCATION_MODES,
    COMMUNE_PLAN_STEPS,
    DEFAULT_POLICY,
    MEMBERS_MAX,
    MEMBERS_MIN,
    PARTICIPATION_KEYS,
    PERCENT_MAX,
    PERCENT_MIN,
    PLAN_RULES_MODES,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Policy,
    _frozen,
)

# --- messages ---------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _range(minimum: Decimal | int, maximum: Decimal | int) -> dict[str, str]:
    return {"minimum": format_number_vi(minimum, 0), "maximum": format_number_vi(maximum, 0)}


class _Found:
    """The problems of one parse, each placed on its top-level key (a message may name the
    inner one, "participation_targets.women_pct")."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, key: str, code: str, message: str, *, severity: str = "error") -> None:
        self.problems.append(
            Problem(
                code,
                message,
                Where(field=key.split(".", 1)[0]),
                WARNING if severity == WARNING else "error",
                detail=message,
            )
        )

    def not_object(self, key: str, value: Any, example: str) -> None:
        self.add(
            key,
            "policy_not_object",
            _(
                "Parameter “%(key)s”: %(value)s is not an object of named values; enter for "
                "example %(example)s."
            )
            % {"key": key, "value": _shown(value), "example": example},
        )

    def not_list(self, key: str, value: Any, example: str) -> None:
        self.add(
            key,
            "policy_not_list",
            _("Parameter “%(key)s”: %(value)s is not a list; enter for example %(example)s.")
            % {"key": key, "value": _shown(value), "example": example},
        )

    def not_number(
        self, key: str, value: Any, minimum: Decimal | int, maximum: Decimal | int
    ) -> None:
        self.add(
            key,
            "policy_bad_number",
            _(
                "Parameter “%(key)s”: %(value)s is not allowed; enter a number from "
                "%(minimum)s to %(maximum)s."
            )
            % {"key": key, "value": _shown(value), **_range(minimum, maximum)},
        )

    def not_whole(self, key: str, value: Any, minimum: int, maximum: int) -> None:
        self.add(
            key,
            "policy_bad_integer",
            _(
                "Parameter “%(key)s”: %(value)s is not allowed; enter a whole number from "
                "%(minimum)s to %(maximum)s."
            )
            % {"key": key, "value": _shown(value), **_range(minimum, maximum)},
        )

    def not_allowed(self, key: str, value: Any, allowed: list[str]) -> None:
        self.add(
            key,
            "policy_bad_choice",
            _("Parameter “%(key)s”: %(value)s is not allowed; allowed values: %(allowed)s.")
            % {"key": key, "value": _shown(value), "allowed": ", ".join(allowed)},
        )

    def not_text(self, key: str, value: Any) -> None:
        self.add(
            key,
            "policy_not_text",
            _("Parameter “%(key)s”: %(value)s is not a text; enter each item between quotes.")
            % {"key": key, "value": _shown(value)},
        )


# --- one reader per kind of value -------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _bounded(
    found: _Found,
    key: str,
    value: Any,
    minimum: Decimal,
    maximum: Decimal,
    label: str | None = None,
) -> Decimal | None:
    number = _decimal(value)
    if number is None or not minimum <= number <= maximum:
        found.not_number(label or key, value, minimum, maximum)
        return None
    return number


def _read_participation(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "participation_targets"
    if not isinstance(value, dict):
        found.not_object(key, value, '{"women_pct": 30, "poor_pct": null}')
        return
    targets = dict(DEFAULT_POLICY.participation_targets)
    for name, item in value.items():
        if name not in PARTICIPATION_KEYS:
            found.not_allowed(key, name, list(PARTICIPATION_KEYS))
            continue
        if item is None:
            targets[name] = None
            continue
        number = _bounded(found, key, item, PERCENT_MIN, PERCENT_MAX, f"{key}.{name}")
        if number is not None:
            targets[name] = number
    policy[key] = _frozen(targets)


def _read_min_members(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    number = _decimal(value)
    whole = number is not None and number == number.to_integral_value()
    if number is None or not whole or not MEMBERS_MIN <= number <= MEMBERS_MAX:
        found.not_whole("supervision_min_members", value, MEMBERS_MIN, MEMBERS_MAX)
        return
    policy["supervision_min_members"] = int(number)


def _read_layouts(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "layouts"
    if not isinstance(value, dict):
        found.not_object(key, value, '{"F6": "F6-CHIA-SE"}')
        return
    layouts: dict[str, str] = {}
    for form, code in value.items():
        if not _FORM_RE.match(form):
            found.add(
                key,
                "policy_bad_form",
                _(
                    "Parameter “%(key)s”: “%(form)s” is not a form; name a form such as "
                    "“F6”, followed by the code of a layout."
                )
                % {"key": key, "form": form},
            )
        elif not isinstance(code, str) or not _LAYOUT_CODE_RE.match(code):
            found.add(
                key,
                "policy_bad_layout",
                _(
                    "Parameter “%(key)s”: the layout of %(form)s, %(value)s, is not a layout "
                    "code; enter a code such as “%(form)s-CHUAN”."
                )
                % {"key": key, "form": form, "value": _shown(code)},
            )
        else:
            layouts[form] = code
    policy[key] = _frozen(layouts)


def _texts_reader(key: str) -> Callable[[_Found, Any, dict[str, Any]], None]:
    def read(found: _Found, value: Any, policy: dict[str, Any]) -> None:
        if not isinstance(value, list):
            found.not_list(key, value, '["…", "…"]')
            return
        texts: list[str] = []
        for item in value:
            if not isinstance(item, str):
                found.not_text(key, item)
            elif item.strip():
                texts.append(item)
        policy[key] = tuple(texts)

    return read


def _read_em_share(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "em_village_share_pct"
    number = _bounded(found, key, value, PERCENT_MIN, PERCENT_MAX)
    if number is not None:
        policy[key] = number


def _read_steps(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "commune_plan_steps"
    if not isinstance(value, list):
        found.not_list(key, value, '["conference"]')
        return
    steps: set[str] = set()
    for step in value:
        if step in COMMUNE_PLAN_STEPS:
            steps.add(step)
        else:
            found.not_allowed(key, step, list(COMMUNE_PLAN_STEPS))
    policy[key] = frozenset(steps)


def _read_weights(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "priority_weights"
    if not isinstance(value, dict):
        found.not_object(key, value, '{"1": 3, "2": 2, "3": 1, "none": 1}')
        return
    weights = dict(DEFAULT_POLICY.priority_weights)
    for name, item in value.items():
        if not _PRIORITY_KEY_RE.match(str(name)):
            found.not_allowed(key, name, ["1", "2", "3", "…", "none"])
            continue
        number = _bounded(found, key, item, WEIGHT_MIN, WEIGHT_MAX, f"{key}.{name}")
        if number is not None:
            weights[str(name)] = number
    policy[key] = _frozen(weights)


def _read_mode(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    if value not in ALLOCATION_MODES:
        found.not_allowed("allocation_mode", value, list(ALLOCATION_MODES))
        return
    policy["allocation_mode"] = value


def _read_plan_rules(found: _Found, value: Any, policy: dict[str, Any]) -> None:
    key = "plan_rules_in_import"
    if value not in PLAN_RULES_MODES:
        found.add(
            key,
            "policy_bad_choice",
            _(
                "Parameter “%(key)s”: %(value)s is not allowed; enter “warning” (the rules on "
                "priority activities per sector are shown in the import preview) or “error” "
                "(an upload that breaks them is refused)."
            )
            % {"key": key, "value": _shown(value)},
        )
        return
    policy[key] = value


_READERS: dict[str, Callable[[_Found, Any, dict[str, Any]], None]] = {
    "participation_targets": _read_participation,
    "supervision_min_members": _read_min_members,
    "layouts": _read_layouts,
    "document_legal_bases": _texts_reader("document_legal_bases"),
    "document_implementation": _texts_reader("document_implementation"),
    "em_village_share_pct": _read_em_share,
    "commune_plan_steps": _read_steps,
    "priority_weights": _read_weights,
    "allocation_mode": _read_mode,
    "plan_rules_in_import": _read_plan_rules,
}
KEYS = tuple(_READERS)
"""Every key ``extra`` may hold."""


def parse_policy(extra: Any) -> tuple[Policy, list[Problem]]:
    """The policy of ``extra`` and the problems found in it. A missing key or a wrong value
    gives the default (a wrong item inside a list or object is left out, the rest is kept); a
    key the application does not know is a warning. ``None`` is read as ``{}``."""
    found = _Found()
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        found.add(
            "extra",
            "policy_not_object",
            _('Enter an object of named parameters, for example {"name": value}.'),
        )
        return DEFAULT_POLICY, found.problems
    values: dict[str, Any] = {}
    for key, value in extra.items():
        reader = _READERS.get(key)
        if reader is None:
            found.add(
                str(key),
                "policy_unknown_key",
                _("Parameter “%(key)s” is not known; known parameters: %(allowed)s.")
                % {"key": key, "allowed": ", ".join(KEYS)},
                severity=WARNING,
            )
            continue
        if value is None:
            continue
        reader(found, value, values)
    return (Policy(**values) if values else DEFAULT_POLICY), found.problems


def policy_problems(extra: Any) -> list[Problem]:
    """The problems of ``extra`` alone (for forms and ``clean``)."""
    return parse_policy(extra)[1]
