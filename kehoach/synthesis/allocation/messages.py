"""The reasons of an allocation's outcomes, as codes with parameters and as Vietnamese
sentences, and the objective both procedures are compared by."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kehoach.core.numbers import format_number_vi

from .model import (
    AMOUNT_PLACES,
    INVESTMENT,
    RECURRENT,
    REFUSALS_SHOWN,
    Candidate,
    Outcome,
    Pot,
    Reason,
    _drawing_order,
    _raw,
    _refusal,
)

# --- messages -----------------------------------------------------------------------------------


def _amount(value: str) -> str:
    """An amount for reading: up to three decimals, trailing zeros dropped ("1.234,5")."""
    text = format_number_vi(Decimal(value), AMOUNT_PLACES)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _spending_kind(kind: str) -> str:
    names = {
        INVESTMENT: pgettext("spending kind", "investment"),
        RECURRENT: pgettext("spending kind", "recurrent"),
    }
    return names.get(kind, kind)


def _render_refusal(params: Mapping[str, str]) -> str:
    rule = params["rule"]
    if rule == "sector":
        return _("only for the sector %(sector)s") % {"sector": params["sector"]}
    if rule == "expenditure":
        return _("only for %(kind)s spending") % {"kind": _spending_kind(params["kind"])}
    if rule == "counterpart":
        return _(
            "needs a community contribution of at least %(pct)s%% of the cost "
            "(%(min)s million); the line has %(has)s million"
        ) % {
            "pct": _amount(params["pct"]),
            "min": _amount(params["min"]),
            "has": _amount(params["has"]),
        }
    return params["text"]


def _render_funded(params: Mapping[str, Any]) -> str:
    draws = "; ".join(
        _("%(pot)s %(amount)s million") % {"pot": draw["pot"], "amount": _amount(draw["amount"])}
        for draw in params["draws"]
    )
    return _("Funded: %(draws)s.") % {"draws": draws}


def _render_no_pot(params: Mapping[str, Any]) -> str:
    parts = [
        _("%(pot)s: %(reason)s") % {"pot": item["pot"], "reason": _render_refusal(item)}
        for item in params["pots"]
    ]
    if params["more"]:
        parts.append("…")
    return _("No funding source in the envelope fits this line: %(why)s.") % {
        "why": "; ".join(parts)
    }


def _render_short(params: Mapping[str, Any]) -> str:
    values = {"left": _amount(params["left"]), "need": _amount(params["need"])}
    if len(params["pots"]) == 1:
        text = _("Over the %(pot)s envelope: %(left)s million left, %(need)s million needed.") % {
            "pot": params["pots"][0],
            **values,
        }
    else:
        text = _(
            "Over the envelopes of the suitable sources (%(pots)s): %(left)s million left in "
            "all, %(need)s million needed."
        ) % {"pots": ", ".join(params["pots"]), **values}
    asked = params.get("asked") or []
    if asked:
        why = "; ".join(
            _("%(pot)s: %(reason)s") % {"pot": item["pot"], "reason": _render_refusal(item)}
            for item in asked
        )
        text += " " + _("The source the village asked for cannot pay for it: %(why)s.") % {
            "why": why
        }
    return text


def render(reason_code: str, params: Mapping[str, Any]) -> str:
    """The text of a reason in the active language, from its code and raw params."""
    if reason_code == "funded":
        return _render_funded(params)
    if reason_code == "no_need":
        return _("No external support is needed: the community carries the whole cost.")
    if reason_code == "no_envelope":
        return _("The resource envelope has no funding source.")
    if reason_code == "no_pot":
        return _render_no_pot(params)
    if reason_code == "short":
        return _render_short(params)
    raise ValueError(f"unknown reason code {reason_code!r}")


def _reason(code: str, params: dict[str, Any]) -> Reason:
    return Reason(code, params, render(code, params))


# --- outcomes -----------------------------------------------------------------------------------


def _no_need(line: Candidate) -> Outcome:
    return Outcome(line.key, True, {}, _reason("no_need", {}))


def _funded(line: Candidate, draws: dict[str, Decimal], pots: Mapping[str, Pot]) -> Outcome:
    params = {"draws": [{"pot": pots[key].label, "amount": _raw(v)} for key, v in draws.items()]}
    return Outcome(line.key, True, draws, _reason("funded", params))


def _unfunded(
    line: Candidate, pots: Sequence[Pot], suitable: Sequence[Pot], left: Mapping[str, Decimal]
) -> Outcome:
    """Not funded: no pots at all, no suitable pot, or too little left in the suitable ones."""
    if not pots:
        return Outcome(line.key, False, {}, _reason("no_envelope", {}))
    if not suitable:
        refusals = [
            {"pot": pot.label, **(_refusal(pot, line) or {})}
            for pot in sorted(pots, key=_drawing_order(line))
        ]
        params: dict[str, Any] = {
            "pots": refusals[:REFUSALS_SHOWN],
            "more": max(0, len(refusals) - REFUSALS_SHOWN),
        }
        return Outcome(line.key, False, {}, _reason("no_pot", params))
    asked_suits = any(pot.source_code == line.proposed_source for pot in suitable)
    asked = [
        {"pot": pot.label, **(_refusal(pot, line) or {})}
        for pot in sorted(pots, key=_drawing_order(line))
        if line.proposed_source and not asked_suits and pot.source_code == line.proposed_source
    ]
    params = {
        "pots": [pot.label for pot in suitable],
        "left": _raw(sum((left[pot.key] for pot in suitable), Decimal(0))),
        "need": _raw(line.need),
    }
    if asked:
        params["asked"] = asked[:REFUSALS_SHOWN]
    return Outcome(line.key, False, {}, _reason("short", params))


def objective(outcomes: Iterable[Outcome], candidates: Iterable[Candidate]) -> Decimal:
    """Total weighted support: the sum of ``weight × need`` over the funded candidates."""
    funded = {outcome.key for outcome in outcomes if outcome.funded}
    return sum((c.weight * c.need for c in candidates if c.key in funded), Decimal(0))


def eligibility(pot: Pot, candidate: Candidate) -> str | None:
    """``None`` if *candidate* may draw from *pot*, else the reason, in the active language."""
    refusal = _refusal(pot, candidate)
    return None if refusal is None else _render_refusal(refusal)
