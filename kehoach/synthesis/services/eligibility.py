"""Where and on what an envelope line's money may be spent (F11 cols. 5–6, R8).

The allocation engine checks sector, expenditure type and the counterpart rule itself; this
module answers the questions that need the database: is each village that proposed the line
in the envelope line's area, and is the activity one of the eligible activities.

Eligible activities are kept as the user typed them (NFC, for instance "Đường, cầu") so that
the envelope page, the village plan page and every reason show the Vietnamese words; they are
folded (case, diacritics, đ → d) only to be matched against the activity of a line.

A line proposed by several villages (merged) is eligible for area-restricted money only when
*every* proposing village is eligible [I]: restricted programmes (Programme 135 and its
successors) may not pay for works of villages outside their list. A line of a commune sector
or organisation has no village, so only money for the whole commune can pay for it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.text import fold, nfc
from kehoach.plans.models import BasicInfo, PlanningRound

from ..choices import AreaScope, VillageFlag
from ..models import EnvelopeLine

EM_VILLAGE_SHARE_PCT = Decimal(50)
"""A village counts as an ethnic-minority village when at least this share of its households
are ethnic-minority households [I]; a process profile may
set ``em_village_share_pct`` (``profile.policy``)."""


def keywords(text: str) -> list[str]:
    """ "Đường,  cầu ; Đường" → ["Đường", "cầu"]: the words as typed (NFC, spaces tidied),
    commas or semicolons between them, without a word that folds like an earlier one."""
    words: list[str] = []
    seen: set[str] = set()
    for part in nfc(text or "").replace(";", ",").split(","):
        word = " ".join(part.split())
        folded = fold(word)
        if folded and folded not in seen:
            seen.add(folded)
            words.append(word)
    return words


@lru_cache(maxsize=1024)
def matching_words(text: str) -> tuple[str, ...]:
    """The eligible activities of ``text`` folded for matching: ("duong", "cau")."""
    return tuple(fold(word) for word in keywords(text))


def village_flags(round_: PlanningRound) -> dict[int, set[str]]:
    """The classifications of each village of the round, from its basic information (F1)."""
    threshold = round_.profile.policy.em_village_share_pct
    flags: dict[int, set[str]] = {}
    rows = BasicInfo.objects.filter(plan__round=round_).values(
        "plan__village_id",
        "is_extremely_difficult",
        "is_border",
        "is_p135",
        "em_households",
        "total_households",
    )
    for row in rows:
        found: set[str] = set()
        if row["is_extremely_difficult"]:
            found.add(VillageFlag.EXTREMELY_DIFFICULT)
        if row["is_border"]:
            found.add(VillageFlag.BORDER)
        if row["is_p135"]:
            found.add(VillageFlag.P135)
        total, em = row["total_households"], row["em_households"]
        if total and em is not None and Decimal(em) * 100 >= threshold * total:
            found.add(VillageFlag.ETHNIC_MINORITY)
        flags[row["plan__village_id"]] = found
    return flags


def area_text(line: EnvelopeLine) -> str:
    """ "the whole commune", "Thôn A, Thôn B" or "extremely difficult villages" (Vietnamese)."""
    if line.area_scope == AreaScope.LISTED:
        names = sorted((v.name for v in line.area_villages.all()), key=fold)
        return ", ".join(names)
    if line.area_scope == AreaScope.FLAGGED:
        labels = dict(VillageFlag.choices)
        return ", ".join(str(labels[f]) for f in line.area_flags if f in labels)
    return str(AreaScope.ALL.label)


def ineligibility(
    envelope_line: EnvelopeLine,
    *,
    year: int,
    activity: str,
    villages: list[Any],
    flags: dict[int, set[str]],
    listed: set[int],
) -> str | None:
    """Why ``envelope_line`` cannot pay for a line of these villages and this activity, or
    ``None``. ``villages`` are the proposing villages (units); ``listed`` the ids of the
    envelope line's listed villages."""
    source = envelope_line.source
    if not source.is_active_for_year(year):
        return _("the source is not in use in %(year)s") % {"year": year}
    if envelope_line.area_scope == AreaScope.LISTED:
        outside = [v for v in villages if v.pk not in listed]
        if not villages or outside:
            return _("only for the villages %(villages)s") % {"villages": area_text(envelope_line)}
    elif envelope_line.area_scope == AreaScope.FLAGGED:
        wanted = set(envelope_line.area_flags)
        outside = [v for v in villages if not (flags.get(v.pk, set()) & wanted)]
        if not villages or outside:
            return _("only for %(kinds)s") % {"kinds": area_text(envelope_line)}
    words = matching_words(envelope_line.activity_keywords)
    if words:
        folded = fold(activity)
        if not any(word in folded for word in words):
            shown = ", ".join(keywords(envelope_line.activity_keywords))
            return _("only for the activities: %(words)s") % {"words": shown}
    return None
