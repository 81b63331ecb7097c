"""Wording the documents share: the national heading, the place and date line, and the texts a
process profile may replace (legal bases, implementation arrangements).

Everything goes through gettext with English msgids, so a document follows the language of the
request like the rest of the interface (Vietnamese by default). A profile's own texts are kept
as the commune wrote them; they may contain ``{year}``, ``{previous_year}``, ``{commune}`` and
``{province}``, which are filled in:

- ``extra["document_legal_bases"]``: a list of lines, each a legal basis ("Căn cứ …");
- ``extra["document_implementation"]``: a list of paragraphs for part V.

Both are read through ``profile.policy`` (``kehoach.catalog.policy``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from kehoach.core.text import UNIT_PREFIXES, nfc, strip_unit_prefix

LEGAL_BASES_KEY = "document_legal_bases"
IMPLEMENTATION_KEY = "document_implementation"


def national_heading() -> tuple[str, str]:
    return _("SOCIALIST REPUBLIC OF VIET NAM"), _("Independence – Freedom – Happiness")


NBSP = "\u00a0"

_KIND_WORDS = sorted(UNIT_PREFIXES, key=len, reverse=True)


def in_sentence(name: str) -> str:
    """A unit's name as written inside a sentence: its kind word in lower case ("xã Hải Lăng",
    "thôn Diên Sanh", "thành phố Huế"), the name itself as it is. Every name a document writes
    in running text goes through this one function; headings in capitals do not."""
    text = nfc(name)
    folded = text.casefold()
    for word in _KIND_WORDS:
        if folded.startswith(word.casefold() + " ") and len(text) > len(word) + 1:
            return word.lower() + text[len(word) :]
    return text


def with_year(text: str, year: int | str) -> str:
    """``text`` with the space before the year made non-breaking, so that a title never leaves
    the year alone on a line ("… NĂM 2027" breaks before "NĂM", never between)."""
    return text.replace(f" {year}", f"{NBSP}{year}")


def as_list_items(items: list[str]) -> list[str]:
    """Items of a list inside one sentence (the legal bases, "Căn cứ …"): each ends with ";",
    the last with "."."""
    stripped = [item.rstrip().rstrip(".;,").rstrip() for item in items]
    return [
        item + ("." if index == len(stripped) - 1 else ";") for index, item in enumerate(stripped)
    ]


def province_label(name: str) -> str:
    """The province as written after a commune: "tỉnh Quảng Trị" for a province named
    "Quảng Trị"; a name that already says what it is ("Thành phố Huế") is kept."""
    if not name:
        return ""
    if strip_unit_prefix(name) != name:
        return name
    return _("%(name)s province") % {"name": name}


def place_date(place_name: str, day: datetime.date | None) -> str:
    """The place and date line, "Hải Lăng, ngày 01 tháng 12 năm 2026"; with dots to fill in
    when there is no date."""
    place = strip_unit_prefix(place_name)
    if day is None:
        return _("%(place)s, day …… month …… year ……") % {"place": place}
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": place,
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}",
        "year": day.year,
    }


def _fill(text: str, values: dict[str, Any]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _configured(profile: Any, key: str, values: dict[str, Any]) -> list[str] | None:
    policy = getattr(profile, "policy", None)
    items: tuple[str, ...] = getattr(policy, key, ()) if policy is not None else ()
    if not items:
        return None
    return [_fill(item, values) for item in items]


def legal_bases(profile: Any, values: dict[str, Any]) -> list[str]:
    """The legal bases of the plan: the profile's list, or a general one the commune completes
    (numbers and dates of its own documents) in the Word file."""
    configured = _configured(profile, LEGAL_BASES_KEY, values)
    if configured is not None:
        return configured
    return [
        _("Pursuant to the Law on the Organisation of Local Government;"),
        _("Pursuant to the Law on the State Budget and the documents guiding it;"),
        _("Pursuant to the Law on Public Investment;"),
        _("Pursuant to the Law on Implementing Democracy at the Grassroots;"),
        _(
            "Pursuant to the guidance of the People's Committee of %(province)s on preparing "
            "the socio-economic development plans and budget estimates for %(year)s;"
        )
        % values,
        _("Pursuant to the resource envelope for %(year)s notified to %(commune)s;") % values,
        _(
            "Pursuant to the development plans of the villages adopted at the village meetings "
            "and the result of the evaluation of the %(previous_year)s plan."
        )
        % values,
    ]


def implementation(profile: Any, values: dict[str, Any]) -> list[str]:
    """Part V: who carries out, follows and supervises the plan."""
    configured = _configured(profile, IMPLEMENTATION_KEY, values)
    if configured is not None:
        return configured
    return [
        _(
            "The People's Committee of %(commune)s directs the implementation of the plan, "
            "assigns each work to a responsible unit and reports on progress to the People's "
            "Council every six months and at the end of the year."
        )
        % values,
        _(
            "The village heads and the village planning groups mobilise the community "
            "contribution agreed at the village meetings, take part in the works the community "
            "carries out and keep the villagers informed of progress."
        ),
        _(
            "The commune's sectors and mass organisations carry out the activities of their "
            "field and bring in the programmes and projects they manage."
        ),
        _(
            "The commune Fatherland Front and the community investment supervision boards "
            "supervise the works; residents may send their comments to the village head or the "
            "People's Committee of the commune."
        ),
        _(
            "Progress is reported every six months and at the end of the year (form F14) and "
            "the plan is evaluated at the end of %(year)s (form F15); activities not funded or "
            "deferred are carried over to the planning round of the following year."
        )
        % values,
    ]


def next_step(decision: str) -> str:
    """What a village does next about a proposal with this decision (F13)."""
    steps = {
        "funded": _(
            "Prepare the contribution agreed and take part in carrying out and supervising "
            "the work."
        ),
        "unfunded": _(
            "The activity stays in the plan; it is carried out when money is found, otherwise "
            "it is carried over to next year."
        ),
        "deferred": _("Propose it again at next year's village meeting."),
        "rejected": _("See the reason; the village may propose another activity next year."),
        "merged": _("Carried out as part of another work of the plan."),
    }
    return steps.get(decision, "")
